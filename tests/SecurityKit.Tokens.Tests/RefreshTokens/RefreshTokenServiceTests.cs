using SecurityKit.Stores.Tokens;
using SecurityKit.Primitives;
using SecurityKit.Events;
using SecurityKit.Tokens.RefreshTokens;
using static SecurityKit.Tokens.Tests.TestKit;

namespace SecurityKit.Tokens.Tests.RefreshTokens;

public sealed class RefreshTokenServiceTests
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = Clock();
    private readonly EventCollector _events = new();
    private readonly InMemoryRefreshTokenStore _store = new();
    private readonly RefreshTokenService _service;

    public RefreshTokenServiceTests() =>
        _service = new RefreshTokenService(_store, new RefreshTokenOptions { GraceWindow = TimeSpan.FromSeconds(10) }, _clock, _events.Publisher(_clock));

    [Fact]
    public async Task Issue_ReturnsOpaque256BitTokenInNewFamily()
    {
        var issued = await _service.IssueAsync("user-1", "sid-1");

        issued.Token.Should().MatchRegex("^[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$");
        issued.Token.Should().StartWith(issued.Family.FamilyId + ".");
        issued.ToString().Should().NotContain(issued.Token[23..]);
        issued.Family.UserId.Should().Be("user-1");
        issued.Family.AbsoluteExpiresAt.Should().Be(Start.AddDays(30));
        (await _store.GetFamilyAsync(issued.Family.FamilyId))!.SessionId.Should().Be("sid-1");
    }

    [Fact]
    public async Task RevokeFamily_OfAnotherUser_RefusedAndFamilyStaysActive()
    {
        var alice = await _service.IssueAsync("alice");
        var bob = await _service.IssueAsync("bob");

        (await _service.RevokeFamilyAsync("bob", alice.Family.FamilyId)).Should().BeFalse("bob does not own alice's family");
        (await _service.RefreshAsync(alice.Token)).Status.Should().Be(RefreshStatus.Refreshed);

        (await _service.RevokeFamilyAsync("bob", bob.Family.FamilyId)).Should().BeTrue();
        (await _service.RefreshAsync(bob.Token)).Status.Should().Be(RefreshStatus.Revoked);
    }

    [Fact]
    public async Task RevokeFamily_ByAUserWithoutFamilies_OrWithOthers_OnlyTheOwnersOwnCount()
    {
        // "Is this family one of the caller's" must be a membership test: a caller with no families at all (or with
        // several) was not covered, and a vacuous "all of the caller's families are this one" would pass for them.
        var alice = await _service.IssueAsync("alice");
        var carol1 = await _service.IssueAsync("carol");
        var carol2 = await _service.IssueAsync("carol");

        (await _service.RevokeFamilyAsync("nobody", alice.Family.FamilyId)).Should().BeFalse("a user without families owns none");
        (await _service.RevokeFamilyAsync("carol", alice.Family.FamilyId)).Should().BeFalse();
        (await _service.RefreshAsync(alice.Token)).Status.Should().Be(RefreshStatus.Refreshed);

        (await _service.RevokeFamilyAsync("carol", carol2.Family.FamilyId)).Should().BeTrue("one of carol's two families");
        (await _service.RefreshAsync(carol2.Token)).Status.Should().Be(RefreshStatus.Revoked);
        (await _service.RefreshAsync(carol1.Token)).Status.Should().Be(RefreshStatus.Refreshed);
    }

    [Fact]
    public async Task Issue_SecretsAreRandomAndDistinct()
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 200; i++)
        {
            var token = (await _service.IssueAsync("user-" + (i % 7))).Token;
            var secret = token[23..];
            secrets.Add(secret).Should().BeTrue("every token carries a fresh 256-bit secret");
            Base64Url.TryDecode(secret, out var bytes).Should().BeTrue();
            bytes!.Should().Contain(b => b != 0);
        }
    }

    [Fact]
    public async Task Issue_StoredHashFormat_IsPinned()
    {
        // Stores keep these hashes for a family's whole life (30 days): the layout must not change between releases.
        // SHA-256("SecurityKit.RefreshToken.v1" 0x00 family id (ASCII) 0x00 secret (32 bytes)), computed here.
        var capture = new CapturingStore(_store);
        var service = new RefreshTokenService(capture, new RefreshTokenOptions(), _clock, _events.Publisher(_clock));
        var issued = await service.IssueAsync("user-1");

        var familyId = issued.Token[..22];
        Base64Url.TryDecode(issued.Token.AsSpan(23), out var secret).Should().BeTrue();
        byte[] input = [.. "SecurityKit.RefreshToken.v1"u8, 0, .. System.Text.Encoding.ASCII.GetBytes(familyId), 0, .. secret!];
        capture.Created!.Value.TokenHash.ToArray().Should().Equal(System.Security.Cryptography.SHA256.HashData(input));
    }

    private sealed class CapturingStore(RefreshTokenStore inner) : ForwardingRefreshTokenStore(inner)
    {
        public SecurityKit.Stores.Tokens.RefreshTokenFamilyCreation? Created { get; private set; }

        protected override ValueTask<bool> CreateFamilyCoreAsync(SecurityKit.Stores.Tokens.RefreshTokenFamilyCreation family, CancellationToken cancellationToken)
        {
            Created = family;
            return base.CreateFamilyCoreAsync(family, cancellationToken);
        }
    }

    [Fact]
    public async Task Refresh_CurrentToken_ReturnsNewTokenAndRetiresOld()
    {
        var issued = await _service.IssueAsync("user-1");

        var first = await _service.RefreshAsync(issued.Token);

        first.Status.Should().Be(RefreshStatus.Refreshed);
        first.Token.Should().NotBe(issued.Token).And.StartWith(issued.Family.FamilyId + ".");
        first.Family!.UserId.Should().Be("user-1");
        first.ToString().Should().NotContain(first.Token!);
        (await _service.RefreshAsync(first.Token)).Status.Should().Be(RefreshStatus.Refreshed);
    }

    [Fact]
    public async Task Refresh_PreviousTokenWithinGrace_ReturnsSameSuccessor()
    {
        var issued = await _service.IssueAsync("user-1");
        var first = await _service.RefreshAsync(issued.Token);
        _clock.Advance(TimeSpan.FromSeconds(5));

        var again = await _service.RefreshAsync(issued.Token);

        again.Status.Should().Be(RefreshStatus.GraceReplay);
        again.Token.Should().Be(first.Token);
        _events.Events.Should().ContainSingle(e => e.Name == TokenEventNames.RefreshGraceReplay);
        (await _service.RefreshAsync(first.Token)).Status.Should().Be(RefreshStatus.Refreshed);
    }

    [Fact]
    public async Task Refresh_RotatedTokenAfterGrace_RevokesFamilyAndPublishesCriticalEvent()
    {
        var issued = await _service.IssueAsync("user-1");
        var first = await _service.RefreshAsync(issued.Token, "203.0.113.9");
        _clock.Advance(TimeSpan.FromSeconds(11));

        var reuse = await _service.RefreshAsync(issued.Token, "198.51.100.7");

        reuse.Status.Should().Be(RefreshStatus.ReuseDetected);
        reuse.Token.Should().BeNull();
        (await _service.RefreshAsync(first.Token)).Status.Should().Be(RefreshStatus.Revoked);
        var critical = _events.Events.Should().ContainSingle(e => e.Name == TokenEventNames.RefreshReuseDetected).Subject;
        critical.Severity.Should().Be(SecurityEventSeverity.Critical);
        critical.UserId.Should().Be("user-1");
        critical.ClientIp.Should().Be("198.51.100.7");
        _events.Events.Should().Contain(e => e.Name == TokenEventNames.RefreshRevokedFamilyUsed);
        AssertNoTokenIn(_events.Events, issued.Token, first.Token!);
    }

    [Fact]
    public async Task Refresh_ParallelRequestsWithSameToken_AllGetTheSameSuccessor()
    {
        var issued = await _service.IssueAsync("user-1");

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await _service.RefreshAsync(issued.Token))));

        results.Should().AllSatisfy(r => r.Succeeded.Should().BeTrue());
        results.Count(r => r.Status == RefreshStatus.Refreshed).Should().Be(1);
        results.Select(r => r.Token).Distinct().Should().HaveCount(1);
        (await _store.GetFamilyAsync(issued.Family.FamilyId))!.Generation.Should().Be(1);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public async Task Refresh_Malformed_IsInvalidWithoutStoreAccess(string? token) =>
        (await _service.RefreshAsync(token)).Status.Should().Be(RefreshStatus.Invalid);

    [Fact]
    public async Task Refresh_GuessedSecretForRealFamily_IsInvalidAndDoesNotRevoke()
    {
        var issued = await _service.IssueAsync("user-1");
        var forged = issued.Family.FamilyId + "." + SecurityKit.Primitives.SecureRandom.GetToken();

        (await _service.RefreshAsync(forged)).Status.Should().Be(RefreshStatus.Invalid);
        (await _service.RefreshAsync(issued.Token)).Status.Should().Be(RefreshStatus.Refreshed);
    }

    [Fact]
    public async Task RevokeFamily_ByItsOwner_AfterItExpiredHere_StillMarksItRevoked()
    {
        // Found in review: ownership was checked against the user's *active* families, so a family expired by this
        // instance's clock was never marked revoked, and an instance whose clock lags could still exchange its token.
        var issued = await _service.IssueAsync("user-1");
        var other = await _service.IssueAsync("user-2");
        _clock.Advance(TimeSpan.FromDays(7));

        (await _service.RevokeFamilyAsync("user-2", issued.Family.FamilyId)).Should().BeFalse("not user-2's family");
        (await _store.GetFamilyAsync(issued.Family.FamilyId))!.IsRevoked.Should().BeFalse();
        (await _service.RevokeFamilyAsync("user-1", issued.Family.FamilyId)).Should().BeFalse("it was no longer active, so it is not counted");
        (await _store.GetFamilyAsync(issued.Family.FamilyId))!.IsRevoked.Should().BeTrue("but it is marked revoked");
        (await _store.GetFamilyAsync(other.Family.FamilyId))!.IsRevoked.Should().BeFalse();

        var lagging = await _store.RotateAsync(new RefreshTokenRotation(issued.Family.FamilyId, Hash(issued.Token), new byte[RefreshTokenStore.HashSize], new byte[60], Start.AddMinutes(1), TimeSpan.Zero));
        lagging.Status.Should().Be(RefreshTokenRotationStatus.Revoked, "an instance whose clock lags must not exchange it");
    }

    /// <summary>The stored hash of a token, rebuilt from the documented layout (see Issue_StoredHashFormat_IsPinned).</summary>
    private static byte[] Hash(string token)
    {
        Base64Url.TryDecode(token.AsSpan(23), out var secret).Should().BeTrue();
        byte[] input = [.. "SecurityKit.RefreshToken.v1"u8, 0, .. System.Text.Encoding.ASCII.GetBytes(token[..22]), 0, .. secret!];
        return System.Security.Cryptography.SHA256.HashData(input);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a family id")]
    [InlineData("toolong-toolong-toolong-toolong-toolong-toolong-toolong-toolong-toolong")]
    public async Task RevokeFamily_MalformedIdFromARequest_IsFalse(string familyId) =>
        (await _service.RevokeFamilyAsync("user-1", familyId)).Should().BeFalse();

    [Fact]
    public async Task Refresh_AfterIdleTimeout_IsExpired()
    {
        var issued = await _service.IssueAsync("user-1");
        _clock.Advance(TimeSpan.FromDays(7));
        (await _service.RefreshAsync(issued.Token)).Status.Should().Be(RefreshStatus.Expired);
    }

    [Fact]
    public async Task IsActive_AfterIdleTimeoutOrAbsoluteExpiry_IsFalse()
    {
        var idle = await _service.IssueAsync("user-1");
        (await _service.IsActiveAsync(idle.Family.FamilyId)).Should().BeTrue();
        _clock.Advance(TimeSpan.FromDays(7));
        (await _service.IsActiveAsync(idle.Family.FamilyId)).Should().BeFalse("idle for the whole idle timeout");

        var used = await _service.IssueAsync("user-1");
        var token = used.Token;
        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromDays(6));
            (await _service.IsActiveAsync(used.Family.FamilyId)).Should().BeTrue($"used every 6 days, day {(6 * i) + 6}");
            token = (await _service.RefreshAsync(token)).Token ?? token;
        }

        _clock.Advance(TimeSpan.FromDays(6));
        (await _service.IsActiveAsync(used.Family.FamilyId)).Should().BeFalse("day 30: the absolute lifetime is over, however recently it was used");
    }

    [Fact]
    public async Task Refresh_GraceReplayWithASuccessorThatDoesNotDecrypt_IsInvalidNotAnException()
    {
        // The successor blob is encrypted under a key derived from the previous token: one that does not decrypt (a store
        // bug, or someone who can write to the store) must fail the request, not throw out of RefreshAsync.
        var service = new RefreshTokenService(new GarbageSuccessorStore(_store), new RefreshTokenOptions { GraceWindow = TimeSpan.FromSeconds(10) }, _clock, _events.Publisher(_clock));
        var issued = await service.IssueAsync("user-1");
        (await service.RefreshAsync(issued.Token)).Status.Should().Be(RefreshStatus.Refreshed);
        _clock.Advance(TimeSpan.FromSeconds(1));

        var replay = await service.RefreshAsync(issued.Token);

        replay.Status.Should().Be(RefreshStatus.Invalid);
        replay.Token.Should().BeNull();
    }

    private sealed class GarbageSuccessorStore(RefreshTokenStore inner) : ForwardingRefreshTokenStore(inner)
    {
        protected override async ValueTask<RefreshTokenRotationResult> RotateCoreAsync(RefreshTokenRotation rotation, CancellationToken cancellationToken)
        {
            var result = await Inner.RotateAsync(rotation, cancellationToken);
            return result.Status == RefreshTokenRotationStatus.GraceReplay
                ? result with { ProtectedSuccessor = System.Security.Cryptography.RandomNumberGenerator.GetBytes(60) }
                : result;
        }
    }

    [Fact]
    public async Task Refresh_UsedWeekly_ExpiresAtAbsoluteLifetime()
    {
        var token = (await _service.IssueAsync("user-1")).Token;
        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromDays(6));
            token = (await _service.RefreshAsync(token)).Token!;
            token.Should().NotBeNull();
        }

        _clock.Advance(TimeSpan.FromDays(6));
        (await _service.RefreshAsync(token)).Status.Should().Be(RefreshStatus.Expired);
    }

    [Fact]
    public async Task RevokeFamily_And_RevokeUser_And_List()
    {
        var a = await _service.IssueAsync("alice", "laptop");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var b = await _service.IssueAsync("alice", "phone");
        var c = await _service.IssueAsync("bob");

        (await _service.ListFamiliesAsync("alice")).Select(f => f.SessionId).Should().Equal("laptop", "phone");
        (await _service.RevokeFamilyAsync(a.Family.FamilyId)).Should().BeTrue();
        (await _service.RefreshAsync(a.Token)).Status.Should().Be(RefreshStatus.Revoked);
        (await _service.ListFamiliesAsync("alice")).Select(f => f.SessionId).Should().Equal("phone");
        (await _service.RevokeUserAsync("alice")).Should().Be(1);
        (await _service.RefreshAsync(b.Token)).Status.Should().Be(RefreshStatus.Revoked);
        (await _service.RefreshAsync(c.Token)).Status.Should().Be(RefreshStatus.Refreshed);
        _events.Events.Should().Contain(e => e.Name == TokenEventNames.RefreshFamilyRevoked).And.Contain(e => e.Name == TokenEventNames.RefreshUserRevoked);
    }

    [Fact]
    public async Task Issue_BeyondMaxFamiliesPerUser_RevokesThatUsersLeastRecentlyUsedFamilies()
    {
        // One account signing in over and over used to fill the store (the in-memory store then evicted other users).
        var service = new RefreshTokenService(_store, new RefreshTokenOptions { MaxFamiliesPerUser = 3 }, _clock, _events.Publisher(_clock));
        var first = await service.IssueAsync("flood");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = await service.IssueAsync("flood");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var third = await service.IssueAsync("flood");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var used = await service.RefreshAsync(first.Token); // the first device is in use: the second is now the least recently used
        var other = await service.IssueAsync("someone-else");

        for (var i = 0; i < 20; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await service.IssueAsync("flood");
        }

        (await service.ListFamiliesAsync("flood")).Should().HaveCount(3);
        (await service.RefreshAsync(second.Token)).Status.Should().Be(RefreshStatus.Revoked);
        (await service.RefreshAsync(third.Token)).Status.Should().Be(RefreshStatus.Revoked);
        (await service.RefreshAsync(used.Token)).Status.Should().Be(RefreshStatus.Revoked, "twenty newer sign-ins pushed it out too");
        (await service.RefreshAsync(other.Token)).Status.Should().Be(RefreshStatus.Refreshed, "another user's families are never touched");
        _events.Events.Count(e => e.Name == TokenEventNames.RefreshFamilyRevoked && e.Reason == "family_limit").Should().Be(20);
    }

    [Fact]
    public async Task Issue_ConcurrentSignInsOverTheCap_SettleAtTheCap()
    {
        var service = new RefreshTokenService(_store, new RefreshTokenOptions { MaxFamiliesPerUser = 5 }, _clock, _events.Publisher(_clock));
        var issued = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await service.IssueAsync("parallel"))));

        issued.Select(i => i.Family.FamilyId).Should().OnlyHaveUniqueItems();
        var families = await service.ListFamiliesAsync("parallel");
        families.Count.Should().BeGreaterThanOrEqualTo(5, "a sign-in only revokes families older than its own: never below the cap");
        var newest = issued.Select(i => i.Family).OrderBy(f => f.CreatedAt).ThenBy(f => f.FamilyId, StringComparer.Ordinal).Last();
        families.Select(f => f.FamilyId).Should().Contain(newest.FamilyId, "the newest family always survives");
        _clock.Advance(TimeSpan.FromMilliseconds(1)); // a later sign-in (the 50 above share one instant; ties go by id)
        await service.IssueAsync("parallel");
        (await service.ListFamiliesAsync("parallel")).Should().HaveCount(5, "the next sign-in sees every family and trims to the cap");
    }

    [Fact]
    public async Task Issue_TwoConcurrentSignInsWithCapOne_NeitherRevokesTheOther()
    {
        // Both created, then both listed {a, b}: each revoked the other's brand-new family and both callers held dead
        // tokens (found in review). Now only older families are candidates, so the newer one survives.
        var gate = new ListGateStore(_store);
        var service = new RefreshTokenService(gate, new RefreshTokenOptions { MaxFamiliesPerUser = 1 }, _clock, _events.Publisher(_clock));
        var first = service.IssueAsync("pair").AsTask();
        var second = service.IssueAsync("pair").AsTask();
        var tokens = await Task.WhenAll(first, second);

        var outcomes = new List<RefreshStatus>();
        foreach (var t in tokens)
        {
            outcomes.Add((await service.RefreshAsync(t.Token)).Status);
        }

        outcomes.Should().Contain(RefreshStatus.Refreshed, "at least the newer sign-in keeps its family");
        (await service.ListFamiliesAsync("pair")).Should().HaveCount(1);
    }

    /// <summary>Holds every listing until both families exist, so the two sign-ins see each other's family.</summary>
    private sealed class ListGateStore(SecurityKit.Stores.Tokens.RefreshTokenStore inner) : ForwardingRefreshTokenStore(inner)
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _created;

        protected override async ValueTask<bool> CreateFamilyCoreAsync(SecurityKit.Stores.Tokens.RefreshTokenFamilyCreation family, CancellationToken cancellationToken)
        {
            var created = await base.CreateFamilyCoreAsync(family, cancellationToken);
            if (Interlocked.Increment(ref _created) == 2)
            {
                _open.TrySetResult();
            }

            return created;
        }

        protected override async ValueTask<IReadOnlyList<SecurityKit.Stores.Tokens.RefreshTokenFamily>> ListUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            await _open.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            return await base.ListUserFamiliesCoreAsync(userId, now, cancellationToken);
        }
    }

    [Fact]
    public async Task Issue_StoreFailsWhileTrimming_SignInStillSucceeds()
    {
        var service = new RefreshTokenService(new FailingListStore(_store), new RefreshTokenOptions { MaxFamiliesPerUser = 1 }, _clock, _events.Publisher(_clock));

        var issued = await service.IssueAsync("flaky");

        (await service.RefreshAsync(issued.Token)).Status.Should().Be(RefreshStatus.Refreshed);
        _events.Events.Should().Contain(e => e.Name == TokenEventNames.RefreshFamilyRevoked && e.Reason == "family_limit_failed");
    }

    private sealed class FailingListStore(SecurityKit.Stores.Tokens.RefreshTokenStore inner) : ForwardingRefreshTokenStore(inner)
    {
        protected override ValueTask<IReadOnlyList<SecurityKit.Stores.Tokens.RefreshTokenFamily>> ListUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken) =>
            throw new TimeoutException("The store did not answer.");
    }

    [Fact]
    public void Constructor_MaxFamiliesPerUserOutOfRange_Throws()
    {
        FluentActions.Invoking(() => new RefreshTokenService(_store, new RefreshTokenOptions { MaxFamiliesPerUser = 0 })).Should().Throw<ArgumentException>().WithMessage("*MaxFamiliesPerUser*");
        FluentActions.Invoking(() => new RefreshTokenService(_store, new RefreshTokenOptions { MaxFamiliesPerUser = 10_001 })).Should().Throw<ArgumentException>().WithMessage("*MaxFamiliesPerUser*");
    }

    [Fact]
    public void Constructor_GraceAboveMaximum_Throws()
    {
        var create = () => new RefreshTokenService(_store, new RefreshTokenOptions { GraceWindow = TimeSpan.FromMinutes(5) });
        create.Should().Throw<ArgumentException>().WithMessage("*GraceWindow*");
    }

    private static void AssertNoTokenIn(IEnumerable<SecurityEvent> events, params string[] tokens)
    {
        foreach (var e in events)
        {
            var text = string.Join("|", e.Name, e.Reason, e.UserId, e.ClientIp, string.Join(",", e.Properties?.Select(p => p.Key + "=" + p.Value) ?? []));
            foreach (var token in tokens)
            {
                text.Should().NotContain(token[23..]);
            }
        }
    }
}
