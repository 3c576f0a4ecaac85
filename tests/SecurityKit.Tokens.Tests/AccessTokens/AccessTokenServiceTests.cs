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
    public async Task SignOutEverywhere_WithRefreshTokens_IncrementsTwice_RevokesFamilies_PublishesOnce()
    {
        var refresh = new RefreshTokenService(new InMemoryRefreshTokenStore(), new RefreshTokenOptions(), _clock, _events.Publisher(_clock));
        var family = await refresh.IssueAsync("alice");
        var before = await _service.IssueAsync(new JwtDescriptor { Subject = "alice" });

        (await _service.SignOutEverywhereAsync("alice", refresh)).Should().Be(2, "incremented before and after revoking the families");

        (await _service.GetTokenVersionAsync("alice")).Should().Be(2);
        (await refresh.RefreshAsync(family.Token)).Status.Should().Be(RefreshStatus.Revoked);
        (await _service.ValidateAsync(before)).FailureReason.Should().Be(JwtFailureReason.TokenVersionRevoked);
        _events.Events.Count(e => e.Name == TokenEventNames.SignedOutEverywhere && e.UserId == "alice").Should().Be(1);
        await _service.Invoking(s => s.GetTokenVersionAsync("").AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task ValidateAsync_SubjectLongerThanTheVersionStoreAccepts_IsRevokedNotAnException()
    {
        // A validly signed token whose subject the version store would refuse (over 256 characters) cannot prove its
        // version: it is refused, and the store is never asked (it would throw).
        var longest = new string('u', Stores.Tokens.TokenVersionStore.MaxUserIdLength);
        (await _service.ValidateAsync(Forge(Header(), Payload().Replace("\"sub\":\"user-1\"", $"\"sub\":\"{longest}\",\"ver\":0", StringComparison.Ordinal)))).IsValid.Should().BeTrue();
        (await _service.ValidateAsync(Forge(Header(), Payload().Replace("\"sub\":\"user-1\"", $"\"sub\":\"{longest}u\",\"ver\":0", StringComparison.Ordinal)))).FailureReason.Should().Be(JwtFailureReason.TokenVersionRevoked);
    }

    [Theory]
    [InlineData("")] // an empty subject
    [InlineData(null)] // none at all
    public async Task ValidateAsync_NoOrEmptySubjectWhileNotRequired_RefusedWithoutAskingTheStore(string? subject)
    {
        // With RequireSubject off the validator accepts such a token, but it names no user whose version could be read:
        // refused, and the version store (which would throw on an empty id) is never called.
        var keys = new SigningKeySet(Hs256());
        var options = ValidationOptions();
        options.RequireSubject = false;
        var versions = new CountingVersionStore();
        var service = new AccessTokenService(new JwtIssuer(keys, IssuerOptions(), _clock), new JwtValidator(keys, options, _clock), versions, _events.Publisher(_clock));
        var payload = subject is null
            ? Payload().Replace("\"sub\":\"user-1\",", "\"ver\":0,", StringComparison.Ordinal)
            : Payload().Replace("\"sub\":\"user-1\"", "\"sub\":\"\",\"ver\":0", StringComparison.Ordinal);
        if (subject is null)
        {
            service.Validate(Forge(Header(), payload)).IsValid.Should().BeTrue("the signature and claims are fine");
            (await service.ValidateAsync(Forge(Header(), payload))).FailureReason.Should().Be(JwtFailureReason.TokenVersionRevoked);
        }
        else
        {
            // An empty "sub" is refused as a claim already (a present subject must name someone).
            service.Validate(Forge(Header(), payload)).FailureReason.Should().Be(JwtFailureReason.InvalidClaim);
            (await service.ValidateAsync(Forge(Header(), payload))).FailureReason.Should().Be(JwtFailureReason.InvalidClaim);
        }

        versions.Reads.Should().Be(0);
    }

    private sealed class CountingVersionStore : Stores.Tokens.TokenVersionStore
    {
        private readonly InMemoryTokenVersionStore _inner = new();

        public int Reads;

        protected override ValueTask<long> GetVersionCoreAsync(string userId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            return _inner.GetVersionAsync(userId, cancellationToken);
        }

        protected override ValueTask<long> IncrementVersionCoreAsync(string userId, CancellationToken cancellationToken) => _inner.IncrementVersionAsync(userId, cancellationToken);
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
