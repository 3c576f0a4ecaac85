using SecurityKit.RateLimiting.Stores;
using SecurityKit.RateLimiting.Tests.Conformance;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Tests.Stores;

public sealed class InMemoryRateLimitStoreConformanceTests : RateLimitStoreConformanceTests
{
    protected override IRateLimitStore CreateStore() => new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), Time);
}

public sealed class InMemoryRateLimitStoreTests
{
    [Fact]
    public void TryAcquire_FloodOfDistinctKeys_StaysBounded()
    {
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, time);
        var rule = RateLimitRule.TokenBucket(5, TimeSpan.FromHours(1));

        for (var i = 0; i < 20_000; i++)
        {
            store.TryAcquire("flood:" + i, rule).IsAllowed.Should().BeTrue();
        }

        store.Count.Should().BeLessThanOrEqualTo(1000);
    }

    [Fact]
    public void TryAcquire_WhenFull_EvictsEntriesClosestToExpiryFirst()
    {
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, time);
        var longRule = RateLimitRule.FixedWindow(1, TimeSpan.FromDays(1));
        var shortRule = RateLimitRule.FixedWindow(1, TimeSpan.FromMinutes(1));
        store.TryAcquire("victim", longRule).IsAllowed.Should().BeTrue();

        for (var i = 0; i < 5000; i++)
        {
            store.TryAcquire("flood:" + i, shortRule);
        }

        store.TryAcquire("victim", longRule).IsAllowed.Should().BeFalse("the long-lived entry outlives short-lived flood entries");
    }

    [Fact]
    public void TryAcquire_WhenFull_EvictsRateLimitEntriesBeforeLockoutCounters()
    {
        // One store serves an API limiter and the lockouts. By expiry alone, a flood of anonymous requests on fresh keys
        // under a 1-day sliding window (kept up to 2 days) evicted a 24-hour lockout counter: 6 failures forgotten.
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, time);
        var lockout = new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 100, TimeSpan.FromDays(1), permanent: false);
        for (var i = 0; i < 5; i++)
        {
            store.RegisterAttempt("login:victim", lockout).IsAllowed.Should().BeTrue();
        }

        var api = RateLimitRule.SlidingWindow(1000, TimeSpan.FromDays(1));
        for (var i = 0; i < 5000; i++)
        {
            store.TryAcquire("api:" + i, api).IsAllowed.Should().BeTrue();
        }

        store.Count.Should().BeLessThanOrEqualTo(1000);
        var next = store.RegisterAttempt("login:victim", lockout);
        next.IsAllowed.Should().BeFalse("the fifth failure set a 1 s delay, and the flood must not have evicted the counter");
        next.Failures.Should().Be(5);

        // When only lockout counters are left, they are evicted soonest expiry first (the bound still holds).
        for (var i = 0; i < 3000; i++)
        {
            store.RegisterAttempt("login:a" + i, lockout);
        }

        store.Count.Should().BeLessThanOrEqualTo(1000);
    }

    [Fact]
    public void RegisterAttempt_WhenFull_FreshLockoutCountersCannotEvictADrainedAddressBucket()
    {
        // The login store holds the per-address buckets and the account counters. With every rate-limit entry evicted
        // before any lockout counter, failures against fresh accounts (two counters each) evicted every drained
        // address bucket, and a blocked address had its full budget again (found in review).
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, time);
        var address = RateLimitRule.TokenBucket(50, TimeSpan.FromHours(1));
        for (var i = 0; i < 50; i++)
        {
            store.TryAcquire("i:attacker", address).IsAllowed.Should().BeTrue();
        }

        store.TryAcquire("i:lightly-used", address).IsAllowed.Should().BeTrue();
        var lockout = new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 100, TimeSpan.FromDays(1), permanent: false);
        for (var i = 0; i < 3000; i++)
        {
            store.RegisterAttempt("a:" + i, lockout).IsAllowed.Should().BeTrue();
        }

        store.Count.Should().BeLessThanOrEqualTo(1000);
        store.TryAcquire("i:attacker", address).IsAllowed.Should().BeFalse("a drained bucket holds its whole limit: it goes after any counter with one failure");
        store.TryAcquire("i:lightly-used", address, 0).Remaining.Should().Be(50, "a bucket with one permit of 50 used goes before counters with one failure of five free, and comes back full");
    }

    [Fact]
    public void TryAcquire_WhenFull_EvictsTheEntriesHoldingLeastOfTheirLimitFirst()
    {
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, time);
        var rule = RateLimitRule.FixedWindow(10, TimeSpan.FromHours(1));
        var sliding = RateLimitRule.SlidingWindow(10, TimeSpan.FromHours(1));
        for (var i = 0; i < 9; i++)
        {
            store.TryAcquire("busy", rule).IsAllowed.Should().BeTrue();
            store.TryAcquire("busy-sliding", sliding).IsAllowed.Should().BeTrue();
        }

        var lockout = new LockoutRule(4, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 100, TimeSpan.FromDays(1), permanent: false);
        for (var i = 0; i < 3; i++)
        {
            store.RegisterAttempt("login:three-of-four", lockout).IsAllowed.Should().BeTrue();
        }

        // 5,000 keys holding 5 of 10 each (0.5): every one of them is cheaper to forget than 9 of 10 or 3 of 4 free.
        for (var i = 0; i < 5000; i++)
        {
            store.TryAcquire("flood:" + i, rule, 5).IsAllowed.Should().BeTrue();
        }

        store.Count.Should().BeLessThanOrEqualTo(1000);
        store.TryAcquire("busy", rule, 0).Remaining.Should().Be(1);
        store.TryAcquire("busy-sliding", sliding, 0).Remaining.Should().Be(1);
        store.RegisterAttempt("login:three-of-four", lockout).Failures.Should().Be(4);

        // A counter with one failure of four (0.25) is cheaper than the flood's 0.5: it goes first.
        store.RegisterAttempt("login:one-of-four", lockout).Failures.Should().Be(1);
        for (var i = 0; i < 2000; i++)
        {
            store.TryAcquire("flood2:" + i, rule, 5).IsAllowed.Should().BeTrue();
        }

        store.RegisterAttempt("login:one-of-four", lockout).Failures.Should().Be(1, "its first failure was forgotten: this is a fresh count");
        store.RegisterAttempt("login:three-of-four", lockout).IsAllowed.Should().BeFalse("the fourth failure set a delay, and 4 of 4 outweighs every flood key");
    }

    [Fact]
    public void Weight_IsTheShareOfTheLimitHeld_ForEachKind()
    {
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, time);
        var bucket = RateLimitRule.TokenBucket(10, TimeSpan.FromSeconds(10));
        var fixedWindow = RateLimitRule.FixedWindow(10, TimeSpan.FromSeconds(10));
        var sliding = RateLimitRule.SlidingWindow(10, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 3; i++)
        {
            store.TryAcquire("bucket", bucket).IsAllowed.Should().BeTrue();
        }

        for (var i = 0; i < 4; i++)
        {
            store.TryAcquire("fixed", fixedWindow).IsAllowed.Should().BeTrue();
        }

        for (var i = 0; i < 6; i++)
        {
            store.TryAcquire("sliding", sliding).IsAllowed.Should().BeTrue();
        }

        var lockout = new LockoutRule(4, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 100, TimeSpan.FromDays(1), permanent: false);
        for (var i = 0; i < 3; i++)
        {
            store.RegisterAttempt("lockout", lockout).IsAllowed.Should().BeTrue();
        }

        var permanent = new LockoutRule(1, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 2, TimeSpan.FromDays(1), permanent: true);
        store.RegisterAttempt("permanent", permanent);
        store.WeightOf("permanent").Should().Be(1, "one failure of one free");

        store.WeightOf("bucket").Should().BeApproximately(0.3, 1e-9, "3 permits of 10 owed");
        store.WeightOf("fixed").Should().BeApproximately(0.4, 1e-9);
        store.WeightOf("sliding").Should().BeApproximately(0.6, 1e-9);
        store.WeightOf("lockout").Should().BeApproximately(0.75, 1e-9, "3 failures of 4 free");
        store.WeightOf("absent").Should().Be(-1);

        time.Advance(TimeSpan.FromSeconds(1));
        store.RegisterAttempt("permanent", permanent).RetryAfter.Should().Be(TimeSpan.MaxValue);
        store.WeightOf("permanent").Should().Be(double.PositiveInfinity);
        store.WeightOf("bucket").Should().BeApproximately(0.2, 1e-9, "one permit refilled per second");

        time.Advance(TimeSpan.FromSeconds(11)); // 12 s: the next window, 20 % into it
        store.WeightOf("fixed").Should().Be(0, "its window is over");
        store.WeightOf("bucket").Should().Be(0, "full again");
        store.WeightOf("sliding").Should().BeApproximately(0.48, 1e-9, "6 of the previous window, weighted by the 80 % of it still in view");
        store.TryAcquire("sliding", sliding, 2).IsAllowed.Should().BeTrue();
        store.WeightOf("sliding").Should().BeApproximately(0.68, 1e-9, "2 in this window and 4.8 carried over");
        time.Advance(TimeSpan.FromSeconds(4)); // 16 s: 60 % into the window
        store.WeightOf("sliding").Should().BeApproximately(0.44, 1e-9, "2 + 6 x 40 %");
        time.Advance(TimeSpan.FromSeconds(10)); // 26 s: the window after, 60 % in: only the 2 of the previous one, 40 % in view
        store.WeightOf("sliding").Should().BeApproximately(0.08, 1e-9);
        time.Advance(TimeSpan.FromSeconds(10)); // 36 s: two windows on, expired (not yet swept)
        store.WeightOf("sliding").Should().Be(0);
    }

    [Fact]
    public void TryAcquire_WhenFull_AtEqualWeight_RateLimitEntriesGoBeforeLockoutCounters()
    {
        // A lockout counter at its free attempts (1.0) against a flood of 1-per-day keys (1.0 each): the flood goes first,
        // even though the counter's 1-hour window would expire sooner.
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, time);
        var lockout = new LockoutRule(3, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 100, TimeSpan.FromHours(1), permanent: false);
        for (var i = 0; i < 3; i++)
        {
            store.RegisterAttempt("login:victim", lockout).IsAllowed.Should().BeTrue();
        }

        var daily = RateLimitRule.FixedWindow(1, TimeSpan.FromDays(1));
        for (var i = 0; i < 3000; i++)
        {
            store.TryAcquire("flood:" + i, daily).IsAllowed.Should().BeTrue();
        }

        store.WeightOf("login:victim").Should().Be(1);
        store.RegisterAttempt("login:victim", lockout).IsAllowed.Should().BeFalse("kept: its third failure set a delay");
    }

    [Fact]
    public void RegisterAttempt_WhenFull_PermanentLocksGoLast()
    {
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, time);
        var permanent = new LockoutRule(1, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 2, TimeSpan.FromMinutes(1), permanent: true);
        store.RegisterAttempt("login:locked", permanent).IsAllowed.Should().BeTrue();
        time.Advance(TimeSpan.FromSeconds(1));
        store.RegisterAttempt("login:locked", permanent).RetryAfter.Should().Be(TimeSpan.MaxValue, "the second failure is the hard stop");
        var drained = RateLimitRule.FixedWindow(1, TimeSpan.FromDays(1));
        for (var i = 0; i < 3000; i++)
        {
            store.TryAcquire("flood:" + i, drained).IsAllowed.Should().BeTrue();
        }

        store.RegisterAttempt("login:locked", permanent).RetryAfter.Should().Be(TimeSpan.MaxValue);
    }

    [Fact]
    public void TryAcquire_AfterSweepInterval_RemovesExpiredEntries()
    {
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000, SweepInterval = TimeSpan.FromMinutes(1) }, time);
        var rule = RateLimitRule.FixedWindow(1, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 100; i++)
        {
            store.TryAcquire("old:" + i, rule);
        }

        time.Advance(TimeSpan.FromMinutes(2));
        store.TryAcquire("new", rule);

        store.Count.Should().Be(1);
    }

    [Fact]
    public void Sweep_KeepsEveryLiveEntryOfEveryKind_DropsEachWhenItExpires()
    {
        // A sweep that dropped live state would hand out a fresh count (a limit bypass) or forget failures (a lockout
        // lifted early); one that kept dead state would break the memory bound. Windows start when the store is created.
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000, SweepInterval = TimeSpan.FromMinutes(1) }, time);
        var tenMinutes = TimeSpan.FromMinutes(10);
        var counting = new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 100, TimeSpan.FromHours(1), permanent: false);
        var capped = new LockoutRule(1, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 2, TimeSpan.FromHours(1), permanent: false);
        var permanent = new LockoutRule(1, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 2, TimeSpan.FromHours(1), permanent: true);
        var trigger = RateLimitRule.FixedWindow(1, TimeSpan.FromSeconds(1));

        store.RegisterAttempt("capped", capped);
        store.RegisterAttempt("permanent", permanent);
        time.Advance(TimeSpan.FromSeconds(2)); // past the 1 s delay after the free attempt
        store.RegisterAttempt("capped", capped).Failures.Should().Be(2, "at the hard stop of a lock that is not permanent: 1 h");
        store.RegisterAttempt("permanent", permanent).Failures.Should().Be(2, "locked for good");

        store.TryAcquire("fixed", RateLimitRule.FixedWindow(2, tenMinutes)).Remaining.Should().Be(1); // expires at 10 min
        store.TryAcquire("bucket", RateLimitRule.TokenBucket(2, tenMinutes), 2).IsAllowed.Should().BeTrue(); // empty until 10 min 2 s
        for (var i = 0; i < 10; i++)
        {
            store.TryAcquire("sliding", RateLimitRule.SlidingWindow(10, tenMinutes)); // weighs on the next window: 20 min
        }

        store.RegisterAttempt("counting", counting);
        store.RegisterAttempt("counting", counting); // 1 h after the last attempt
        store.Count.Should().Be(6);

        time.Advance(TimeSpan.FromMinutes(9));
        store.TryAcquire("trigger-1", trigger); // a new key after the sweep interval runs a sweep
        store.Count.Should().Be(7, "nothing had expired at 9 min");
        store.TryAcquire("fixed", RateLimitRule.FixedWindow(2, tenMinutes)).Remaining.Should().Be(0, "the fixed window kept its count");
        store.TryAcquire("sliding", RateLimitRule.SlidingWindow(10, tenMinutes)).IsAllowed.Should().BeFalse("the sliding window kept its count");
        store.RegisterAttempt("counting", counting).Failures.Should().Be(3, "the failures were kept");

        time.Advance(TimeSpan.FromMinutes(6)); // 15 min 2 s: the fixed window, the bucket and trigger-1 are over
        store.TryAcquire("trigger-2", trigger);
        store.Count.Should().Be(5, "sliding, counting, capped, permanent and trigger-2");
        store.TryAcquire("sliding", RateLimitRule.SlidingWindow(10, tenMinutes)).Remaining.Should().Be(4, "the previous window's 10 still weigh about half");

        time.Advance(TimeSpan.FromHours(2));
        store.TryAcquire("trigger-3", trigger);
        store.Count.Should().Be(2, "only the permanent lock and trigger-3 remain: the capped lock was not permanent");
        store.RegisterAttempt("permanent", permanent).IsAllowed.Should().BeFalse();
    }

    [Fact]
    public void TryAcquire_KeyUsedWithAnotherRule_StartsOver()
    {
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), TestKeys.Clock());
        store.TryAcquire("k", RateLimitRule.FixedWindow(1, TimeSpan.FromMinutes(1))).IsAllowed.Should().BeTrue();

        store.TryAcquire("k", RateLimitRule.TokenBucket(1, TimeSpan.FromMinutes(1))).IsAllowed.Should().BeTrue();
        store.Count.Should().Be(1);
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task TryAcquire_ThreadsReleasedTogetherPastTheLimit_AdmitExactlyTheLimitEachWithItsOwnCount(RateLimitAlgorithm algorithm)
    {
        // Four dedicated threads released by a barrier race on one key with twice the limit in checks (a lost update
        // admits more than the limit or hands two callers the same "remaining"). One check takes ~20 ns, so unreleased
        // tasks would mostly run one after the other on 2 cores; rounds give the race more chances.
        const int Limit = 20_000;
        const int Threads = 4;
        for (var round = 0; round < 10; round++)
        {
            var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), TestKeys.Clock());
            var rule = new RateLimitRule(algorithm, Limit, TimeSpan.FromHours(1));
            var perThread = await SecurityKit.Testing.Race.RunAsync(Threads, _ =>
            {
                var remaining = new List<long>(Limit);
                for (var i = 0; i < 2 * Limit / Threads; i++)
                {
                    var decision = store.TryAcquire("hot", rule);
                    if (decision.IsAllowed)
                    {
                        remaining.Add(decision.Remaining);
                    }
                }

                return Task.FromResult(remaining);
            });

            var granted = perThread.SelectMany(r => r).ToList();

            granted.Should().HaveCount(Limit, $"round {round}");
            granted.Distinct().Should().HaveCount(Limit, $"round {round}: every admitted check saw its own count");
            granted.Min().Should().Be(0);
            granted.Max().Should().Be(Limit - 1);
            store.TryAcquire("hot", rule, 0).Remaining.Should().Be(0);
        }
    }

    [Theory]
    [InlineData(1_000_000)] // never binding: every check counts exactly once across the move into window 1
    [InlineData(5_000)] // binding: exactly the limit is admitted across windows 0 and 1 (all checks in window 1 land at its start)
    public async Task TryAcquire_SlidingWindowMovedOnByRacingThreadsWithStaleReadings_CountsEveryGrantOnce(int limit)
    {
        // Half of the threads read the clock just before the end of window 0, half at the start of window 1, so the
        // key moves into window 1 while stale callers still count into window 0. The count of window 0 must reach
        // window 1's estimate exactly: at the start of window 1 the previous window weighs fully, so the peek's
        // remaining is limit − (every grant), and a lost update of that count would admit more than the limit.
        var window = TimeSpan.FromSeconds(1);
        for (var round = 0; round < 20; round++)
        {
            PerThreadClock.Now = 0;
            var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), new PerThreadClock());
            var rule = RateLimitRule.SlidingWindow(limit, window);
            PerThreadClock.Now = window.Ticks / 2;
            var granted = store.TryAcquire("hot", rule, Math.Min(limit / 2, 1_000)).IsAllowed ? Math.Min(limit / 2, 1_000) : 0;
            using var start = new Barrier(8);
            var workers = Enumerable.Range(0, 8).Select(worker => Task.Factory.StartNew(
                () =>
                {
                    PerThreadClock.Now = worker % 2 == 0 ? window.Ticks - 1 : window.Ticks;
                    start.SignalAndWait();
                    var mine = 0;
                    for (var i = 0; i < 2_000; i++)
                    {
                        mine += store.TryAcquire("hot", rule).IsAllowed ? 1 : 0;
                    }

                    return mine;
                },
                TaskCreationOptions.LongRunning));

            granted += (await Task.WhenAll(workers)).Sum();

            PerThreadClock.Now = window.Ticks;
            var peek = store.TryAcquire("hot", rule, 0);
            granted.Should().Be(Math.Min(limit, 16_000 + Math.Min(limit / 2, 1_000)), $"round {round}");
            peek.Remaining.Should().Be(limit - granted, $"round {round}");
        }
    }

    [Fact]
    public async Task TryAcquire_SlidingWindowMoverThatReadAnOlderCount_DoesNotLowerThePreviousWindowsCount()
    {
        // Two checks move the key into window 1. A read window 0's count (10) and stalls; meanwhile a stale caller adds 5
        // to window 0 and B moves the key on with the final count (15). When A resumes, its older count must not
        // replace 15: the previous window would forget 5 permits.
        PerThreadClock.Now = 0;
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), new PerThreadClock());
        var rule = RateLimitRule.SlidingWindow(1_000, TimeSpan.FromSeconds(1));
        PerThreadClock.Now = TimeSpan.FromMilliseconds(500).Ticks;
        store.TryAcquire("k", rule, 10).IsAllowed.Should().BeTrue();

        using var aStalled = new ManualResetEventSlim();
        using var resumeA = new ManualResetEventSlim();
        var threadA = -1;
        store.BeforeWindowMove = () =>
        {
            if (Environment.CurrentManagedThreadId == Volatile.Read(ref threadA))
            {
                aStalled.Set();
                resumeA.Wait();
            }
        };
        var moverA = Task.Factory.StartNew(
            () =>
            {
                Volatile.Write(ref threadA, Environment.CurrentManagedThreadId);
                PerThreadClock.Now = TimeSpan.FromSeconds(1).Ticks;
                return store.TryAcquire("k", rule);
            },
            TaskCreationOptions.LongRunning);
        aStalled.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue();

        PerThreadClock.Now = TimeSpan.FromMilliseconds(999).Ticks;
        store.TryAcquire("k", rule, 5).Should().Be(new RateLimitDecision(true, 985, TimeSpan.Zero), "a stale caller still counts into window 0");
        PerThreadClock.Now = TimeSpan.FromSeconds(1).Ticks;
        store.TryAcquire("k", rule).Should().Be(new RateLimitDecision(true, 984, TimeSpan.Zero), "B moves the key on with window 0's final count");
        resumeA.Set();

        (await moverA).Should().Be(new RateLimitDecision(true, 983, TimeSpan.Zero));
        store.TryAcquire("k", rule, 0).Remaining.Should().Be(983, "window 0's 15 permits weigh fully at the start of window 1");
    }

    /// <summary>A clock each thread sets for itself, to make callers hold different readings at the same moment.</summary>
    private sealed class PerThreadClock : TimeProvider
    {
        [ThreadStatic]
        private static long t_now;

        public static long Now
        {
            set => t_now = value;
        }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => t_now;
    }

    [Fact]
    public void TryAcquire_SystemClock_UsesCoarseClockAndStillLimits()
    {
        var store = new InMemoryRateLimitStore();
        var rule = RateLimitRule.TokenBucket(2, TimeSpan.FromMinutes(1));

        store.TryAcquire("k", rule).IsAllowed.Should().BeTrue();
        store.TryAcquire("k", rule).IsAllowed.Should().BeTrue();
        var denied = store.TryAcquire("k", rule);

        denied.IsAllowed.Should().BeFalse();
        denied.RetryAfter.Should().BeCloseTo(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        FluentActions.Invoking(() => new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 10 }, TimeProvider.System))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { SweepInterval = TimeSpan.Zero }, TimeProvider.System))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { SweepInterval = TimeSpan.FromMilliseconds(999) }, TimeProvider.System))
            .Should().Throw<ArgumentOutOfRangeException>("a sweep per new key would keep a core busy");
        FluentActions.Invoking(() => new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { SweepInterval = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1) }, TimeProvider.System))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { SweepInterval = TimeSpan.FromSeconds(1) }, TimeProvider.System)).Should().NotThrow();
        FluentActions.Invoking(() => new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { SweepInterval = TimeSpan.FromDays(1) }, TimeProvider.System)).Should().NotThrow();
    }

    [Fact]
    public async Task AcquireAsync_CanceledToken_ReturnsCanceled()
    {
        var store = new InMemoryRateLimitStore();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await FluentActions.Awaiting(async () => await store.AcquireAsync("k", RateLimitRule.FixedWindow(1, TimeSpan.FromSeconds(1)), 1, cts.Token))
            .Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Count_ChecksRacingResets_StaysExact()
    {
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        var rule = RateLimitRule.FixedWindow(1_000_000, TimeSpan.FromMinutes(1));
        var keys = Enumerable.Range(0, 4).Select(i => "hot" + i).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var key = keys[i % keys.Length];
                if ((i + t) % 3 == 0)
                {
                    store.Reset(key);
                }
                else
                {
                    store.TryAcquire(key, rule);
                }
            }
        })));

        foreach (var key in keys)
        {
            store.Reset(key);
        }

        store.Count.Should().Be(0, "a check that removes a dead entry must decrement the count, or the store drifts to 'full' and evicts every counter");
    }

    [Fact]
    public void Bound_EvictionStartsOnlyWhenFull_AndCutsToNinetyPercent()
    {
        // Exact counts (mutation testing: "at least MaxEntries" vs "more than" survived the flood test's upper bound).
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000 }, TestKeys.Clock());
        var rule = RateLimitRule.TokenBucket(5, TimeSpan.FromHours(1));
        for (var i = 0; i < 1000; i++)
        {
            store.TryAcquire("k:" + i, rule);
        }

        store.Count.Should().Be(1000, "nothing is evicted before the store is full");
        store.TryAcquire("k:1000", rule);
        store.Count.Should().Be(901, "a full store evicts down to 90 % (900), then adds the new key");
        store.TryAcquire("k:1000", rule).Remaining.Should().Be(3, "the new key was kept");
    }

    [Fact]
    public void Sweep_AtExactlyTheInterval_DropsEntriesExpiringExactlyNow()
    {
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions { MaxEntries = 1000, SweepInterval = TimeSpan.FromMinutes(1) }, time);
        store.TryAcquire("window", RateLimitRule.FixedWindow(1, TimeSpan.FromMinutes(1)));
        store.RegisterAttempt("lockout", new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 10, TimeSpan.FromMinutes(1), permanent: false));
        store.Count.Should().Be(2);

        time.Advance(TimeSpan.FromMinutes(1));
        store.TryAcquire("trigger", RateLimitRule.FixedWindow(1, TimeSpan.FromHours(1)));

        store.Count.Should().Be(1, "the sweep ran at exactly one interval and both entries expired exactly now");
    }
}

public sealed class SlidingWindowMathTests
{
    private const long Window = 1000;

    [Fact]
    public void Denied_OnlyTheNextWindowMakesRoom_WaitsIntoIt()
    {
        // 10 of 10 at 400 of 1000: 600 to the next window, then until 10 · (1 − e / 1000) + 1 ≤ 10, e = 100.
        SlidingWindowMath.Decide(previous: 0, current: 10, limit: 10, permits: 1, Window, elapsed: 400)
            .Should().Be(new RateLimitDecision(false, 0, TimeSpan.FromTicks(700)));
    }

    [Fact]
    public void Denied_ThePreviousWindowsWeightMustFall_WaitsWithinThisWindow()
    {
        // 10 in the previous window, 5 now, at 200: 10 · (1 − e / 1000) + 5 + 1 ≤ 10, e = 600: 400 from now.
        SlidingWindowMath.Decide(previous: 10, current: 5, limit: 10, permits: 1, Window, elapsed: 200)
            .Should().Be(new RateLimitDecision(false, 0, TimeSpan.FromTicks(400)));
    }

    [Fact]
    public void ExactlyAtTheLimit_IsAllowed()
    {
        SlidingWindowMath.Decide(previous: 0, current: 9, limit: 10, permits: 1, Window, elapsed: 500)
            .Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero));
        SlidingWindowMath.Decide(previous: 4, current: 7, limit: 10, permits: 1, Window, elapsed: 500)
            .Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero), "4 · 0.5 + 7 + 1 = 10");
    }

    [Fact]
    public void Denied_RemainingCountsWhatStillFits()
    {
        // Estimate 5 · 0.5 + 6 = 8.5; 3 permits asked, 1 fits: denied with 1 remaining; 5 · (1 − e / 1000) + 6 + 3 ≤ 10 at e = 800: 300.
        SlidingWindowMath.Decide(previous: 5, current: 6, limit: 10, permits: 3, Window, elapsed: 500)
            .Should().Be(new RateLimitDecision(false, 1, TimeSpan.FromTicks(300)));
    }
}
