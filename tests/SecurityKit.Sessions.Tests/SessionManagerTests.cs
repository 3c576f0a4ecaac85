using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;
using SecurityKit.Fingerprinting.Devices;
using SecurityKit.Keys;
using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions.Tests;

public sealed class SessionManagerTests
{
    private const string ChromeUa = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string ChromeUa121 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36";
    private const string FirefoxUa = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
    private readonly CollectingSink _sink = new();
    private readonly SecretKeyRing _keys = SecretKeyRing.FromRootKey("k1", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    internal sealed class CollectingSink : ISecurityEventSink
    {
        private readonly List<SecurityEvent> _events = [];

        public IReadOnlyList<SecurityEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public void Handle(SecurityEvent securityEvent)
        {
            lock (_events)
            {
                _events.Add(securityEvent);
            }
        }

        public void Clear()
        {
            lock (_events)
            {
                _events.Clear();
            }
        }
    }

    /// <summary>Counts the touches the manager sends (plain and compare-and-set).</summary>
    private sealed class CountingStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        public int Touches;

        public override ValueTask<bool> TouchAsync(string partition, string idHash, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Touches);
            return base.TouchAsync(partition, idHash, lastUsedAt, cancellationToken);
        }

        public int ConditionalTouchesWon;

        public override async ValueTask<bool> TouchIfUnchangedAsync(string partition, string idHash, DateTimeOffset expectedLastUsedAt, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Touches);
            var won = await base.TouchIfUnchangedAsync(partition, idHash, expectedLastUsedAt, lastUsedAt, cancellationToken);
            if (won)
            {
                Interlocked.Increment(ref ConditionalTouchesWon);
            }

            return won;
        }
    }

    private CountingStore? _store;

    private SessionManager Manager(SessionOptions? options = null, ISecretKeyRing? keys = null)
    {
        _store ??= new CountingStore(new InMemorySessionStore(new InMemorySessionStoreOptions(), _time));
        return new SessionManager(options ?? new SessionOptions(), _store, keys ?? _keys, _time, new SecurityEventPublisher([_sink], _time));
    }

    private static SessionContext Context(string ip, string ua = ChromeUa, string language = "en-GB,en;q=0.9") => new()
    {
        IpAddress = IPAddress.Parse(ip),
        Device = new DeviceFingerprintInput { UserAgent = ua, AcceptLanguage = language, AcceptEncoding = "gzip, br" },
    };

    [Fact]
    public void DefaultIssueResult_IsUsable()
    {
        // EvictedSessionIds was set only by the constructor: default(SessionIssueResult).ToString() threw.
        var empty = default(SessionIssueResult);
        empty.EvictedSessionIds.Should().BeEmpty();
        empty.ToString().Should().Contain("evicted=0");
        empty.Succeeded.Should().BeFalse();
        empty.Equals(default).Should().BeTrue("two results without a token are equal (the token is compared in fixed time)");
    }

    [Fact]
    public async Task IssueResult_Equality_ComparesTheToken()
    {
        var manager = Manager();
        var first = await manager.CreateAsync("alice", Context("203.0.113.5"));
        var second = await manager.CreateAsync("alice", Context("203.0.113.5"));

        first.Equals(first).Should().BeTrue();
        (first == second).Should().BeFalse("each carries its own token");
        first.Equals(default).Should().BeFalse();
        default(SessionIssueResult).Equals(first).Should().BeFalse();
    }

    [Fact]
    public async Task Create_IssuesOpaqueTokenAndStoresOnlyItsHash()
    {
        var manager = Manager();
        var created = await manager.CreateAsync("alice", Context("203.0.113.5"));

        created.Status.Should().Be(SessionIssueStatus.Issued);
        Regex.IsMatch(created.Token!, @"^s1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$").Should().BeTrue();
        created.ToString().Should().NotContain(created.Token!);
        var secret = created.Token!.Split('.')[3];
        var stored = (await _store!.ListAsync(SessionToken.Partition("alice"), "alice", _time.GetUtcNow())).Single();
        stored.IdHash.Should().NotBe(secret).And.HaveLength(43);
        (stored with { IdHash = "x" }).ToString().Should().NotContain(secret);
        stored.Should().BeEquivalentTo(new
        {
            UserId = "alice",
            CreatedAt = _time.GetUtcNow(),
            IpAddress = "203.0.113.5",
            DeviceSummary = "Chrome 120 on Windows (desktop)",
            AbsoluteExpiresAt = _time.GetUtcNow().AddHours(12),
        });
        stored.Fingerprint.Should().StartWith("v2.k1.");
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.Created && e.UserId == "alice" && e.ClientIp == "203.0.113.5");
        _sink.Events.Should().NotContain(e => (e.Reason ?? string.Empty).Contains(secret) || (e.Properties ?? Array.Empty<KeyValuePair<string, string?>>()).Any(p => (p.Value ?? string.Empty).Contains(secret)));
    }

    [Fact]
    public async Task Create_TwoSessions_DistinctTokens()
    {
        var manager = Manager();
        var a = await manager.CreateAsync("alice");
        var b = await manager.CreateAsync("alice");
        a.Token.Should().NotBe(b.Token);
        a.Session!.SessionId.Should().NotBe(b.Session!.SessionId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("s1.k1.AAAAAAAAAAAAAAAA.short")]
    [InlineData("s2.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("s1.k!.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("s1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")] // non-canonical last char
    [InlineData("s1.k1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("s1.k1.AAAAAAAAAAAAAAA=.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Validate_MalformedToken_Malformed(string? token)
    {
        var result = await Manager().ValidateAsync(token);
        result.Status.Should().Be(SessionValidationStatus.Malformed);
        result.IsValid.Should().BeFalse();
    }

    [Fact]
    public async Task Validate_HugeToken_MalformedWithoutWork()
    {
        (await Manager().ValidateAsync("s1." + new string('A', 1 << 20))).Status.Should().Be(SessionValidationStatus.Malformed);
    }

    [Fact]
    public async Task Validate_TamperedSecretOrPartition_NotFound()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice")).Token!;
        var parts = token.Split('.');
        var flippedSecret = string.Join('.', parts[0], parts[1], parts[2], (parts[3][0] == 'A' ? 'B' : 'A') + parts[3][1..]);
        var otherPartition = string.Join('.', parts[0], parts[1], SessionToken.Partition("mallory"), parts[3]);
        (await manager.ValidateAsync(flippedSecret)).Status.Should().Be(SessionValidationStatus.NotFound);
        (await manager.ValidateAsync(otherPartition)).Status.Should().Be(SessionValidationStatus.NotFound);
        (await manager.ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.Valid);
    }

    [Fact]
    public async Task Validate_RetiredHashingKey_UnknownKey()
    {
        var token = (await Manager().CreateAsync("alice")).Token!;
        var other = SecretKeyRing.FromRootKey("k2", Enumerable.Range(50, 32).Select(i => (byte)i).ToArray());
        (await Manager(keys: other).ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.UnknownKey);
    }

    [Fact]
    public async Task Validate_IdleTimeout_ExpiresWithoutUse_ExtendsWithUse()
    {
        var manager = Manager();
        var idle = (await manager.CreateAsync("alice")).Token!;
        var used = (await manager.CreateAsync("alice")).Token!;
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(10));
            (await manager.ValidateAsync(used)).IsValid.Should().BeTrue();
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        var result = await manager.ValidateAsync(idle);
        result.Status.Should().Be(SessionValidationStatus.IdleExpired);
        result.Session!.UserId.Should().Be("alice");
        (await manager.ValidateAsync(used)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Validate_AbsoluteLifetime_EndsEvenWhenUsed()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice")).Token!;
        for (var i = 0; i < 47; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(15));
            (await manager.ValidateAsync(token)).IsValid.Should().BeTrue($"use {i}");
        }

        _time.Advance(TimeSpan.FromMinutes(15));
        (await manager.ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.AbsoluteExpired);
    }

    [Fact]
    public async Task Validate_TouchThrottled_OneWritePerInterval()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice")).Token!;
        for (var i = 0; i < 100; i++)
        {
            (await manager.ValidateAsync(token)).IsValid.Should().BeTrue();
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        _store!.Touches.Should().Be(0);
        _time.Advance(TimeSpan.FromSeconds(10));
        var result = await manager.ValidateAsync(token);
        _store.Touches.Should().Be(1);
        result.Session!.LastUsedAt.Should().Be(_time.GetUtcNow());
        (await manager.ValidateAsync(token)).IsValid.Should().BeTrue();
        _store.Touches.Should().Be(1);
    }

    [Fact]
    public async Task Rotate_OldTokenRevoked_NewKeepsCreationAndAbsoluteExpiry()
    {
        var manager = Manager();
        var created = await manager.CreateAsync("alice", Context("203.0.113.5"));
        _time.Advance(TimeSpan.FromMinutes(5));
        var rotated = await manager.RotateAsync(created.Token, Context("203.0.113.6"));

        rotated.Status.Should().Be(SessionIssueStatus.Issued);
        rotated.Token.Should().NotBe(created.Token);
        rotated.Session!.CreatedAt.Should().Be(created.Session!.CreatedAt);
        rotated.Session.AbsoluteExpiresAt.Should().Be(created.Session.AbsoluteExpiresAt);
        rotated.Session.IpAddress.Should().Be("203.0.113.6");
        (await manager.ValidateAsync(created.Token)).Status.Should().Be(SessionValidationStatus.Revoked);
        (await manager.ValidateAsync(rotated.Token)).IsValid.Should().BeTrue();
        (await manager.RotateAsync(created.Token)).Status.Should().Be(SessionIssueStatus.NotValid);
        _sink.Events.Should().Contain(e => e.Name == SessionEventNames.Rotated);
        // Moments after the rotation the old token is what in-flight requests carry: Information, not "may be stolen".
        // Two presentations (validate, rotate), one event: at most one per session and TouchInterval.
        _sink.Events.Where(e => e.Name == SessionEventNames.RevokedSessionUsed).Should().ContainSingle()
            .Which.Should().Match<SecurityEvent>(e => e.Severity == SecurityEventSeverity.Information && e.Reason == "rotated_recently");

        _time.Advance(SessionManager.ReplacementFollowWindow);
        (await manager.ValidateAsync(created.Token)).Status.Should().Be(SessionValidationStatus.Revoked);
        _sink.Events.Where(e => e.Name == SessionEventNames.RevokedSessionUsed).Should().ContainSingle("still within the window (inclusive), and throttled");
        _time.Advance(TimeSpan.FromTicks(1));
        (await manager.ValidateAsync(created.Token)).Status.Should().Be(SessionValidationStatus.Revoked);
        _sink.Events.Where(e => e.Name == SessionEventNames.RevokedSessionUsed).Should().HaveCount(2).And.Subject.Last()
            .Should().Match<SecurityEvent>(e => e.Severity == SecurityEventSeverity.Warning && e.Reason == "revoked", "later, the old token may be stolen, and the Information's throttle does not hold it back");

        // Replayed in parallel (an evicted tab polling, or a replay): one Warning per TouchInterval, not one per request.
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => manager.ValidateAsync(created.Token).AsTask()));
        _sink.Events.Where(e => e.Name == SessionEventNames.RevokedSessionUsed).Should().HaveCount(2);
        _time.Advance(TimeSpan.FromMinutes(1));
        (await manager.ValidateAsync(created.Token)).Status.Should().Be(SessionValidationStatus.Revoked);
        _sink.Events.Where(e => e.Name == SessionEventNames.RevokedSessionUsed).Should().HaveCount(3, "one more after TouchInterval");
    }

    [Fact]
    public async Task RevokedUsed_TableFullAfterAMassRevoke_AtMostOneUntrackedEventASecond()
    {
        // When the report table is full (a mass revoke-all, then every client polling), revoked-token replays fell back to
        // "publish", the flood the throttle exists to stop (found in review): one untracked report a second instead.
        var manager = Manager();
        var tokens = new List<string>();
        for (var i = 0; i < SessionManager.MaxTrackedAnomalies + 50; i++)
        {
            var token = (await manager.CreateAsync("user-" + i)).Token!;
            (await manager.RevokeAsync(token)).Should().BeTrue();
            tokens.Add(token);
        }

        _sink.Clear();
        foreach (var token in tokens.Take(SessionManager.MaxTrackedAnomalies))
        {
            (await manager.ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.Revoked);
        }

        _sink.Events.Count(e => e.Name == SessionEventNames.RevokedSessionUsed).Should().Be(SessionManager.MaxTrackedAnomalies, "one per session while the table has room");
        foreach (var token in tokens.Skip(SessionManager.MaxTrackedAnomalies))
        {
            (await manager.ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.Revoked);
            _time.Advance(TimeSpan.FromMilliseconds(10)); // 50 × 10 ms: all within one second
        }

        _sink.Events.Count(e => e.Name == SessionEventNames.RevokedSessionUsed).Should().Be(SessionManager.MaxTrackedAnomalies + 1, "the table is full and fresh: one untracked report this second");
        _time.Advance(TimeSpan.FromMilliseconds(500));
        (await manager.ValidateAsync(tokens[^1])).Status.Should().Be(SessionValidationStatus.Revoked);
        _sink.Events.Count(e => e.Name == SessionEventNames.RevokedSessionUsed).Should().Be(SessionManager.MaxTrackedAnomalies + 2, "and one more the next second");

        // One budget per severity: a recent rotation's Information does not use up the Warning's slot.
        _time.Advance(TimeSpan.FromSeconds(2));
        var live = (await manager.CreateAsync("user-live")).Token!;
        (await manager.RotateAsync(live)).Status.Should().Be(SessionIssueStatus.Issued);
        (await manager.ValidateAsync(live)).Status.Should().Be(SessionValidationStatus.Revoked);
        (await manager.ValidateAsync(tokens[^2])).Status.Should().Be(SessionValidationStatus.Revoked);
        var last = _sink.Events.Where(e => e.Name == SessionEventNames.RevokedSessionUsed).TakeLast(2).ToList();
        last.Select(e => e.Severity).Should().Equal(SecurityEventSeverity.Information, SecurityEventSeverity.Warning);
        _sink.Events.Count(e => e.Name == SessionEventNames.RevokedSessionUsed).Should().Be(SessionManager.MaxTrackedAnomalies + 4);
    }

    [Fact]
    public async Task Revoke_ThenValidate_Revoked()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice")).Token!;
        (await manager.RevokeAsync(token)).Should().BeTrue();
        (await manager.RevokeAsync(token)).Should().BeFalse();
        (await manager.RevokeAsync("garbage")).Should().BeFalse();
        (await manager.ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.Revoked);
    }

    [Fact]
    public async Task RevokeAll_EverySessionOfUserOnly()
    {
        var manager = Manager();
        var a1 = (await manager.CreateAsync("alice")).Token!;
        var a2 = (await manager.CreateAsync("alice")).Token!;
        var b = (await manager.CreateAsync("bob")).Token!;
        (await manager.RevokeAllAsync("alice")).Should().Be(2);
        (await manager.ValidateAsync(a1)).Status.Should().Be(SessionValidationStatus.Revoked);
        (await manager.ValidateAsync(a2)).Status.Should().Be(SessionValidationStatus.Revoked);
        (await manager.ValidateAsync(b)).IsValid.Should().BeTrue();
        (await manager.ListAsync("alice")).Should().BeEmpty();
        _sink.Events.Should().Contain(e => e.Name == SessionEventNames.RevokedAll && e.UserId == "alice" && e.Properties![0].Value == "2");
        (await manager.ValidateAsync((await manager.CreateAsync("alice")).Token)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task RevokeAllOthers_KeepsCurrent()
    {
        var manager = Manager();
        var current = (await manager.CreateAsync("alice")).Token!;
        var other1 = (await manager.CreateAsync("alice")).Token!;
        var other2 = (await manager.CreateAsync("alice")).Token!;
        (await manager.RevokeAllOthersAsync(current)).Should().Be(2);
        (await manager.ValidateAsync(current)).IsValid.Should().BeTrue();
        (await manager.ValidateAsync(other1)).Status.Should().Be(SessionValidationStatus.Revoked);
        (await manager.ValidateAsync(other2)).Status.Should().Be(SessionValidationStatus.Revoked);
        (await manager.RevokeAllOthersAsync(other1)).Should().BeNull();
        (await manager.ListAsync("alice", current)).Should().ContainSingle().Which.IsCurrent.Should().BeTrue();
    }

    [Fact]
    public async Task List_ShowsDevicesIpsAndCurrent_RevokeById()
    {
        var manager = Manager();
        var laptop = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        _time.Advance(TimeSpan.FromMinutes(1));
        await manager.CreateAsync("alice", Context("2001:db8::5", FirefoxUa));
        _time.Advance(TimeSpan.FromMinutes(1));
        await manager.ValidateAsync(laptop);

        var list = await manager.ListAsync("alice", laptop);
        list.Should().HaveCount(2);
        list[0].Should().BeEquivalentTo(new { IpAddress = "203.0.113.5", DeviceSummary = "Chrome 120 on Windows (desktop)", IsCurrent = true, LastUsedAt = _time.GetUtcNow() });
        list[1].Should().BeEquivalentTo(new { IpAddress = "2001:db8::5", DeviceSummary = "Firefox 133 on Linux (desktop)", IsCurrent = false });

        (await manager.RevokeAsync("bob", list[1].SessionId)).Should().BeFalse();
        (await manager.RevokeAsync("alice", "short")).Should().BeFalse();
        (await manager.RevokeAsync("alice", list[1].SessionId)).Should().BeTrue();
        (await manager.ListAsync("alice")).Should().ContainSingle().Which.IsCurrent.Should().BeFalse();
    }

    [Fact]
    public async Task RevokeByListedId_SessionRotatedSince_RevokesTheSessionThatReplacedIt()
    {
        // The devices page lists a session; the device then rotates it (a step-up). Revoking the listed id found the
        // rotated-out record, revoked nothing, and the device stayed signed in (found in review).
        var manager = Manager();
        var laptop = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        var phone = (await manager.CreateAsync("alice", Context("2001:db8::5", FirefoxUa))).Token!;
        var listed = (await manager.ListAsync("alice", laptop)).Single(s => !s.IsCurrent).SessionId;

        _time.Advance(TimeSpan.FromMinutes(10)); // long past the sign-out follow window: the owner's request still applies
        var once = await manager.RotateAsync(phone, Context("2001:db8::5", FirefoxUa));
        var twice = await manager.RotateAsync(once.Token, Context("2001:db8::5", FirefoxUa));
        twice.Status.Should().Be(SessionIssueStatus.Issued);

        (await manager.RevokeAsync("bob", listed)).Should().BeFalse("not bob's session");
        (await manager.RevokeAsync("alice", listed)).Should().BeTrue();
        (await manager.ValidateAsync(twice.Token)).Status.Should().Be(SessionValidationStatus.Revoked);
        (await manager.ValidateAsync(laptop)).IsValid.Should().BeTrue();
        (await manager.RevokeAsync("alice", listed)).Should().BeFalse("nothing left to revoke");
    }

    [Fact]
    public async Task Validate_SameNetworkAndBrowserUpdate_NoWarningEvent()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        _time.Advance(TimeSpan.FromMinutes(2));
        var result = await manager.ValidateAsync(token, Context("203.0.113.200", ChromeUa121));
        result.IsValid.Should().BeTrue();
        result.Warnings.Should().Be(SessionWarnings.BrowserUpdated);
        result.Fingerprint.Change.Should().Be(FingerprintChange.BrowserUpdated);
        _sink.Events.Should().NotContain(e => e.Severity == SecurityEventSeverity.Warning);
    }

    [Fact]
    public async Task Validate_ManyParallelRequestsFromAnotherNetwork_OneTouchAndOneEvent()
    {
        // Every request that lost the touch still published the anomaly: a token holder could flood the event sinks
        // with parallel requests (found in review). The touch is now a compare-and-set on the last-used time read.
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        _time.Advance(TimeSpan.FromMinutes(2));

        var touchesBefore = _store!.Touches;

        var results = await SecurityKit.Testing.Race.RunValuesAsync(50, _ => manager.ValidateAsync(token, Context("198.51.100.7")));

        results.Should().OnlyContain(r => r.IsValid && r.Warnings == SessionWarnings.IpChanged, "every request still gets the warning");
        _sink.Events.Count(x => x.Name == SessionEventNames.IpChanged).Should().Be(1);
        _store.ConditionalTouchesWon.Should().Be(1, "one request moved the last-used time; the others lost the compare-and-set or saw it moved");
        (_store.Touches - touchesBefore).Should().BeInRange(1, 50);
    }

    [Fact]
    public async Task Rotate_StoreFullOfLiveSessions_StoreFullWithItsEvent_AndTheOldTokenKeepsWorking()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 2 }, _time);
        var manager = new SessionManager(new SessionOptions(), store, _keys, _time, new SecurityEventPublisher([_sink], _time));
        var alice = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        (await manager.CreateAsync("bob")).Status.Should().Be(SessionIssueStatus.Issued);

        var rotated = await manager.RotateAsync(alice, Context("203.0.113.5"));

        rotated.Status.Should().Be(SessionIssueStatus.StoreFull);
        rotated.Token.Should().BeNull();
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.StoreFull).Which.UserId.Should().Be("alice");
        _sink.Events.Should().NotContain(e => e.Name == SessionEventNames.Rotated);
        (await manager.ValidateAsync(alice)).IsValid.Should().BeTrue("a refused rotation leaves the session as it was");
    }

    [Fact]
    public async Task Validate_ClockSteppedBack_AnAnomalyReportedJustBeforeIsReportedAgain()
    {
        // An entry written at a later clock reading must not silence the anomaly until the clock catches up with it (an
        // NTP step or a VM restored from a snapshot would otherwise hide a stolen session's new network for that long).
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        _time.Advance(TimeSpan.FromMinutes(2));
        (await manager.ValidateAsync(token, Context("198.51.100.7"))).Warnings.Should().Be(SessionWarnings.IpChanged);
        _sink.Events.Count(x => x.Name == SessionEventNames.IpChanged).Should().Be(1);

        _time.AdjustTime(_time.GetUtcNow() - TimeSpan.FromMinutes(1));
        (await manager.ValidateAsync(token, Context("192.0.2.44"))).Warnings.Should().Be(SessionWarnings.IpChanged);

        _sink.Events.Count(x => x.Name == SessionEventNames.IpChanged).Should().Be(2);
    }

    [Fact]
    public async Task Rotate_FromAnotherNetwork_PublishesTheChangeBeforeMovingTheBaseline()
    {
        // Rotation replaced the stored IP and device without a trace: a stolen token used within the touch interval and then
        // rotated made the attacker's network the baseline silently.
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;

        var rotated = await manager.RotateAsync(token, Context("198.51.100.7"));

        rotated.Succeeded.Should().BeTrue();
        var e = _sink.Events.Should().ContainSingle(x => x.Name == SessionEventNames.IpChanged).Which;
        e.ClientIp.Should().Be("198.51.100.7");
        e.Properties.Should().Contain(new KeyValuePair<string, string?>("previous_ip", "203.0.113.5"));
        (await manager.ValidateAsync(rotated.Token, Context("198.51.100.7"))).Warnings.Should().Be(SessionWarnings.None, "the baseline moved");
        (await manager.RotateAsync(rotated.Token, Context("198.51.100.7"))).Succeeded.Should().BeTrue();
        _sink.Events.Count(x => x.Name == SessionEventNames.IpChanged).Should().Be(1, "no change, no event");
    }

    [Fact]
    public async Task Validate_OtherNetwork_IpChangedWarningAndEvent()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        _time.Advance(TimeSpan.FromMinutes(2));
        var result = await manager.ValidateAsync(token, Context("198.51.100.7"));
        result.IsValid.Should().BeTrue();
        result.Warnings.Should().Be(SessionWarnings.IpChanged);
        var e = _sink.Events.Should().ContainSingle(x => x.Name == SessionEventNames.IpChanged).Which;
        e.Severity.Should().Be(SecurityEventSeverity.Warning);
        e.ClientIp.Should().Be("198.51.100.7");
        e.Properties.Should().Contain(new KeyValuePair<string, string?>("previous_ip", "203.0.113.5"));

        // Within the touch interval the warning is returned again but the event is not repeated.
        (await manager.ValidateAsync(token, Context("198.51.100.7"))).Warnings.Should().Be(SessionWarnings.IpChanged);
        _sink.Events.Count(x => x.Name == SessionEventNames.IpChanged).Should().Be(1);
    }

    [Theory]
    [InlineData("2001:db8:1:2::5", "2001:db8:1:2:ffff::9", false)]
    [InlineData("2001:db8:1:2::5", "2001:db8:1:3::5", true)]
    [InlineData("203.0.113.5", "2001:db8::1", true)]
    [InlineData("203.0.113.5", "::ffff:203.0.113.77", false)]
    public async Task Validate_IpNetworkRules(string createdFrom, string usedFrom, bool changed)
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", new SessionContext { IpAddress = IPAddress.Parse(createdFrom) })).Token!;
        var result = await manager.ValidateAsync(token, new SessionContext { IpAddress = IPAddress.Parse(usedFrom) });
        result.Warnings.HasFlag(SessionWarnings.IpChanged).Should().Be(changed);
    }

    [Fact]
    public async Task Validate_OtherDevice_DeviceChangedWarningAndEvent()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice", Context("203.0.113.5"))).Token!;
        _time.Advance(TimeSpan.FromMinutes(2));
        var result = await manager.ValidateAsync(token, Context("203.0.113.5", FirefoxUa));
        result.Warnings.Should().Be(SessionWarnings.DeviceChanged);
        result.Fingerprint.ChangedComponents.Should().HaveFlag(FingerprintComponents.Browser);
        _sink.Events.Should().ContainSingle(x => x.Name == SessionEventNames.DeviceChanged)
            .Which.Properties.Should().ContainSingle(p => p.Key == "components" && p.Value!.Contains("Browser"));

        (await manager.ValidateAsync(token, Context("203.0.113.5", language: "de-DE"))).Warnings.Should().Be(SessionWarnings.DeviceSettingsChanged);
        (await manager.ValidateAsync(token)).Warnings.Should().Be(SessionWarnings.None);
    }

    [Fact]
    public async Task Create_LimitEvictOldest_OldestTokenRevoked()
    {
        var manager = Manager(new SessionOptions { MaxSessionsPerUser = 2, LimitMode = SessionLimitMode.EvictOldest });
        var first = await manager.CreateAsync("alice");
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await manager.CreateAsync("alice");
        _time.Advance(TimeSpan.FromSeconds(1));
        var third = await manager.CreateAsync("alice");
        third.EvictedSessionIds.Should().Equal(first.Session!.SessionId);
        (await manager.ValidateAsync(first.Token)).Status.Should().Be(SessionValidationStatus.Revoked);
        (await manager.ValidateAsync(second.Token)).IsValid.Should().BeTrue();
        _sink.Events.Should().Contain(e => e.Name == SessionEventNames.Evicted);
    }

    [Fact]
    public async Task Create_LimitRefuseNew_Refused()
    {
        var manager = Manager(new SessionOptions { MaxSessionsPerUser = 1, LimitMode = SessionLimitMode.RefuseNew });
        var first = await manager.CreateAsync("alice");
        var second = await manager.CreateAsync("alice");
        second.Status.Should().Be(SessionIssueStatus.LimitReached);
        second.Token.Should().BeNull();
        (await manager.ValidateAsync(first.Token)).IsValid.Should().BeTrue();
        _sink.Events.Should().Contain(e => e.Name == SessionEventNames.LimitReached && e.Severity == SecurityEventSeverity.Warning);
        await manager.RevokeAsync(first.Token);
        (await manager.CreateAsync("alice")).Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData(0, 30, 1, null, 24, 64, "AbsoluteLifetime")]
    [InlineData(720, 0, 1, null, 24, 64, "IdleTimeout")]
    [InlineData(10, 30, 1, null, 24, 64, "IdleTimeout")]
    [InlineData(720, 30, 20, null, 24, 64, "TouchInterval")]
    [InlineData(720, 30, 1, 0, 24, 64, "MaxSessionsPerUser")]
    [InlineData(720, 30, 1, null, 7, 64, "IPv4AnomalyPrefix")]
    [InlineData(720, 30, 1, null, 24, 129, "IPv6AnomalyPrefix")]
    public void Constructor_InvalidOptions_ThrowsNamingTheSetting(int lifetimeMinutes, int idleMinutes, int touchMinutes, int? maxPerUser, int v4, int v6, string setting)
    {
        var options = TestSessionOptions.Build(lifetimeMinutes, idleMinutes, touchMinutes, maxPerUser, v4, v6);
        var act = () => new SessionManager(options, new InMemorySessionStore(new InMemorySessionStoreOptions(), _time), _keys, _time);
        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(setting);
    }

    [Fact]
    public async Task Create_InvalidUserId_Throws()
    {
        var manager = Manager();
        await FluentActions.Awaiting(() => manager.CreateAsync("").AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.CreateAsync(new string('u', 257)).AsTask()).Should().ThrowAsync<ArgumentException>();

        // Lone surrogates would become U+FFFD in the partition: "alice\uD800" and "alice\uDC00" would share one.
        foreach (var userId in new[] { "alice\uD800", "alice\uDC00", "\uDC00\uD800" })
        {
            await FluentActions.Awaiting(() => manager.CreateAsync(userId).AsTask()).Should().ThrowAsync<ArgumentException>().WithMessage("*surrogate*");
            await FluentActions.Awaiting(() => manager.RevokeAllAsync(userId).AsTask()).Should().ThrowAsync<ArgumentException>();
        }

        (await manager.CreateAsync("emoji-\uD83D\uDE00")).Succeeded.Should().BeTrue("a well-formed pair is fine");
    }

    [Fact]
    public async Task Revoke_AlreadyRevokedToken_NoStolenTokenWarning_ValidateStillWarns()
    {
        var manager = Manager();
        var token = (await manager.CreateAsync("alice")).Token!;
        (await manager.RevokeAsync(token)).Should().BeTrue();
        (await manager.RevokeAsync(token)).Should().BeFalse("a double sign-out");
        _sink.Events.Should().NotContain(e => e.Name == SessionEventNames.RevokedSessionUsed, "nobody is reusing a stolen token");

        (await manager.ValidateAsync(token)).Status.Should().Be(SessionValidationStatus.Revoked);
        _sink.Events.Should().ContainSingle(e => e.Name == SessionEventNames.RevokedSessionUsed);
    }

    [Fact]
    public async Task Validate_SessionCreatedFromAScopedIpv6Address_StillWarnsOnAnotherNetwork()
    {
        // The scope id (fe80::1%4) used to be stored with the address, which the strict comparison refuses to read back:
        // that session never reported an IP change.
        var manager = Manager();
        var created = new SessionContext { IpAddress = IPAddress.Parse("fe80::1%4"), Device = Context("203.0.113.5").Device };
        var token = (await manager.CreateAsync("alice", created)).Token!;
        _time.Advance(TimeSpan.FromMinutes(2));

        (await manager.ValidateAsync(token, Context("198.51.100.7"))).Warnings.Should().Be(SessionWarnings.IpChanged);
        (await manager.ListAsync("alice")).Single().IpAddress.Should().Be("fe80::1");
    }

    [Fact]
    public async Task RevokeAndList_OverlongUserId_Throw()
    {
        // Every call that derives a partition from the user id bounds it, not only creation.
        var manager = Manager();
        var userId = new string('u', 257);
        await FluentActions.Awaiting(() => manager.RevokeAsync(userId, "s").AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.RevokeAllAsync(userId).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => manager.ListAsync(userId).AsTask()).Should().ThrowAsync<ArgumentException>();
    }
}
