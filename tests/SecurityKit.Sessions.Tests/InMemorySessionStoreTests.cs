using Microsoft.Extensions.Time.Testing;
using SecurityKit.Primitives;
using SecurityKit.Sessions.Tests.Conformance;
using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions.Tests;

public sealed class InMemorySessionStoreConformanceTests : SessionStoreConformanceTests
{
    protected override Task<ISessionStore> CreateStoreAsync() =>
        Task.FromResult<ISessionStore>(new InMemorySessionStore(new InMemorySessionStoreOptions(), Time));
}

public sealed class InMemorySessionStoreTests : SessionStoreConformanceTestsAccess
{
    [Fact]
    public async Task Create_WhenFullOfLiveSessions_RefusesWithStoreFull()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 3 }, Time);
        for (var i = 0; i < 3; i++)
        {
            (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue();
        }

        (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Status.Should().Be(SessionStoreStatus.StoreFull);
        store.Count.Should().Be(3);
    }

    private sealed class SteppableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Create_AfterTheClockSteppedBack_FullStoreOfExpiredRecordsIsStillSwept()
    {
        // The sweep gates compared "now >=" a next time set from a later reading: after a step back (NTP, a VM restore)
        // no sweep ran until the clock caught up, and a store full of expired records refused every sign-in (found in
        // review).
        var t = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var clock = new SteppableClock(t + TimeSpan.FromHours(2));
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 2 }, clock);
        SessionRecord Record(string user) => new()
        {
            Partition = PartitionOf(user),
            IdHash = Primitives.SecureRandom.GetToken(32),
            UserId = user,
            CreatedAt = clock.Now,
            LastUsedAt = clock.Now,
            IdleTimeout = TimeSpan.FromMinutes(30),
            AbsoluteExpiresAt = clock.Now + TimeSpan.FromHours(12),
        };

        var early = new[] { Record(NewUser()), Record(NewUser()) };
        foreach (var record in early)
        {
            (await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, clock.Now)).Succeeded.Should().BeTrue();
        }

        (await store.CreateAsync(Record(NewUser()), null, SessionLimitMode.EvictOldest, clock.Now)).Status.Should().Be(SessionStoreStatus.StoreFull, "full of live sessions: a full sweep ran and found nothing");
        foreach (var record in early)
        {
            (await store.RevokeAsync(record.Partition, record.IdHash, clock.Now)).Should().BeTrue();
        }

        clock.Now = t; // two hours back
        for (var i = 0; i < 2; i++)
        {
            (await store.CreateAsync(Record(NewUser()), null, SessionLimitMode.EvictOldest, clock.Now)).Succeeded.Should().BeTrue("in the revoked records' places");
        }

        clock.Now = t + TimeSpan.FromMinutes(31); // both idle-expired, and still before the first sweep's next time
        (await store.CreateAsync(Record(NewUser()), null, SessionLimitMode.EvictOldest, clock.Now)).Status.Should().Be(SessionStoreStatus.Succeeded);
    }

    [Fact]
    public async Task Rotate_WhenFullOfLiveSessions_RefusesWithStoreFullAndChangesNothing()
    {
        // Rotation writes the new record before the old one gives way: a full store refuses it (documented, so a host
        // treats it as a failed step-up), and the old session stays exactly as it was.
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 3 }, Time);
        var records = new List<SessionRecord>();
        for (var i = 0; i < 3; i++)
        {
            var record = NewRecord(NewUser());
            (await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue();
            records.Add(record);
        }

        var newId = SecureRandom.GetToken(32);
        (await store.RotateAsync(records[0].Partition, records[0].IdHash, newId, Time.GetUtcNow(), null, null, null)).Status.Should().Be(SessionStoreStatus.StoreFull);
        (await store.GetAsync(records[0].Partition, records[0].IdHash)).Session.Should().BeEquivalentTo(records[0]);
        (await store.GetAsync(records[0].Partition, newId)).Session.Should().BeNull();
        store.Count.Should().Be(3);
    }

    [Fact]
    public async Task Writes_SweepExpiredRecords_OncePerInterval()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { SweepInterval = TimeSpan.FromMinutes(1) }, Time);
        await store.CreateAsync(NewRecord(NewUser(), idle: TimeSpan.FromSeconds(30)), null, SessionLimitMode.EvictOldest, Time.GetUtcNow()); // sweeps (first write), next in 1 min
        Time.Advance(TimeSpan.FromSeconds(40));
        await store.CreateAsync(NewRecord(NewUser(), idle: TimeSpan.FromSeconds(30)), null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        store.Count.Should().Be(2, "the interval has not passed: the expired record is still there");

        Time.Advance(TimeSpan.FromSeconds(20)); // exactly one interval after the first sweep
        await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        store.Count.Should().Be(2, "this write swept the first record");

        Time.Advance(TimeSpan.FromSeconds(59));
        await store.RotateAsync(PartitionOf("x"), "missing", "other", Time.GetUtcNow(), null, null, null);
        store.Count.Should().Be(2, "the second record expired, but the next sweep is not due");
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.RotateAsync(PartitionOf("x"), "missing", "other", Time.GetUtcNow(), null, null, null);
        store.Count.Should().Be(1, "rotations sweep too");
    }

    [Fact]
    public async Task BelowCapacity_RevokedRecordsAreKept()
    {
        // They answer "revoked" (a stolen-token warning) until they expire; only a full store gives them up.
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 3 }, Time);
        var revoked = NewRecord(NewUser());
        await store.CreateAsync(revoked, null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        (await store.RevokeAsync(revoked.Partition, revoked.IdHash, Time.GetUtcNow())).Should().BeTrue();
        for (var i = 0; i < 2; i++)
        {
            (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue();
        }

        (await store.GetAsync(revoked.Partition, revoked.IdHash)).Session!.RevokedAt.Should().NotBeNull();
        store.TombstoneCount.Should().Be(1);
    }

    [Fact]
    public async Task AtCapacity_TheOldestRevokedRecordGivesWay_OnePercentAtATime()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 100, SweepInterval = TimeSpan.FromDays(1) }, Time);
        var records = new List<SessionRecord>();
        for (var i = 0; i < 100; i++)
        {
            var record = NewRecord(NewUser());
            records.Add(record);
            (await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue();
        }

        for (var i = 0; i < 3; i++)
        {
            (await store.RevokeAsync(records[i].Partition, records[i].IdHash, Time.GetUtcNow())).Should().BeTrue();
        }

        (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue();
        store.TombstoneCount.Should().Be(2, "1 % of 100 records: one tombstone dropped");
        (await store.GetAsync(records[0].Partition, records[0].IdHash)).Session.Should().BeNull("the oldest revoked record went first");
        (await store.GetAsync(records[1].Partition, records[1].IdHash)).Session!.RevokedAt.Should().NotBeNull();
        store.Count.Should().Be(100);
    }

    [Fact]
    public async Task AtCapacity_WithoutRevokedRecords_SweepsExpiredAtMostOncePerSecond()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 2, SweepInterval = TimeSpan.FromDays(1) }, Time);
        await store.CreateAsync(NewRecord(NewUser(), idle: TimeSpan.FromMinutes(1)), null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        await store.CreateAsync(NewRecord(NewUser(), idle: TimeSpan.FromHours(1)), null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        Time.Advance(TimeSpan.FromMinutes(2));

        (await store.CreateAsync(NewRecord(NewUser(), idle: TimeSpan.FromMilliseconds(100)), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue("a full sweep freed the expired record");
        Time.Advance(TimeSpan.FromMilliseconds(500));
        (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Status.Should().Be(SessionStoreStatus.StoreFull, "the last full sweep was less than a second ago");
        Time.Advance(TimeSpan.FromMilliseconds(500));
        (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue("a second later the store may sweep again");
        store.Count.Should().Be(2);
    }

    [Fact]
    public async Task AtCapacity_ARevokedRecordMakesRoom()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 2 }, Time);
        var revoked = NewRecord(NewUser());
        await store.CreateAsync(revoked, null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        await store.RevokeAsync(revoked.Partition, revoked.IdHash, Time.GetUtcNow());
        await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow());

        (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue();
        (await store.GetAsync(revoked.Partition, revoked.IdHash)).Session.Should().BeNull();
        store.Count.Should().Be(2);
    }

    [Theory]
    [InlineData(1, 1, 1.0, true)]
    [InlineData(10_000_000, 1, 86_400.0, true)]
    [InlineData(0, 1, 60.0, false)]
    [InlineData(10_000_001, 1, 60.0, false)]
    [InlineData(10, 0, 60.0, false)]
    [InlineData(10, 1, 0.999, false)]
    public void Validator_Boundaries(int maxSessions, int maxPerUser, double sweepSeconds, bool valid)
    {
        var result = new InMemorySessionStoreOptionsValidator().Validate(null, new InMemorySessionStoreOptions
        {
            MaxSessions = maxSessions,
            MaxSessionsPerUser = maxPerUser,
            SweepInterval = TimeSpan.FromSeconds(sweepSeconds),
        });
        result.Succeeded.Should().Be(valid);
        if (!valid)
        {
            result.FailureMessage.Should().StartWith("InMemorySessionStoreOptions.");
        }
    }

    [Fact]
    public async Task Create_WhenFull_SweepsExpiredFirst()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 3 }, Time);
        for (var i = 0; i < 3; i++)
        {
            await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        }

        Time.Advance(Idle + TimeSpan.FromSeconds(1));
        (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue();
        store.Count.Should().Be(1);
    }

    [Fact]
    public async Task Create_StoreFullOfOneAccountsRevokedSessions_OthersStillSignIn_LiveSessionsKept()
    {
        // One account signing in and out in a loop leaves revoked records ("tombstones") until they would have
        // expired; they must give way before anyone is refused, and never take a live session with them.
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 200 }, Time);
        var live = Enumerable.Range(0, 20).Select(_ => NewRecord(NewUser())).ToList();
        foreach (var record in live)
        {
            (await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue();
        }

        var attacker = NewUser();
        SessionRecord last = null!;
        for (var i = 0; i < 2_000; i++)
        {
            last = NewRecord(attacker);
            (await store.CreateAsync(last, null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue($"sign-in {i} finds room by dropping old tombstones");
            (await store.RevokeAsync(last.Partition, last.IdHash, Time.GetUtcNow())).Should().BeTrue();
            store.Count.Should().BeLessThanOrEqualTo(200);
        }

        (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue("another user can still sign in");
        foreach (var record in live)
        {
            var lookup = await store.GetAsync(record.Partition, record.IdHash);
            lookup.Session.Should().NotBeNull("live sessions are never dropped to make room");
            lookup.Session!.RevokedAt.Should().BeNull();
        }

        (await store.GetAsync(last.Partition, last.IdHash)).Session!.RevokedAt.Should().NotBeNull("recent revocations still report revoked");
        store.TombstoneCount.Should().BeLessThan(200);
    }

    [Fact]
    public async Task Create_FullOfLiveSessions_RefusesWithoutAFullSweepOnEveryAttempt()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 50 }, Time);
        for (var i = 0; i < 50; i++)
        {
            await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        }

        // Within one second only the first refusal may sweep; the outcome is the same for all of them.
        for (var i = 0; i < 100; i++)
        {
            (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Status.Should().Be(SessionStoreStatus.StoreFull);
        }

        Time.Advance(Idle + TimeSpan.FromSeconds(1));
        (await store.CreateAsync(NewRecord(NewUser()), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Succeeded.Should().BeTrue("a second later the sweep runs again and finds the expired records");
    }

    [Fact]
    public async Task Flood_OfDistinctUsers_StaysBounded()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 500, SweepInterval = TimeSpan.FromMinutes(1) }, Time);
        var refused = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var result = await store.CreateAsync(NewRecord("u" + i, idle: TimeSpan.FromMinutes(1)), null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
            refused += result.Status == SessionStoreStatus.StoreFull ? 1 : 0;
            store.Count.Should().BeLessThanOrEqualTo(500);
            Time.Advance(TimeSpan.FromMilliseconds(50));
        }

        refused.Should().BeGreaterThan(0);
        Time.Advance(TimeSpan.FromMinutes(2));
        store.Sweep();
        store.Count.Should().Be(0);
    }

    [Fact]
    public async Task Create_NoCallerLimit_StoreBoundPerUserEvictsOldest()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessionsPerUser = 3 }, Time);
        var user = NewUser();
        for (var i = 0; i < 5; i++)
        {
            (await store.CreateAsync(NewRecord(user), null, SessionLimitMode.RefuseNew, Time.GetUtcNow())).Succeeded.Should().BeTrue();
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        (await store.ListAsync(PartitionOf(user), user, Time.GetUtcNow())).Should().HaveCount(3);
    }

    [Fact]
    public async Task Sweep_RemovesRevokedOnlyOnceExpired()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions(), Time);
        var record = NewRecord(NewUser());
        await store.CreateAsync(record, null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
        await store.RevokeAsync(record.Partition, record.IdHash, Time.GetUtcNow());
        store.Sweep().Should().Be(0);
        (await store.GetAsync(record.Partition, record.IdHash)).Session!.RevokedAt.Should().NotBeNull();
        Time.Advance(Idle);
        store.Sweep().Should().Be(1);
        (await store.GetAsync(record.Partition, record.IdHash)).Session.Should().BeNull();
    }

    [Fact]
    public async Task SweepAndCreate_Concurrent_CountStaysExact()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 10_000, SweepInterval = TimeSpan.FromSeconds(1) }, Time);
        var users = Enumerable.Range(0, 8).Select(i => "user" + i).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await store.CreateAsync(NewRecord(users[(t + i) % users.Length], idle: TimeSpan.FromMinutes(1)), null, SessionLimitMode.EvictOldest, Time.GetUtcNow());
                if (i % 50 == 0)
                {
                    store.Sweep();
                }
            }
        })));
        var listed = 0;
        foreach (var user in users)
        {
            listed += (await store.ListAsync(PartitionOf(user), user, Time.GetUtcNow())).Count;
        }

        listed.Should().Be(1600);
        store.Count.Should().Be(1600);
        Time.Advance(TimeSpan.FromMinutes(2));
        store.Sweep().Should().Be(1600);
        store.Count.Should().Be(0);
    }

    [Fact]
    public void Constructor_OutOfRangeOptions_Throw()
    {
        var time = new FakeTimeProvider();
        FluentActions.Invoking(() => new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 0 }, time)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessionsPerUser = 0 }, time)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new InMemorySessionStore(new InMemorySessionStoreOptions { MaxSessions = 10_000_001 }, time)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new InMemorySessionStore(new InMemorySessionStoreOptions { SweepInterval = TimeSpan.FromMilliseconds(999) }, time)).Should().Throw<ArgumentOutOfRangeException>();

        // "Never sweep" as TimeSpan.MaxValue made every write overflow computing the next sweep: refused up front.
        FluentActions.Invoking(() => new InMemorySessionStore(new InMemorySessionStoreOptions { SweepInterval = TimeSpan.MaxValue }, time)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new InMemorySessionStore(new InMemorySessionStoreOptions { SweepInterval = InMemorySessionStoreOptions.MaxSweepInterval }, time)).Should().NotThrow();
        FluentActions.Invoking(() => new InMemorySessionStore(new InMemorySessionStoreOptions { SweepInterval = TimeSpan.FromSeconds(1) }, time)).Should().NotThrow();
    }

    [Fact]
    public async Task LongestSweepInterval_WritesStillWork()
    {
        var store = new InMemorySessionStore(new InMemorySessionStoreOptions { SweepInterval = InMemorySessionStoreOptions.MaxSweepInterval }, Time);
        (await store.CreateAsync(NewRecord("u"), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Status.Should().Be(SessionStoreStatus.Succeeded);
        Time.Advance(TimeSpan.FromDays(2));
        (await store.CreateAsync(NewRecord("u"), null, SessionLimitMode.EvictOldest, Time.GetUtcNow())).Status.Should().Be(SessionStoreStatus.Succeeded);
    }
}

/// <summary>Gives store-specific tests the conformance helpers without re-running the conformance facts.</summary>
public abstract class SessionStoreConformanceTestsAccess
{
    protected static readonly TimeSpan Idle = TimeSpan.FromMinutes(30);

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));

    protected static string NewUser() => "user-" + Primitives.SecureRandom.GetToken(16);

    protected static string PartitionOf(string userId) => SessionToken.Partition(userId);

    protected SessionRecord NewRecord(string userId, TimeSpan? idle = null)
    {
        var now = Time.GetUtcNow();
        return new SessionRecord
        {
            Partition = PartitionOf(userId),
            IdHash = Primitives.SecureRandom.GetToken(32),
            UserId = userId,
            CreatedAt = now,
            LastUsedAt = now,
            IdleTimeout = idle ?? Idle,
            AbsoluteExpiresAt = now + TimeSpan.FromHours(12),
        };
    }
}
