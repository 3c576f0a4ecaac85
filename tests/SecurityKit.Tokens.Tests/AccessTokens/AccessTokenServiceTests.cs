using SecurityKit.Tokens.AccessTokens;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;
using SecurityKit.Tokens.RefreshTokens;
using static SecurityKit.Tokens.Tests.TestKit;

namespace SecurityKit.Tokens.Tests.AccessTokens;

public sealed class AccessTokenServiceTests
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = Clock();
    private readonly EventCollector _events = new();
    private readonly AccessTokenService _service;

    public AccessTokenServiceTests()
    {
        var keys = new SigningKeySet(Hs256());
        _service = new AccessTokenService(new JwtIssuer(keys, IssuerOptions(), _clock), new JwtValidator(keys, ValidationOptions(), _clock), new InMemoryTokenVersionStore(), _events.Publisher(_clock));
    }

    [Fact]
    public async Task SignOutEverywhere_InvalidatesEarlierTokensOnly()
    {
        var before = await _service.IssueAsync(new JwtDescriptor { Subject = "alice" });
        var other = await _service.IssueAsync(new JwtDescriptor { Subject = "bob" });
        (await _service.ValidateAsync(before)).IsValid.Should().BeTrue();

        (await _service.SignOutEverywhereAsync("alice")).Should().Be(1);

        (await _service.ValidateAsync(before)).FailureReason.Should().Be(JwtFailureReason.TokenVersionRevoked);
        (await _service.ValidateAsync(other)).IsValid.Should().BeTrue();
        var after = await _service.IssueAsync(new JwtDescriptor { Subject = "alice" });
        (await _service.ValidateAsync(after)).TokenVersion.Should().Be(1);
        _service.Validate(before).IsValid.Should().BeTrue("the synchronous path does not consult versions");
        _events.Events.Should().Contain(e => e.Name == TokenEventNames.SignedOutEverywhere && e.UserId == "alice");
        _events.Events.Should().Contain(e => e.Name == TokenEventNames.AccessTokenRejected && e.Reason == "token_version_revoked");
    }

    [Fact]
    public async Task ValidateAsync_TokenWithoutVersion_IsRevokedWhenVersionsAreEnabled()
    {
        var token = Forge(Header(), Payload());
        (await _service.ValidateAsync(token)).FailureReason.Should().Be(JwtFailureReason.TokenVersionRevoked);
    }

    [Fact]
    public async Task IssueAsync_WithoutSubject_Throws() =>
        await _service.Invoking(s => s.IssueAsync(new JwtDescriptor()).AsTask()).Should().ThrowAsync<ArgumentException>();

    [Fact]
    public void ToCode_EveryReason_HasADistinctSnakeCaseCode()
    {
        var codes = Enum.GetValues<JwtFailureReason>().Select(AccessTokenService.ToCode).ToList();
        codes.Should().OnlyHaveUniqueItems().And.NotContain("unknown").And.AllSatisfy(c => c.Should().MatchRegex("^[a-z0-9_]+$"));
    }
}
