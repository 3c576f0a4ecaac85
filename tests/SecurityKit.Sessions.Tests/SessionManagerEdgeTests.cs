using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;
using SecurityKit.Fingerprinting.Devices;
using SecurityKit.Keys;
using SecurityKit.Primitives;
using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions.Tests;

/// <summary>
/// Edges that mutation testing found unpinned: the token and id-hash layouts (what the store holds), the exact idle
/// boundary, a session older than the user's token version, the events' reasons, and the length limits.
/// </summary>
public sealed class SessionManagerEdgeTests
{
    private const string ChromeUa = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string FirefoxUa = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
    private readonly SessionManagerTests.CollectingSink _sink = new();
    private readonly SecretKeyRing _keys = SecretKeyRing.FromRootKey("k1", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private readonly InMemorySessionStore _memory;

    public SessionManagerEdgeTests() => _memory = new InMemorySessionStore(new InMemorySessionStoreOptions(), _time);

    private SessionManager Manager(ISessionStore? store = null, SessionOptions? options = null, ISecretKeyRing? keys = null) =>
        new(options ?? new SessionOptions(), store ?? _memory, keys ?? _keys, _time, new SecurityEventPublisher([_sink], _time));

    private static SessionContext Context(string ip, string ua = ChromeUa) => new()
    {
        IpAddress = IPAddress.Parse(ip),
        Device = new DeviceFingerprintInput { UserAgent = ua, AcceptLanguage = "en-GB", AcceptEncoding = "gzip" },
    };

    [Fact]
    public async Task Token_AndStoredIdHash_FollowTheDocumentedLayout()
    {
        // Rebuilt here from the layout, independently of SessionToken: a change would strand every stored session.
        var created = await Manager().CreateAsync("alice");
        var parts = created.Token!.Split('.');
        parts[0].Should().Be("s1");
        parts[1].Should().Be("k1");
        var partition = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes("SecurityKit.Sessions.partition.v1\0alice")).AsSpan(0, 12));
        parts[2].Should().Be(partition);

        Base64Url.TryDecode(parts[3], out var secret).Should().BeTrue();
        secret.Should().HaveCount(32);
        var key = _keys.GetActiveKey(KeyPurposes.TokenHashing).Material.ToArray();
        byte[] input = [.. "SecurityKit.Sessions.id.v1\0"u8, .. Encoding.ASCII.GetBytes(partition), 0, .. secret];
        var idHash = Base64Url.Encode(HMACSHA256.HashData(key, input));

        var stored = (await _memory.ListAsync(partition, "alice", _time.GetUtcNow())).Single();
        stored.IdHash.Should().Be(idHash);
        created.Session!.SessionId.Should().Be(idHash);
    }

    [Fact]
    public async Task Token_LongestKeyId_IsAcceptedAtTheLengthLimit()
    {
        var keyId = new string('k', SecretKey.MaximumKeyIdLength);
        var keys = SecretKeyRing.FromRootKey(keyId, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var manager = Manager(keys: keys);
        var token = (await manager.CreateAsync("alice")).Token!;

        token.Length.Should().Be(SessionToken.MaxLength);
        (await manager.ValidateAsync(token)).IsValid.Should().BeTrue();
        (await manager.ValidateAsync(token + "A")).Status.Should().Be(SessionValidationStatus.Malformed);
    }

    [Fact]
    public async Task Validate_ExactlyAtTheIdleTimeout_IsExpired()
    {
        var manager = Manager();
        var atBoundary = (await manager.CreateAsync("alice")).Token!;
        var justBefore = (await manager.CreateAsync("alice")).Token!;

        _time.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(1));
        (await manager.ValidateAsync(justBefore)).IsValid.Should().BeTrue();
        _time.Advance(TimeSpan.FromTicks(1));
        (await manager.ValidateAsync(atBoundary)).Status.Should().Be(SessionValidationStatus.IdleExpired);
    }

    [Fact]
    public async Task Validate_SessionOlderThanTheUsersTokenVersion_IsRevokedAndWarns()
    {
        // A store that revoked by bumping the user's version alone (Redis's revoke-all fallback) leaves the record
        // unmarked: the version must decide.
        var store = new VersionBumpingStore(_memory);
        var manager = Manager(store);
        var token = (await manager.CreateAsync("alice")).Token!;
        store.Bump = 1;

        (await manager.ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.Revoked);
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.RevokedSessionUsed).Which.Reason.Should().Be("revoked_all");
        (await manager.RotateAsync(token)).Status.Should().Be(SessionIssueStatus.NotValid);

        store.Bump = 0;
        (await manager.ValidateAsync(token)).IsValid.Should().BeTrue("the same record under its own version is current");
    }

    [Fact]
    public async Task Validate_RevokedByItsOwnSignOut_WarnsWithReasonRevoked()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice")).Token!;
        (await manager.RevokeAsync(token)).Should().BeTrue();
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.Revoked && e.UserId == "alice");

        (await manager.ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.Revoked);
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.RevokedSessionUsed).Which.Reason.Should().Be("revoked");
        (await manager.RevokeAsync(token)).Should().BeFalse();
        _sink.Events.Count(e => e.Name == SessionEventNames.Revoked).Should().Be(1, "nothing was revoked the second time");
    }

    [Fact]
    public async Task Revoke_WellFormedButUnknownOrRetiredKeyToken_FalseWithoutThrowing()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice")).Token!;
        var parts = token.Split('.');
        var unknown = string.Join('.', parts[0], parts[1], parts[2], Base64Url.Encode(new byte[32]));
        (await manager.RevokeAsync(unknown)).Should().BeFalse();

        var other = SecretKeyRing.FromRootKey("k2", Enumerable.Range(50, 32).Select(i => (byte)i).ToArray());
        (await Manager(keys: other).RevokeAsync(token)).Should().BeFalse();
        (await manager.ValidateAsync(token)).IsValid.Should().BeTrue();
        _sink.Events.Should().NotContain(e => e.Name == SessionEventNames.Revoked);
    }

    [Fact]
    public async Task Revoke_WithARotatedOutToken_EndsTheSessionsThatReplacedIt()
    {
        var manager = Manager();
        var first = (await manager.CreateAsync("alice")).Token!;
        var second = (await manager.RotateAsync(first)).Token!;
        var third = (await manager.RotateAsync(second)).Token!;
        var other = (await manager.CreateAsync("alice")).Token!;

        (await manager.RevokeAsync(first)).Should().BeTrue("the session it was rotated into was active");

        (await manager.ValidateAsync(third)).Status.Should().Be(SessionValidationStatus.Revoked);
        (await manager.ValidateAsync(other)).IsValid.Should().BeTrue("another session of the user is not part of the chain");
        (await manager.RevokeAsync(second)).Should().BeFalse("nothing left to revoke");
    }

    [Fact]
    public async Task Revoke_ThatReadTheTokenBeforeARacingRotation_StillEndsTheRotatedSession()
    {
        // The sign-out reads the token while it is active; a rotation commits before the sign-out's revoke; the revoke
        // then finds it revoked. The sign-out must look again and end the session the rotation created.
        var store = new HookStore(_memory);
        var manager = Manager(store);
        var token = (await manager.CreateAsync("alice")).Token!;
        string? rotated = null;
        store.BeforeRevoke = async () => rotated = (await manager.RotateAsync(token)).Token;

        (await manager.RevokeAsync(token)).Should().BeTrue();

        rotated.Should().NotBeNull("the rotation ran between the sign-out's read and its revoke");
        (await manager.ValidateAsync(rotated)).Status.Should().Be(SessionValidationStatus.Revoked);
    }

    [Fact]
    public async Task Revoke_RacingARotationOneHopFurther_StillEndsTheNewestSession()
    {
        // A was rotated to B; the sign-out presents A while another request rotates B to C between the sign-out's read of
        // B and its revoke of B.
        var store = new HookStore(_memory);
        var manager = Manager(store);
        var a = (await manager.CreateAsync("alice")).Token!;
        var b = (await manager.RotateAsync(a)).Token!;
        string? c = null;
        store.RevokesBeforeHook = 1; // the revoke of A (already rotated) goes first
        store.BeforeRevoke = async () => c = (await manager.RotateAsync(b)).Token;

        (await manager.RevokeAsync(a)).Should().BeTrue();

        c.Should().NotBeNull();
        (await manager.ValidateAsync(c)).Status.Should().Be(SessionValidationStatus.Revoked);
    }

    [Fact]
    public async Task Revoke_WithATokenRotatedOutLongAgo_LeavesTheCurrentSession()
    {
        // A token rotated out more than the follow window ago (e.g. stolen before a step-up) must not sign the user out.
        var manager = Manager();
        var old = (await manager.CreateAsync("alice")).Token!;
        var current = (await manager.RotateAsync(old)).Token!;
        _time.Advance(SessionManager.ReplacementFollowWindow + TimeSpan.FromTicks(1));

        (await manager.RevokeAsync(old)).Should().BeFalse();
        (await manager.ValidateAsync(current)).IsValid.Should().BeTrue();

        var fresh = (await manager.RotateAsync(current)).Token!;
        _time.Advance(SessionManager.ReplacementFollowWindow);
        (await manager.RevokeAsync(current)).Should().BeTrue("exactly at the end of the window it still follows");
        (await manager.ValidateAsync(fresh)).Status.Should().Be(SessionValidationStatus.Revoked);
    }

    [Fact]
    public async Task Revoke_FollowsAtMostTheDocumentedNumberOfRotations()
    {
        var manager = Manager();
        var tokens = new List<string> { (await manager.CreateAsync("alice")).Token! };
        for (var i = 0; i < SessionManager.MaxReplacementsFollowed + 1; i++)
        {
            tokens.Add((await manager.RotateAsync(tokens[^1])).Token!);
        }

        (await manager.RevokeAsync(tokens[0])).Should().BeFalse("the current session is one rotation too far");
        (await manager.ValidateAsync(tokens[^1])).IsValid.Should().BeTrue();
        (await manager.RevokeAsync(tokens[1])).Should().BeTrue();
        (await manager.ValidateAsync(tokens[^1])).Status.Should().Be(SessionValidationStatus.Revoked);
    }

    [Fact]
    public async Task Create_Eviction_PublishesHowManyWereEvicted()
    {
        var manager = Manager(options: new SessionOptions { MaxSessionsPerUser = 1 });
        await manager.CreateAsync("alice", Context("203.0.113.5"));
        _sink.Events.Should().NotContain(e => e.Name == SessionEventNames.Evicted);
        await manager.CreateAsync("alice", Context("203.0.113.6"));

        var evicted = _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.Evicted).Which;
        evicted.Reason.Should().Be("session_limit");
        evicted.ClientIp.Should().Be("203.0.113.6");
        evicted.Properties.Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, string?>("count", "1"));
    }

    [Fact]
    public async Task Create_RefusedOrStoreFull_EventsSayWhy()
    {
        var refusing = Manager(options: new SessionOptions { MaxSessionsPerUser = 1, LimitMode = SessionLimitMode.RefuseNew });
        await refusing.CreateAsync("alice");
        (await refusing.CreateAsync("alice")).Status.Should().Be(SessionIssueStatus.LimitReached);
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.LimitReached).Which.Reason.Should().Be("session_limit");

        var full = Manager(new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 1 }, _time));
        await full.CreateAsync("bob");
        (await full.CreateAsync("carol")).Status.Should().Be(SessionIssueStatus.StoreFull);
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.StoreFull).Which.Should().BeEquivalentTo(new { UserId = "carol", Reason = "store_full", Severity = SecurityEventSeverity.Warning });
    }

    [Fact]
    public async Task Rotate_WithoutContext_KeepsAddressAndDevice_AndTheEventNamesTheKnownAddress()
    {
        var manager = Manager();
        var created = await manager.CreateAsync("alice", Context("203.0.113.5"));

        var rotated = await manager.RotateAsync(created.Token);

        rotated.Session!.IpAddress.Should().Be("203.0.113.5");
        rotated.Session.DeviceSummary.Should().Be(created.Session!.DeviceSummary);
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.Rotated).Which.ClientIp.Should().Be("203.0.113.5");
        var stored = (await _memory.ListAsync(SessionToken.Partition("alice"), "alice", _time.GetUtcNow())).Single();
        stored.Fingerprint.Should().StartWith("v2.k1.", "the device's fingerprint was kept");
    }

    [Fact]
    public async Task Rotate_WithANewDevice_ReplacesFingerprintAndSummary()
    {
        var manager = Manager();
        var created = await manager.CreateAsync("alice", Context("203.0.113.5"));
        var before = (await _memory.ListAsync(SessionToken.Partition("alice"), "alice", _time.GetUtcNow())).Single().Fingerprint;

        var rotated = await manager.RotateAsync(created.Token, Context("203.0.113.5", FirefoxUa));

        rotated.Session!.DeviceSummary.Should().Be("Firefox 133 on Linux (desktop)");
        var stored = (await _memory.ListAsync(SessionToken.Partition("alice"), "alice", _time.GetUtcNow())).Single();
        stored.Fingerprint.Should().NotBe(before).And.StartWith("v2.k1.");
        stored.DeviceSummary.Should().Be("Firefox 133 on Linux (desktop)");
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.DeviceChanged).Which.Reason.Should().Be("device_changed");
    }

    [Fact]
    public async Task Create_DeviceWithoutAddress_StoresTheDeviceOnly()
    {
        var manager = Manager();
        var created = await manager.CreateAsync("alice", new SessionContext { Device = new DeviceFingerprintInput { UserAgent = ChromeUa } });

        created.Session!.IpAddress.Should().BeNull();
        created.Session.DeviceSummary.Should().Be("Chrome 120 on Windows (desktop)");
        (await manager.ValidateAsync(created.Token, Context("198.51.100.7"))).Warnings.Should().NotHaveFlag(SessionWarnings.IpChanged, "there is no earlier address to compare with");
    }

    [Fact]
    public async Task Validate_AnotherNetwork_EventNamesTheReason()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        _time.Advance(TimeSpan.FromMinutes(2));
        await manager.ValidateAsync(token, Context("198.51.100.7"));
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.IpChanged).Which.Reason.Should().Be("ip_network_changed");
    }

    [Fact]
    public async Task Anomaly_FromATokenHolderWhoNeverRecordsAUse_IsStillReported_OncePerInterval()
    {
        // The owner (home network) records the uses; the token holder (another network) always comes 10 s after the
        // owner, inside the touch interval, so none of its requests records a use. It used to be reported only by the
        // request that recorded a use: never, here.
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        for (var minute = 0; minute < 5; minute++)
        {
            _time.Advance(TimeSpan.FromSeconds(50));
            (await manager.ValidateAsync(token, Context("203.0.113.5"))).Warnings.Should().Be(SessionWarnings.None);
            _time.Advance(TimeSpan.FromSeconds(10));
            (await manager.ValidateAsync(token, Context("198.51.100.7"))).Warnings.Should().HaveFlag(SessionWarnings.IpChanged);
            (await manager.ValidateAsync(token, Context("198.51.100.7", FirefoxUa))).Warnings.Should().HaveFlag(SessionWarnings.DeviceChanged);
        }

        _sink.Events.Count(e => e.Name == SessionEventNames.IpChanged).Should().Be(5, "one per touch interval (1 min)");
        _sink.Events.Count(e => e.Name == SessionEventNames.DeviceChanged).Should().Be(5);
    }

    [Fact]
    public async Task Anomaly_BurstWithoutAnyTouch_OneEventPerKind()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        _time.Advance(TimeSpan.FromSeconds(5)); // inside the touch interval: no request records a use

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await manager.ValidateAsync(token, Context("198.51.100.7", FirefoxUa)))));

        results.Should().OnlyContain(r => r.Warnings.HasFlag(SessionWarnings.IpChanged) && r.Warnings.HasFlag(SessionWarnings.DeviceChanged));
        _sink.Events.Count(e => e.Name == SessionEventNames.IpChanged).Should().Be(1);
        _sink.Events.Count(e => e.Name == SessionEventNames.DeviceChanged).Should().Be(1);
        _time.Advance(TimeSpan.FromSeconds(59));
        await manager.ValidateAsync(token, Context("198.51.100.7", FirefoxUa));
        _sink.Events.Count(e => e.Name == SessionEventNames.IpChanged).Should().Be(1, "59 s after the first report");
        _time.Advance(TimeSpan.FromSeconds(1));
        await manager.ValidateAsync(token, Context("198.51.100.7", FirefoxUa));
        _sink.Events.Count(e => e.Name == SessionEventNames.IpChanged).Should().Be(2, "a minute after the first report");
    }

    [Fact]
    public async Task Anomaly_TableFull_FallsBackToTheValidationThatRecordsAUse()
    {
        // Memory stays bounded: with MaxTrackedAnomalies live entries, a new session's anomaly is published only by the
        // request that records a use (the behaviour before the table), never by every request.
        var manager = Manager(new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = SessionManager.MaxTrackedAnomalies + 10, MaxSessionsPerUser = 10 }, _time));
        for (var i = 0; i < SessionManager.MaxTrackedAnomalies; i++)
        {
            var t = (await manager.CreateAsync("u" + i, Context("203.0.113.5"))).Token!;
            await manager.ValidateAsync(t, Context("198.51.100.7"));
        }

        _sink.Events.Count(e => e.Name == SessionEventNames.IpChanged).Should().Be(SessionManager.MaxTrackedAnomalies);
        var token = (await manager.CreateAsync("late", Context("203.0.113.5"))).Token!;
        for (var i = 0; i < 3; i++)
        {
            await manager.ValidateAsync(token, Context("198.51.100.7"));
        }

        _sink.Events.Count(e => e.Name == SessionEventNames.IpChanged && e.UserId == "late").Should().Be(0, "the table is full and no request recorded a use");
        _time.Advance(TimeSpan.FromMinutes(1));
        await manager.ValidateAsync(token, Context("198.51.100.7"));
        _sink.Events.Count(e => e.Name == SessionEventNames.IpChanged && e.UserId == "late").Should().Be(1, "the old entries expired and were pruned");
    }

    [Fact]
    public async Task UserId_AtTheLengthLimit_Accepted_OneMoreRefused()
    {
        var manager = Manager();
        var longest = new string('u', SessionRecord.MaxUserIdLength);
        (await manager.CreateAsync(longest)).Succeeded.Should().BeTrue();
        (await manager.ListAsync(longest)).Should().ContainSingle();
        await manager.Invoking(m => m.CreateAsync(longest + "u").AsTask()).Should().ThrowAsync<ArgumentException>().WithMessage("*longer than 256*");
    }

    [Fact]
    public async Task RevokeAllOthers_PublishesTheCount()
    {
        var manager = Manager();
        var current = (await manager.CreateAsync("alice")).Token!;
        await manager.CreateAsync("alice");
        await manager.CreateAsync("alice");

        (await manager.RevokeAllOthersAsync(current)).Should().Be(2);
        var revokedAll = _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.RevokedAll).Which;
        revokedAll.Reason.Should().Be("all_but_current");
        revokedAll.Properties.Should().Contain(new KeyValuePair<string, string?>("count", "2"));

        (await manager.RevokeAllAsync("alice")).Should().Be(1);
        _sink.Events.Where(e => e.Name == SessionEventNames.RevokedAll).Select(e => e.Reason).Should().Equal("all_but_current", "all");
    }

    [Theory]
    [InlineData(400 * 24 * 60, 30, 1, 1000, 8, 16)]
    [InlineData(60, 60, 30, 1, 32, 128)]
    [InlineData(720, 1, 0.5, null, 24, 64)]
    public void Constructor_BoundaryOptions_Accepted(int lifetimeMinutes, int idleMinutes, double touchMinutes, int? maxPerUser, int v4, int v6)
    {
        var options = TestSessionOptions.Build(lifetimeMinutes, idleMinutes, touchMinutes, maxPerUser, v4, v6);
        FluentActions.Invoking(() => Manager(options: options)).Should().NotThrow();
    }

    [Theory]
    [InlineData(400 * 24 * 60 + 1, 30, 1, null, 24, 64, "AbsoluteLifetime")]
    [InlineData(60, 61, 1, null, 24, 64, "IdleTimeout")]
    [InlineData(720, 30, 15.01, null, 24, 64, "TouchInterval")]
    [InlineData(720, 30, 0.01, null, 24, 64, "TouchInterval")]
    [InlineData(720, 30, 1, 1001, 24, 64, "MaxSessionsPerUser")]
    [InlineData(720, 30, 1, null, 33, 64, "IPv4AnomalyPrefix")]
    [InlineData(720, 30, 1, null, 24, 15, "IPv6AnomalyPrefix")]
    public void Constructor_JustPastTheBoundary_Refused(int lifetimeMinutes, int idleMinutes, double touchMinutes, int? maxPerUser, int v4, int v6, string setting)
    {
        var options = TestSessionOptions.Build(lifetimeMinutes, idleMinutes, touchMinutes, maxPerUser, v4, v6);
        FluentActions.Invoking(() => Manager(options: options)).Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message.Should().Contain(setting);
    }

    [Fact]
    public void Constructor_UndefinedLimitMode_Refused()
    {
        FluentActions.Invoking(() => Manager(options: new SessionOptions { LimitMode = (SessionLimitMode)7 }))
            .Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message.Should().Contain("LimitMode");
    }

    /// <summary>Runs <see cref="BeforeRevoke"/> once, just before revoke number <see cref="RevokesBeforeHook"/> + 1 reaches the store.</summary>
    private sealed class HookStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        public Func<Task>? BeforeRevoke { get; set; }

        public int RevokesBeforeHook { get; set; }

        public override async ValueTask<bool> RevokeAsync(string partition, string idHash, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            var hook = RevokesBeforeHook-- == 0 ? BeforeRevoke : null;
            if (hook is not null)
            {
                BeforeRevoke = null;
                await hook();
            }

            return await Inner.RevokeAsync(partition, idHash, now, cancellationToken);
        }
    }

    /// <summary>Reports the user's token version <see cref="Bump"/> higher than the store has it.</summary>
    private sealed class VersionBumpingStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        public long Bump { get; set; }

        public override async ValueTask<SessionLookup> GetAsync(string partition, string idHash, CancellationToken cancellationToken = default)
        {
            var lookup = await Inner.GetAsync(partition, idHash, cancellationToken);
            return lookup with { UserTokenVersion = lookup.UserTokenVersion + Bump };
        }
    }
}
