using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Primitives;
using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions.Tests.Conformance;

/// <summary>
/// The behaviour every <see cref="ISessionStore"/> must have. Derived classes supply the store: the
/// in-memory one (SecurityKit.Sessions.Tests) and the Redis one (SecurityKit.Redis.Tests).
/// </summary>
public abstract class SessionStoreConformanceTests
{
    protected static readonly TimeSpan Idle = TimeSpan.FromMinutes(30);
    protected static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));

    /// <summary>Creates an empty store (or one whose keys cannot collide with other tests).</summary>
    protected abstract Task<ISessionStore> CreateStoreAsync();

    protected static string NewUser() => "user-" + SecureRandom.GetToken(16);

    protected static string PartitionOf(string userId) =>
        Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes("SecurityKit.Sessions.partition.v1\0" + userId)).AsSpan(0, 12));

    protected SessionRecord NewRecord(string userId, string? ip = "203.0.113.5", TimeSpan? idle = null)
    {
        var now = Time.GetUtcNow();
        return new SessionRecord
        {
            Partition = PartitionOf(userId),
            IdHash = SecureRandom.GetToken(32),
            UserId = userId,
            CreatedAt = now,
            LastUsedAt = now,
            IdleTimeout = idle ?? Idle,
            AbsoluteExpiresAt = now + Lifetime,
            IpAddress = ip,
            Fingerprint = "v1.k1.fp",
            DeviceSummary = "Chrome 131 on Windows (desktop)",
        };
    }

    protected async Task<SessionRecord> CreateAsync(ISessionStore store, string userId)
    {
        var record = NewRecord(userId);
        (await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Status.Should().Be(SessionStoreStatus.Succeeded);
        return record;
    }

    [SkippableFact]
    public async Task Create_ThenGet_ReturnsRecordAndVersion()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewUser());
        var result = await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        result.Should().BeEquivalentTo(new { Status = SessionStoreStatus.Succeeded, TokenVersion = 0L, EvictedIdHashes = Array.Empty<string>() });

        var lookup = await store.GetAsync(record.Partition, record.IdHash);
        lookup.UserTokenVersion.Should().Be(0);
        lookup.Session.Should().BeEquivalentTo(record);
    }

    [SkippableFact]
    public async Task Create_WithoutIpFingerprintOrDevice_ReadsBackWithoutThem()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewUser(), ip: null) with { Fingerprint = null, DeviceSummary = null };
        (await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Status.Should().Be(SessionStoreStatus.Succeeded);

        var session = (await store.GetAsync(record.Partition, record.IdHash)).Session!;
        session.IpAddress.Should().BeNull();
        session.Fingerprint.Should().BeNull();
        session.DeviceSummary.Should().BeNull();
    }

    [SkippableFact]
    public async Task MalformedPartitionOrIdHash_FindsNothingAndChangesNothing()
    {
        // Ids come from tokens a client sends: a malformed one (either part alone) is "not found", never an exception.
        var store = await CreateStoreAsync();
        var record = await CreateAsync(store, NewUser());
        var now = Time.GetUtcNow();
        foreach (var (partition, idHash) in new[] { ("bad{partition}", record.IdHash), (record.Partition, "bad{id}") })
        {
            (await store.GetAsync(partition, idHash)).Session.Should().BeNull();
            (await store.TouchAsync(partition, idHash, now.AddMinutes(1))).Should().BeFalse();
            (await store.RevokeAsync(partition, idHash, now)).Should().BeFalse();
            (await store.RotateAsync(partition, idHash, SecureRandom.GetToken(32), now, null, null, null)).Succeeded.Should().BeFalse();
        }

        var lookup = await store.GetAsync(record.Partition, record.IdHash);
        lookup.Session!.RevokedAt.Should().BeNull();
        lookup.Session.LastUsedAt.Should().Be(record.LastUsedAt);
        lookup.UserTokenVersion.Should().Be(0);
    }

    [SkippableFact]
    public async Task UserIdWithALoneSurrogate_IsRefusedByEveryOperationThatNamesAUser()
    {
        // A lone surrogate becomes U+FFFD in UTF-8: in Redis "x\uD800" and "x\uFFFD" would be one user.
        var store = await CreateStoreAsync();
        const string bad = "x\uD800";
        var record = NewRecord(bad) with { Partition = PartitionOf("x\uFFFD") };

        await store.Invoking(s => s.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow()).AsTask())
            .Should().ThrowAsync<ArgumentException>().WithParameterName("session");
        await store.Invoking(s => s.RevokeAllAsync(record.Partition, bad, null, Time.GetUtcNow()).AsTask())
            .Should().ThrowAsync<ArgumentException>().WithParameterName("userId");
        await store.Invoking(s => s.ListAsync(record.Partition, bad, Time.GetUtcNow()).AsTask())
            .Should().ThrowAsync<ArgumentException>().WithParameterName("userId");
        (await store.GetAsync(record.Partition, record.IdHash)).Session.Should().BeNull("the refused create wrote nothing");
    }

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Create_LimitBelowOne_ThrowsAndKeepsTheUsersSessions(int limit)
    {
        // A limit of 0 in evict-oldest mode used to revoke every session of the user (Redis) before failing.
        var store = await CreateStoreAsync();
        var user = NewUser();
        var existing = await CreateAsync(store, user);

        await store.Invoking(s => s.CreateAsync(NewRecord(user), limit, SessionLimitMode.EvictOldest, Time.GetUtcNow()).AsTask())
            .Should().ThrowAsync<ArgumentOutOfRangeException>();

        (await store.GetAsync(existing.Partition, existing.IdHash)).Session!.RevokedAt.Should().BeNull();
    }

    [SkippableFact]
    public async Task Get_UnknownIdOrOtherPartition_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        var record = await CreateAsync(store, NewUser());
        (await store.GetAsync(record.Partition, SecureRandom.GetToken(32))).Session.Should().BeNull();
        (await store.GetAsync(PartitionOf(NewUser()), record.IdHash)).Session.Should().BeNull();
    }

    [SkippableFact]
    public async Task Create_IgnoresRevocationAndReplacementGivenByTheCaller()
    {
        var store = await CreateStoreAsync();
        var record = NewRecord(NewUser()) with { RevokedAt = Time.GetUtcNow(), ReplacedBy = SecureRandom.GetToken(32) };
        (await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Status.Should().Be(SessionStoreStatus.Succeeded);
        var stored = (await store.GetAsync(record.Partition, record.IdHash)).Session!;
        stored.RevokedAt.Should().BeNull();
        stored.ReplacedBy.Should().BeNull();
    }

    [SkippableFact]
    public async Task Create_DuplicateIdHash_Refused()
    {
        var store = await CreateStoreAsync();
        var record = await CreateAsync(store, NewUser());
        (await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Status.Should().Be(SessionStoreStatus.Duplicate);
    }

    [SkippableFact]
    public async Task Touch_MovesLastUsedForwardOnly()
    {
        var store = await CreateStoreAsync();
        var record = await CreateAsync(store, NewUser());
        var later = Time.GetUtcNow().AddMinutes(5);
        (await store.TouchAsync(record.Partition, record.IdHash, later)).Should().BeTrue();
        (await store.TouchAsync(record.Partition, record.IdHash, later.AddMinutes(-1))).Should().BeFalse();
        (await store.GetAsync(record.Partition, record.IdHash)).Session!.LastUsedAt.Should().Be(later);
        (await store.TouchAsync(record.Partition, SecureRandom.GetToken(32), later)).Should().BeFalse();
    }

    [SkippableFact]
    public async Task Touch_ExpiredOrRevoked_DoesNotResurrect()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var expired = await CreateAsync(store, user);
        var revoked = await CreateAsync(store, user);
        (await store.RevokeAsync(revoked.Partition, revoked.IdHash, Time.GetUtcNow())).Should().BeTrue();
        (await store.TouchAsync(revoked.Partition, revoked.IdHash, Time.GetUtcNow().AddMinutes(1))).Should().BeFalse();
        (await store.TouchAsync(expired.Partition, expired.IdHash, Time.GetUtcNow() + Idle + TimeSpan.FromMinutes(1))).Should().BeFalse();
    }

    [SkippableFact]
    public async Task Revoke_KeepsTombstone_SecondRevokeFalse()
    {
        var store = await CreateStoreAsync();
        var record = await CreateAsync(store, NewUser());
        var at = Time.GetUtcNow().AddMinutes(2);
        (await store.RevokeAsync(record.Partition, record.IdHash, at)).Should().BeTrue();
        (await store.RevokeAsync(record.Partition, record.IdHash, at)).Should().BeFalse();
        var lookup = await store.GetAsync(record.Partition, record.IdHash);
        lookup.Session!.RevokedAt.Should().Be(at);
        (await store.ListAsync(record.Partition, record.UserId, at)).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task TouchIfUnchanged_IsACompareAndSet_ExactlyOneOfManyParallelWins()
    {
        var store = await CreateStoreAsync();
        var record = await CreateAsync(store, NewUser());
        var read = record.LastUsedAt;
        (await store.TouchIfUnchangedAsync(record.Partition, record.IdHash, read.AddSeconds(-1), read.AddMinutes(1))).Should().BeFalse("not the value stored");

        var wins = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => Task.Run(async () =>
            await store.TouchIfUnchangedAsync(record.Partition, record.IdHash, read, read.AddMinutes(2).AddMilliseconds(i)))));

        wins.Count(w => w).Should().Be(1);
        var stored = (await store.GetAsync(record.Partition, record.IdHash)).Session!.LastUsedAt;
        stored.Should().BeAfter(read.AddMinutes(2));
        (await store.TouchIfUnchangedAsync(record.Partition, record.IdHash, stored, stored.AddMinutes(1))).Should().BeTrue("with the new value read");
    }

    [SkippableFact]
    public async Task Revoke_SessionThatLooksExpiredToTheCaller_IsStillMarked()
    {
        // An instance whose clock runs ahead sees the session idle-expired and signs it out: that used to record nothing,
        // so an instance whose clock lags still found it valid, and a touch there revived it for good.
        var store = await CreateStoreAsync();
        var record = await CreateAsync(store, NewUser());
        var ahead = Time.GetUtcNow() + Idle + TimeSpan.FromMinutes(1);

        (await store.RevokeAsync(record.Partition, record.IdHash, ahead)).Should().BeFalse("it was not active for this caller");

        var lookup = await store.GetAsync(record.Partition, record.IdHash);
        lookup.Session!.RevokedAt.Should().Be(ahead);
        (await store.TouchAsync(record.Partition, record.IdHash, Time.GetUtcNow().AddMinutes(1))).Should().BeFalse("a lagging instance cannot revive it");
        (await store.RevokeAsync(record.Partition, record.IdHash, ahead)).Should().BeFalse();
    }

    [SkippableFact]
    public async Task RevokeAll_RevokesEverySessionAndBumpsVersion()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var sessions = new List<SessionRecord>();
        for (var i = 0; i < 3; i++)
        {
            sessions.Add(await CreateAsync(store, user));
        }

        var other = await CreateAsync(store, NewUser());
        (await store.RevokeAllAsync(PartitionOf(user), user, null, Time.GetUtcNow())).Should().Be(3);
        foreach (var s in sessions)
        {
            var lookup = await store.GetAsync(s.Partition, s.IdHash);
            lookup.UserTokenVersion.Should().Be(1);
            (lookup.Session!.RevokedAt is not null || lookup.Session.TokenVersion < lookup.UserTokenVersion).Should().BeTrue();
        }

        (await store.GetAsync(other.Partition, other.IdHash)).Session!.RevokedAt.Should().BeNull();
        (await store.ListAsync(PartitionOf(user), user, Time.GetUtcNow())).Should().BeEmpty();
        (await store.RevokeAllAsync(PartitionOf(user), user, null, Time.GetUtcNow())).Should().Be(0);

        var fresh = NewRecord(user);
        (await store.CreateAsync(fresh, null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).TokenVersion.Should().Be(2);
        var freshLookup = await store.GetAsync(fresh.Partition, fresh.IdHash);
        freshLookup.UserTokenVersion.Should().Be(2);
        freshLookup.Session!.TokenVersion.Should().Be(2);
    }

    [SkippableFact]
    public async Task RevokeAll_Except_KeepsCurrentUnderNewVersion()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var keep = await CreateAsync(store, user);
        var drop1 = await CreateAsync(store, user);
        var drop2 = await CreateAsync(store, user);
        (await store.RevokeAllAsync(keep.Partition, user, keep.IdHash, Time.GetUtcNow())).Should().Be(2);

        var kept = await store.GetAsync(keep.Partition, keep.IdHash);
        kept.Session!.RevokedAt.Should().BeNull();
        kept.Session.TokenVersion.Should().Be(kept.UserTokenVersion).And.Be(1);
        (await store.GetAsync(drop1.Partition, drop1.IdHash)).Session!.RevokedAt.Should().NotBeNull();
        (await store.GetAsync(drop2.Partition, drop2.IdHash)).Session!.RevokedAt.Should().NotBeNull();
        (await store.ListAsync(keep.Partition, user, Time.GetUtcNow())).Select(s => s.IdHash).Should().Equal(keep.IdHash);
    }

    [SkippableFact]
    public async Task List_ActiveOnlyOldestFirst()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var shortLived = NewRecord(user, idle: TimeSpan.FromMinutes(5));
        await store.CreateAsync(shortLived, null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        Time.Advance(TimeSpan.FromSeconds(1));
        var first = await CreateAsync(store, user);
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await CreateAsync(store, user);
        Time.Advance(TimeSpan.FromMinutes(10));

        var list = await store.ListAsync(PartitionOf(user), user, Time.GetUtcNow());
        list.Select(s => s.IdHash).Should().Equal(first.IdHash, second.IdHash);
        list[0].Should().BeEquivalentTo(first);
        (await store.ListAsync(PartitionOf(NewUser()), "nobody", Time.GetUtcNow())).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Create_LimitRefuseNew_RefusesAtLimit_ExpiredNotCounted()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var now = Time.GetUtcNow();
        var old = NewRecord(user, idle: TimeSpan.FromMinutes(1));
        (await store.CreateAsync(old, 2, SessionLimitMode.RefuseNew, now)).Succeeded.Should().BeTrue();
        (await store.CreateAsync(NewRecord(user), 2, SessionLimitMode.RefuseNew, now)).Succeeded.Should().BeTrue();
        (await store.CreateAsync(NewRecord(user), 2, SessionLimitMode.RefuseNew, now)).Status.Should().Be(SessionStoreStatus.LimitReached);

        Time.Advance(TimeSpan.FromMinutes(2));
        (await store.CreateAsync(NewRecord(user), 2, SessionLimitMode.RefuseNew, Time.GetUtcNow())).Succeeded.Should().BeTrue();
    }

    [SkippableFact]
    public async Task Create_LimitEvictOldest_RevokesOldest()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var first = await CreateAsync(store, user);
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await CreateAsync(store, user);
        Time.Advance(TimeSpan.FromSeconds(1));
        var third = NewRecord(user);
        var result = await store.CreateAsync(third, 2, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        result.Status.Should().Be(SessionStoreStatus.Succeeded);
        result.EvictedIdHashes.Should().Equal(first.IdHash);
        (await store.GetAsync(first.Partition, first.IdHash)).Session!.RevokedAt.Should().NotBeNull();
        (await store.ListAsync(first.Partition, user, Time.GetUtcNow())).Select(s => s.IdHash).Should().Equal(second.IdHash, third.IdHash);
    }

    [SkippableFact]
    public async Task Create_SameInstant_FirstCreatedIsOldest_RotationKeepsItsPlace()
    {
        var store = await CreateStoreAsync();

        // Five users, so that an order left to chance (e.g. the random ids) cannot pass: 1 in 6^5.
        for (var round = 0; round < 5; round++)
        {
            var user = NewUser();
            var now = Time.GetUtcNow();
            var a = await CreateAsync(store, user);
            var b = await CreateAsync(store, user);
            var c = await CreateAsync(store, user);
            var b2 = SecureRandom.GetToken(32);
            (await store.RotateAsync(b.Partition, b.IdHash, b2, now, null, null, null)).Status.Should().Be(SessionStoreStatus.Succeeded);
            (await store.ListAsync(a.Partition, user, now)).Select(s => s.IdHash).Should().Equal(a.IdHash, b2, c.IdHash);

            var d = NewRecord(user);
            (await store.CreateAsync(d, 3, SessionLimitMode.EvictOldest, now)).EvictedIdHashes.Should().Equal(a.IdHash);
            var e = NewRecord(user);
            (await store.CreateAsync(e, 3, SessionLimitMode.EvictOldest, now)).EvictedIdHashes.Should().Equal(b2);
            (await store.ListAsync(a.Partition, user, now)).Select(s => s.IdHash).Should().Equal(c.IdHash, d.IdHash, e.IdHash);
        }
    }

    [SkippableFact]
    public async Task Rotate_TheFirstOfSessionsCreatedTogether_KeepsItsPlace()
    {
        var store = await CreateStoreAsync();
        for (var round = 0; round < 5; round++)
        {
            var user = NewUser();
            var now = Time.GetUtcNow();
            var a = await CreateAsync(store, user);
            var b = await CreateAsync(store, user);
            var a2 = SecureRandom.GetToken(32);
            (await store.RotateAsync(a.Partition, a.IdHash, a2, now, null, null, null)).Status.Should().Be(SessionStoreStatus.Succeeded);
            (await store.ListAsync(a.Partition, user, now)).Select(s => s.IdHash).Should().Equal(a2, b.IdHash);
            (await store.CreateAsync(NewRecord(user), 2, SessionLimitMode.EvictOldest, now)).EvictedIdHashes.Should().Equal(a2);
        }
    }

    [SkippableFact]
    public async Task Create_EarlierClockAfterALaterOne_OrderedByCreationTime()
    {
        var store = await CreateStoreAsync();

        // An instance whose clock lags creates two sessions after another instance's, stamped 1 ms earlier: oldest first
        // is still by creation time, then by arrival. Several instants, so that the stamps' low digits vary.
        for (var round = 0; round < 8; round++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(37));
            var user = NewUser();
            var later = NewRecord(user);
            var now = Time.GetUtcNow();
            var stamp = now.AddMilliseconds(-1);
            var first = NewRecord(user) with { CreatedAt = stamp, LastUsedAt = stamp, AbsoluteExpiresAt = stamp + Lifetime };
            var second = NewRecord(user) with { CreatedAt = stamp, LastUsedAt = stamp, AbsoluteExpiresAt = stamp + Lifetime };
            foreach (var record in new[] { later, first, second })
            {
                (await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, now)).Succeeded.Should().BeTrue();
            }

            (await store.ListAsync(later.Partition, user, now)).Select(s => s.IdHash).Should().Equal(first.IdHash, second.IdHash, later.IdHash);
            (await store.CreateAsync(NewRecord(user), 3, SessionLimitMode.EvictOldest, now)).EvictedIdHashes.Should().Equal(first.IdHash);
        }
    }

    [SkippableFact]
    public async Task Rotate_ReplacesId_KeepsCreationAndAbsoluteExpiry()
    {
        var store = await CreateStoreAsync();
        var old = await CreateAsync(store, NewUser());
        Time.Advance(TimeSpan.FromMinutes(3));
        var newId = SecureRandom.GetToken(32);
        var result = await store.RotateAsync(old.Partition, old.IdHash, newId, Time.GetUtcNow(), "198.51.100.9", null, null);
        result.Status.Should().Be(SessionStoreStatus.Succeeded);

        var rotated = (await store.GetAsync(old.Partition, newId)).Session!;
        rotated.Should().BeEquivalentTo(old with { IdHash = newId, LastUsedAt = Time.GetUtcNow(), IpAddress = "198.51.100.9" });
        (await store.GetAsync(old.Partition, old.IdHash)).Session!.RevokedAt.Should().Be(Time.GetUtcNow());
        (await store.GetAsync(old.Partition, old.IdHash)).Session!.ReplacedBy.Should().Be(newId);
        rotated.ReplacedBy.Should().BeNull();
        var newer = SecureRandom.GetToken(32);
        (await store.RotateAsync(old.Partition, newId, newer, Time.GetUtcNow(), null, null, null)).Status.Should().Be(SessionStoreStatus.Succeeded);
        (await store.GetAsync(old.Partition, newId)).Session!.ReplacedBy.Should().Be(newer);
        (await store.GetAsync(old.Partition, newer)).Session!.ReplacedBy.Should().BeNull("a rotation never copies the link");
        (await store.GetAsync(old.Partition, old.IdHash)).Session!.ReplacedBy.Should().Be(newId);
        newId = newer;
        (await store.RotateAsync(old.Partition, old.IdHash, SecureRandom.GetToken(32), Time.GetUtcNow(), null, null, null)).Status.Should().Be(SessionStoreStatus.NotActive);
        (await store.ListAsync(old.Partition, old.UserId, Time.GetUtcNow())).Select(s => s.IdHash).Should().Equal(newId);
    }

    [SkippableFact]
    public async Task Rotate_GivenDetailsReplaceTheOld_MissingOnesAreKept()
    {
        var store = await CreateStoreAsync();
        var old = await CreateAsync(store, NewUser());
        var newId = SecureRandom.GetToken(32);

        (await store.RotateAsync(old.Partition, old.IdHash, newId, Time.GetUtcNow(), null, "v1.k1.other", "Firefox 133 on Linux (desktop)")).Status.Should().Be(SessionStoreStatus.Succeeded);

        var rotated = (await store.GetAsync(old.Partition, newId)).Session!;
        rotated.IpAddress.Should().Be(old.IpAddress, "no address was given");
        rotated.Fingerprint.Should().Be("v1.k1.other");
        rotated.DeviceSummary.Should().Be("Firefox 133 on Linux (desktop)");
    }

    [SkippableFact]
    public async Task EveryWrite_OnAnotherPartition_ChangesNothing()
    {
        // The id hash alone must never be enough: a write names the partition the session belongs to.
        var store = await CreateStoreAsync();
        var record = await CreateAsync(store, NewUser());
        var other = PartitionOf(NewUser());
        var later = Time.GetUtcNow().AddMinutes(1);

        (await store.TouchAsync(other, record.IdHash, later)).Should().BeFalse();
        (await store.TouchIfUnchangedAsync(other, record.IdHash, record.LastUsedAt, later)).Should().BeFalse();
        (await store.RotateAsync(other, record.IdHash, SecureRandom.GetToken(32), later, null, null, null)).Status.Should().Be(SessionStoreStatus.NotActive);
        (await store.RevokeAsync(other, record.IdHash, later)).Should().BeFalse();

        var lookup = await store.GetAsync(record.Partition, record.IdHash);
        lookup.Session.Should().BeEquivalentTo(record);
        (await store.ListAsync(record.Partition, record.UserId, later)).Select(s => s.IdHash).Should().Equal(record.IdHash);
    }

    [SkippableFact]
    public async Task Rotate_TimeOlderThanTheLastUse_KeepsTheLaterLastUse()
    {
        // A rotation that read its clock before a racing touch (or on an instance whose clock lags) never moves the
        // session's last use back.
        var store = await CreateStoreAsync();
        var old = await CreateAsync(store, NewUser());
        var touched = Time.GetUtcNow().AddMinutes(5);
        (await store.TouchAsync(old.Partition, old.IdHash, touched)).Should().BeTrue();
        var newId = SecureRandom.GetToken(32);

        (await store.RotateAsync(old.Partition, old.IdHash, newId, touched.AddMinutes(-1), null, null, null)).Status.Should().Be(SessionStoreStatus.Succeeded);

        (await store.GetAsync(old.Partition, newId)).Session!.LastUsedAt.Should().Be(touched);
    }

    [SkippableFact]
    public async Task Rotate_ExpiredUnknownOrRevokedAll_NotActive()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var a = await CreateAsync(store, user);
        (await store.RotateAsync(a.Partition, SecureRandom.GetToken(32), SecureRandom.GetToken(32), Time.GetUtcNow(), null, null, null)).Status.Should().Be(SessionStoreStatus.NotActive);
        (await store.RotateAsync(a.Partition, a.IdHash, SecureRandom.GetToken(32), Time.GetUtcNow() + Idle, null, null, null)).Status.Should().Be(SessionStoreStatus.NotActive);
        await store.RevokeAllAsync(a.Partition, user, null, Time.GetUtcNow());
        (await store.RotateAsync(a.Partition, a.IdHash, SecureRandom.GetToken(32), Time.GetUtcNow(), null, null, null)).Status.Should().Be(SessionStoreStatus.NotActive);
    }

    [SkippableFact]
    public async Task Create_ParallelAtLimit_ExactlyLimitSucceed()
    {
        // Callers on their own threads, released together, for several rounds (Task.Run over an in-memory store that
        // answers in microseconds ran them one after another).
        var store = await CreateStoreAsync();
        var now = Time.GetUtcNow();
        for (var round = 0; round < 10; round++)
        {
            var user = NewUser();
            var results = await SecurityKit.Testing.Race.RunAsync(24, async _ => (await store.CreateAsync(NewRecord(user), 5, SessionLimitMode.RefuseNew, now)).Status);
            results.Count(s => s == SessionStoreStatus.Succeeded).Should().Be(5, $"round {round}");
            results.Count(s => s == SessionStoreStatus.LimitReached).Should().Be(19);
            (await store.ListAsync(PartitionOf(user), user, now)).Should().HaveCount(5);
        }
    }

    [SkippableFact]
    public async Task Create_ParallelEvictOldest_KeepsExactlyTheLimitAndEvictsEachOtherOnce()
    {
        // Only RefuseNew was raced. With EvictOldest every creation succeeds, and at the end exactly the limit is active:
        // each evicted session was evicted by exactly one creation, and evicted + active = every session created.
        var store = await CreateStoreAsync();
        var user = NewUser();
        var now = Time.GetUtcNow();
        var records = Enumerable.Range(0, 24).Select(_ => NewRecord(user)).ToArray();
        var results = await SecurityKit.Testing.Race.RunValuesAsync(records.Length, i => store.CreateAsync(records[i], 5, SessionLimitMode.EvictOldest, now));

        results.Should().OnlyContain(r => r.Status == SessionStoreStatus.Succeeded);
        var evicted = results.SelectMany(r => r.EvictedIdHashes).ToList();
        evicted.Should().OnlyHaveUniqueItems().And.HaveCount(19);
        var active = (await store.ListAsync(PartitionOf(user), user, now)).Select(s => s.IdHash).ToList();
        active.Should().HaveCount(5);
        evicted.Concat(active).Should().BeEquivalentTo(records.Select(r => r.IdHash));
        foreach (var id in evicted)
        {
            (await store.GetAsync(PartitionOf(user), id)).Session!.RevokedAt.Should().NotBeNull();
        }
    }

    [SkippableFact]
    public async Task Rotate_ParallelOfTheSameSession_ExactlyOneWins()
    {
        var store = await CreateStoreAsync();
        for (var round = 0; round < 10; round++)
        {
            var old = await CreateAsync(store, NewUser());
            var now = Time.GetUtcNow();
            var successors = Enumerable.Range(0, 16).Select(_ => SecureRandom.GetToken(32)).ToArray();

            var results = await SecurityKit.Testing.Race.RunValuesAsync(successors.Length, i => store.RotateAsync(old.Partition, old.IdHash, successors[i], now, null, null, null));

            results.Count(r => r.Status == SessionStoreStatus.Succeeded).Should().Be(1, $"round {round}");
            results.Count(r => r.Status == SessionStoreStatus.NotActive).Should().Be(15);
            var winner = successors[Array.FindIndex(results, r => r.Status == SessionStoreStatus.Succeeded)];
            (await store.GetAsync(old.Partition, old.IdHash)).Session!.ReplacedBy.Should().Be(winner);
            foreach (var id in successors)
            {
                (await store.GetAsync(old.Partition, id)).Session.Should().Match<SessionRecord?>(s => (id == winner) == (s != null), "only the winner's session exists");
            }

            (await store.ListAsync(old.Partition, old.UserId, now)).Select(s => s.IdHash).Should().Equal(winner);
        }
    }

    [SkippableFact]
    public async Task Revoke_Parallel_ExactlyOneWins()
    {
        var store = await CreateStoreAsync();
        for (var round = 0; round < 10; round++)
        {
            var record = await CreateAsync(store, NewUser());
            var results = await SecurityKit.Testing.Race.RunValuesAsync(16, _ => store.RevokeAsync(record.Partition, record.IdHash, Time.GetUtcNow()));
            results.Count(r => r).Should().Be(1, $"round {round}");
            (await store.GetAsync(record.Partition, record.IdHash)).Session!.RevokedAt.Should().NotBeNull();
        }
    }

    [SkippableFact]
    public async Task RevokeAll_ConcurrentWithGets_NoGetAfterReturnSeesCurrentSession()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var sessions = new List<SessionRecord>();
        for (var i = 0; i < 20; i++)
        {
            sessions.Add(await CreateAsync(store, user));
        }

        // Four readers and the revoker on their own threads, released together; each reader keeps reading until it has
        // made 50 reads that began after RevokeAllAsync returned.
        var revoked = 0;
        var violations = 0;
        var readsAfter = 0;
        var outcomes = await SecurityKit.Testing.Race.RunAsync(5, async r =>
        {
            if (r == 4)
            {
                var n = await store.RevokeAllAsync(PartitionOf(user), user, null, Time.GetUtcNow());
                Volatile.Write(ref revoked, 1);
                return n;
            }

            var mineAfter = 0;
            var patience = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; mineAfter < 50 && patience.Elapsed < TimeSpan.FromSeconds(30); i++)
            {
                var after = Volatile.Read(ref revoked) == 1;
                var s = sessions[(i + r) % sessions.Count];
                var lookup = await store.GetAsync(s.Partition, s.IdHash);
                var current = lookup.Session is { RevokedAt: null } found && found.TokenVersion >= lookup.UserTokenVersion;
                if (after)
                {
                    mineAfter++;
                    if (current)
                    {
                        Interlocked.Increment(ref violations);
                    }
                }
            }

            Interlocked.Add(ref readsAfter, mineAfter);
            return 0;
        });
        var count = outcomes[4];

        readsAfter.Should().Be(200, "every reader read after the revocation returned");
        count.Should().Be(20);
        violations.Should().Be(0);
        foreach (var s in sessions)
        {
            var lookup = await store.GetAsync(s.Partition, s.IdHash);
            (lookup.Session!.RevokedAt is null && lookup.Session.TokenVersion >= lookup.UserTokenVersion).Should().BeFalse();
        }
    }
}
