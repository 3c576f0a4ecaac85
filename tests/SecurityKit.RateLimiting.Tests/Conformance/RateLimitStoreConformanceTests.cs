using Microsoft.Extensions.Time.Testing;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Tests.Conformance;

/// <summary>
/// One suite for every <see cref="IRateLimitStore"/>: the in-memory store and the Redis store (this file is
/// compiled into SecurityKit.Redis.Tests too). Time is a <see cref="FakeTimeProvider"/> starting on a whole hour,
/// so windows are aligned the same way in every store.
/// </summary>
public abstract class RateLimitStoreConformanceTests
{
    protected static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Time { get; } = new(Start);

    /// <summary>Creates the store under test, reading time from <see cref="Time"/>.</summary>
    protected abstract IRateLimitStore CreateStore();

    protected static string NewKey() => "conf:" + Guid.NewGuid().ToString("N");

    [SkippableFact]
    public async Task Acquire_FixedWindowLimitReached_DeniesWithRetryAfterToWindowEnd()
    {
        var store = CreateStore();
        var rule = RateLimitRule.FixedWindow(3, TimeSpan.FromMinutes(1));
        var key = NewKey();
        Time.Advance(TimeSpan.FromSeconds(20));

        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 2, TimeSpan.Zero));
        (await store.AcquireAsync(key, rule)).Remaining.Should().Be(1);
        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero));
        var denied = await store.AcquireAsync(key, rule);

        denied.IsAllowed.Should().BeFalse();
        denied.Remaining.Should().Be(0);
        denied.RetryAfter.Should().BeCloseTo(TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(1));
    }

    [SkippableFact]
    public async Task Peek_EachAlgorithm_OneLeftIsAllowed_NoneLeftIsDeniedWithTheRetry()
    {
        // A peek (permits 0) consumes nothing: allowed while at least one permit is left, otherwise denied with the time
        // until one is (pinned per algorithm; found by mutation testing: "at least one" vs "more than one" survived).
        var store = CreateStore();
        var bucket = RateLimitRule.TokenBucket(2, TimeSpan.FromSeconds(10));
        var fixedWindow = RateLimitRule.FixedWindow(2, TimeSpan.FromSeconds(10));
        var sliding = RateLimitRule.SlidingWindow(2, TimeSpan.FromSeconds(10));
        var (b, f, w) = (NewKey(), NewKey(), NewKey());
        Time.Advance(TimeSpan.FromSeconds(4));

        foreach (var (key, rule) in new[] { (b, bucket), (f, fixedWindow), (w, sliding) })
        {
            await store.AcquireAsync(key, rule);
            (await store.AcquireAsync(key, rule, 0)).Should().Be(new RateLimitDecision(true, 1, TimeSpan.Zero), rule.Algorithm.ToString());
            await store.AcquireAsync(key, rule);
        }

        (await store.AcquireAsync(b, bucket, 0)).Should().Be(new RateLimitDecision(false, 0, TimeSpan.FromSeconds(5)), "one interval (10 s / 2) until a permit refills");
        (await store.AcquireAsync(f, fixedWindow, 0)).Should().Be(new RateLimitDecision(false, 0, TimeSpan.FromSeconds(6)), "to the window's end");
        (await store.AcquireAsync(w, sliding, 0)).Should().Be(new RateLimitDecision(false, 0, TimeSpan.FromSeconds(11)),
            "the next window, until this window's 2 weigh at most 1: 6 s + 0.5 · 10 s");
    }

    [SkippableFact]
    public async Task Acquire_SlidingWindowRetry_BothCases_ArePinned()
    {
        var store = CreateStore();
        var rule = RateLimitRule.SlidingWindow(10, TimeSpan.FromSeconds(10));
        var key = NewKey();

        // Only the next window can make room: 10 in this window at 4 s. Wait 6 s to the next window, then until
        // 10 · (1 − e / 10 s) + 1 ≤ 10, e = 1 s: 7 s.
        Time.Advance(TimeSpan.FromSeconds(4));
        (await store.AcquireAsync(key, rule, 10)).IsAllowed.Should().BeTrue();
        ShouldBeDenied(await store.AcquireAsync(key, rule), TimeSpan.FromSeconds(7));

        // The previous window's weight must fall: at 12 s the 10 weigh 8; 2 more fit, then 8 + 2 + 1 ≤ 10 once
        // 10 · (1 − e / 10 s) ≤ 7, e = 3 s: 1 s from now.
        Time.Advance(TimeSpan.FromSeconds(8));
        (await store.AcquireAsync(key, rule, 2)).Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero));
        ShouldBeDenied(await store.AcquireAsync(key, rule), TimeSpan.FromSeconds(1));
    }

    /// <summary>Denied with nothing left, retry within 1 ms of <paramref name="retry"/> (the weights are doubles: 0.3 · window
    /// may round up by one tick or µs).</summary>
    private static void ShouldBeDenied(RateLimitDecision decision, TimeSpan retry)
    {
        decision.IsAllowed.Should().BeFalse();
        decision.Remaining.Should().Be(0);
        decision.RetryAfter.Should().BeCloseTo(retry, TimeSpan.FromMilliseconds(1));
    }

    [SkippableFact]
    public async Task Acquire_SameKeySameAlgorithmOtherWindow_StartsOver()
    {
        // A policy whose window changed (a deploy) must not inherit counts kept under the old window.
        var store = CreateStore();
        var key = NewKey();
        (await store.AcquireAsync(key, RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1)), 2)).IsAllowed.Should().BeTrue();
        (await store.AcquireAsync(key, RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1)))).IsAllowed.Should().BeFalse();

        (await store.AcquireAsync(key, RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(2)))).Should().Be(new RateLimitDecision(true, 1, TimeSpan.Zero));
    }

    [SkippableFact]
    public async Task RegisterAttempt_ReachingMaxFailures_NotPermanent_NextAttemptAfterTheFailureWindow()
    {
        var store = CreateStore();
        var rule = new LockoutRule(1, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), 3, TimeSpan.FromMinutes(10), permanent: false);
        var key = NewKey();
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 1, TimeSpan.FromMilliseconds(1)));
        Time.Advance(TimeSpan.FromMilliseconds(1));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 2, TimeSpan.FromMilliseconds(1)));
        Time.Advance(TimeSpan.FromMilliseconds(1));

        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 3, TimeSpan.FromMinutes(10)), "the hard stop: the failure window, not forever");
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(false, 3, TimeSpan.FromMinutes(10)));
    }

    [SkippableFact]
    public async Task Acquire_FixedWindowNextWindow_AllowsAgain()
    {
        var store = CreateStore();
        var rule = RateLimitRule.FixedWindow(2, TimeSpan.FromSeconds(10));
        var key = NewKey();
        (await store.AcquireAsync(key, rule, 2)).IsAllowed.Should().BeTrue();
        (await store.AcquireAsync(key, rule)).IsAllowed.Should().BeFalse();

        Time.Advance(TimeSpan.FromSeconds(10));

        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 1, TimeSpan.Zero));
    }

    [SkippableFact]
    public async Task Acquire_DeniedRequests_AreNotCounted()
    {
        var store = CreateStore();
        var rule = RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1));
        var key = NewKey();
        (await store.AcquireAsync(key, rule, 4)).Remaining.Should().Be(1);

        (await store.AcquireAsync(key, rule, 2)).IsAllowed.Should().BeFalse();

        (await store.AcquireAsync(key, rule, 1)).Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero));
    }

    [SkippableFact]
    public async Task Acquire_TokenBucketBurst_ThenRefillsOnePermitPerInterval()
    {
        var store = CreateStore();
        var rule = RateLimitRule.TokenBucket(10, TimeSpan.FromSeconds(10));
        var key = NewKey();
        for (var i = 0; i < 10; i++)
        {
            (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 9 - i, TimeSpan.Zero));
        }

        var denied = await store.AcquireAsync(key, rule);
        denied.IsAllowed.Should().BeFalse();
        denied.RetryAfter.Should().BeCloseTo(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(1));

        Time.Advance(TimeSpan.FromSeconds(1));
        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero));
        (await store.AcquireAsync(key, rule)).IsAllowed.Should().BeFalse();

        Time.Advance(TimeSpan.FromSeconds(5));
        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 4, TimeSpan.Zero));
    }

    [SkippableFact]
    public async Task Acquire_TokenBucketIdleLongerThanWindow_IsFullAgain()
    {
        var store = CreateStore();
        var rule = RateLimitRule.TokenBucket(3, TimeSpan.FromSeconds(3));
        var key = NewKey();
        (await store.AcquireAsync(key, rule, 3)).IsAllowed.Should().BeTrue();

        Time.Advance(TimeSpan.FromHours(1));

        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 2, TimeSpan.Zero));
    }

    [SkippableFact]
    public async Task Acquire_SlidingWindow_WeightsPreviousWindow()
    {
        var store = CreateStore();
        var rule = RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1));
        var key = NewKey();
        (await store.AcquireAsync(key, rule, 10)).Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero));
        (await store.AcquireAsync(key, rule)).IsAllowed.Should().BeFalse();

        // 15 s into the next window, 75% of the previous window still overlaps: estimate 7.5, 2 permits left.
        Time.Advance(TimeSpan.FromSeconds(75));
        (await store.AcquireAsync(key, rule, 2)).Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero));
        var denied = await store.AcquireAsync(key, rule);

        // estimate 9.5 + 1 > 10 until previous weight ≤ 0.7 → 18 s into the window, 3 s from now.
        denied.IsAllowed.Should().BeFalse();
        denied.RetryAfter.Should().BeCloseTo(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(1));
        Time.Advance(denied.RetryAfter);
        (await store.AcquireAsync(key, rule)).IsAllowed.Should().BeTrue();
    }

    [SkippableFact]
    public async Task Acquire_SlidingWindowTwoWindowsLater_ForgetsEverything()
    {
        var store = CreateStore();
        var rule = RateLimitRule.SlidingWindow(4, TimeSpan.FromSeconds(10));
        var key = NewKey();
        (await store.AcquireAsync(key, rule, 4)).IsAllowed.Should().BeTrue();

        Time.Advance(TimeSpan.FromSeconds(20));

        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 3, TimeSpan.Zero));
    }

    [SkippableTheory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task Acquire_ZeroPermits_ReportsWithoutConsuming(RateLimitAlgorithm algorithm)
    {
        var store = CreateStore();
        var rule = new RateLimitRule(algorithm, 2, TimeSpan.FromMinutes(1));
        var key = NewKey();

        (await store.AcquireAsync(key, rule, 0)).Should().Be(new RateLimitDecision(true, 2, TimeSpan.Zero));
        (await store.AcquireAsync(key, rule, 0)).IsAllowed.Should().BeTrue();
        (await store.AcquireAsync(key, rule, 2)).IsAllowed.Should().BeTrue();
        var peek = await store.AcquireAsync(key, rule, 0);

        peek.IsAllowed.Should().BeFalse();
        peek.Remaining.Should().Be(0);
        peek.RetryAfter.Should().BePositive();
    }

    [SkippableTheory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task Acquire_1000ParallelHits_CountsExactly(RateLimitAlgorithm algorithm)
    {
        var store = CreateStore();
        var counting = new RateLimitRule(algorithm, 5000, TimeSpan.FromHours(1));
        var limited = new RateLimitRule(algorithm, 400, TimeSpan.FromHours(1));
        var countingKey = NewKey();
        var limitedKey = NewKey();

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
            (await store.AcquireAsync(countingKey, counting), await store.AcquireAsync(limitedKey, limited)))));

        results.Count(r => r.Item1.IsAllowed).Should().Be(1000);
        (await store.AcquireAsync(countingKey, counting, 0)).Remaining.Should().Be(4000);
        results.Count(r => r.Item2.IsAllowed).Should().Be(400);
        results.Select(r => r.Item2).Where(d => d.IsAllowed).Select(d => d.Remaining).Should().OnlyHaveUniqueItems();
    }

    [SkippableTheory]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task Acquire_ClockReadingOlderThanTheKeysWindow_NeverAdmitsMore(RateLimitAlgorithm algorithm)
    {
        // A caller that read the clock before another caller moved the key into the next window (or a clock stepped
        // back): before the fix, the fixed and sliding windows moved the key back and forgot the newer window's count.
        var store = CreateStore();
        var rule = new RateLimitRule(algorithm, 3, TimeSpan.FromSeconds(10));
        var key = NewKey();
        Time.Advance(TimeSpan.FromSeconds(15));
        (await store.AcquireAsync(key, rule, 3)).IsAllowed.Should().BeTrue();

        Time.AdjustTime(Start + TimeSpan.FromSeconds(9));
        var stale = await store.AcquireAsync(key, rule);
        stale.IsAllowed.Should().BeFalse();
        stale.Remaining.Should().Be(0);
        stale.RetryAfter.Should().BePositive();

        Time.AdjustTime(Start + TimeSpan.FromSeconds(16));
        (await store.AcquireAsync(key, rule)).IsAllowed.Should().BeFalse();
        (await store.AcquireAsync(key, rule, 0)).Remaining.Should().Be(0);
    }

    [SkippableFact]
    public async Task Acquire_FixedWindowStaleReading_IsDecidedInTheKeysWindow()
    {
        var store = CreateStore();
        var rule = RateLimitRule.FixedWindow(3, TimeSpan.FromSeconds(10));
        var key = NewKey();
        Time.Advance(TimeSpan.FromSeconds(15));
        (await store.AcquireAsync(key, rule)).IsAllowed.Should().BeTrue();

        Time.AdjustTime(Start + TimeSpan.FromSeconds(9));

        // Counted in window [10 s, 20 s): the third permit is left, and the retry runs to the end of that window.
        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 1, TimeSpan.Zero));
        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero));
        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(false, 0, TimeSpan.FromSeconds(10)));
        Time.AdjustTime(Start + TimeSpan.FromSeconds(20));
        (await store.AcquireAsync(key, rule)).Should().Be(new RateLimitDecision(true, 2, TimeSpan.Zero));
    }

    [SkippableFact]
    public async Task Acquire_DifferentKeys_AreIndependent()
    {
        var store = CreateStore();
        var rule = RateLimitRule.FixedWindow(1, TimeSpan.FromMinutes(1));
        var a = NewKey();
        var b = NewKey();

        (await store.AcquireAsync(a, rule)).IsAllowed.Should().BeTrue();
        (await store.AcquireAsync(a, rule)).IsAllowed.Should().BeFalse();
        (await store.AcquireAsync(b, rule)).IsAllowed.Should().BeTrue();
    }

    [SkippableFact]
    public async Task Reset_ClearsRateLimitAndLockoutState()
    {
        var store = CreateStore();
        var rule = RateLimitRule.TokenBucket(1, TimeSpan.FromHours(1));
        var lockout = Lockout(free: 1);
        var key = NewKey();
        var lockKey = NewKey();
        (await store.AcquireAsync(key, rule)).IsAllowed.Should().BeTrue();
        (await store.RegisterAttemptAsync(lockKey, lockout)).IsAllowed.Should().BeTrue();
        (await store.RegisterAttemptAsync(lockKey, lockout)).IsAllowed.Should().BeFalse();

        await store.ResetAsync(key);
        await store.ResetAsync(lockKey);

        (await store.AcquireAsync(key, rule)).IsAllowed.Should().BeTrue();
        (await store.RegisterAttemptAsync(lockKey, lockout)).Should().Be(new LockoutDecision(true, 1, TimeSpan.FromSeconds(1)));
    }

    [SkippableFact]
    public async Task Acquire_InvalidArguments_Throw()
    {
        var store = CreateStore();
        var rule = RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1));

        await FluentActions.Awaiting(async () => await store.AcquireAsync("", rule)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.AcquireAsync(new string('k', IRateLimitStore.MaxKeyLength + 1), rule)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.AcquireAsync(NewKey(), rule, 3)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.AcquireAsync(NewKey(), rule, -1)).Should().ThrowAsync<ArgumentException>();
    }

    [SkippableFact]
    public async Task RegisterAttempt_FreeThenDoublingDelays_ThenRefused()
    {
        var store = CreateStore();
        var rule = Lockout(free: 3);
        var key = NewKey();
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 1, TimeSpan.Zero));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 2, TimeSpan.Zero));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 3, TimeSpan.FromSeconds(1)));

        var refused = await store.RegisterAttemptAsync(key, rule);
        refused.Should().Be(new LockoutDecision(false, 3, TimeSpan.FromSeconds(1)));

        Time.Advance(TimeSpan.FromSeconds(1));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 4, TimeSpan.FromSeconds(2)));
        Time.Advance(TimeSpan.FromMilliseconds(1500));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(false, 4, TimeSpan.FromMilliseconds(500)));
        Time.Advance(TimeSpan.FromMilliseconds(500));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 5, TimeSpan.FromSeconds(4)));
    }

    [SkippableFact]
    public async Task RegisterAttempt_ClockReadingOlderThanTheLastAttempt_CountsAsThatAttemptsTime()
    {
        // A free attempt is not refused because its clock reading is a little older than the last attempt's, and the
        // last attempt's time never moves back (which would end the next lock early).
        var store = CreateStore();
        var rule = Lockout(free: 3);
        var key = NewKey();
        Time.Advance(TimeSpan.FromMinutes(1));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 1, TimeSpan.Zero));

        Time.AdjustTime(Start + TimeSpan.FromSeconds(55));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 2, TimeSpan.Zero));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 3, TimeSpan.FromSeconds(1)));

        Time.AdjustTime(Start + TimeSpan.FromMilliseconds(60_500));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(false, 3, TimeSpan.FromMilliseconds(500)));
    }

    [SkippableFact]
    public async Task RegisterAttempt_DelayCapped_AtMaxDelay()
    {
        var store = CreateStore();
        var rule = new LockoutRule(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 50, TimeSpan.FromHours(1), permanent: false);
        var key = NewKey();
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            var decision = await store.RegisterAttemptAsync(key, rule);
            decision.IsAllowed.Should().BeTrue();
            delays.Add(decision.RetryAfter);
            Time.Advance(decision.RetryAfter);
        }

        delays.Should().Equal(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    [SkippableFact]
    public async Task RegisterAttempt_HardStop_UntilFailureWindowPasses()
    {
        var store = CreateStore();
        var rule = new LockoutRule(2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 3, TimeSpan.FromMinutes(10), permanent: false);
        var key = NewKey();
        for (var i = 0; i < 3; i++)
        {
            (await store.RegisterAttemptAsync(key, rule)).IsAllowed.Should().BeTrue();
            Time.Advance(TimeSpan.FromSeconds(1));
        }

        Time.Advance(TimeSpan.FromMinutes(5));
        var refused = await store.RegisterAttemptAsync(key, rule);
        refused.IsAllowed.Should().BeFalse();
        refused.Failures.Should().Be(3);
        refused.RetryAfter.Should().Be(TimeSpan.FromMinutes(10) - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));

        Time.Advance(refused.RetryAfter);
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 1, TimeSpan.Zero));
    }

    [SkippableFact]
    public async Task RegisterAttempt_Permanent_RefusedUntilReset()
    {
        var store = CreateStore();
        var rule = new LockoutRule(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(1), permanent: true);
        var key = NewKey();
        (await store.RegisterAttemptAsync(key, rule)).IsAllowed.Should().BeTrue();
        Time.Advance(TimeSpan.FromSeconds(1));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(true, 2, TimeSpan.MaxValue));

        Time.Advance(TimeSpan.FromDays(30));
        (await store.RegisterAttemptAsync(key, rule)).Should().Be(new LockoutDecision(false, 2, TimeSpan.MaxValue));

        await store.ResetAsync(key);
        (await store.RegisterAttemptAsync(key, rule)).IsAllowed.Should().BeTrue();
    }

    [SkippableFact]
    public async Task RegisterAttempt_200Parallel_AdmitsExactlyTheFreeAttempts()
    {
        var store = CreateStore();
        var rule = new LockoutRule(7, TimeSpan.FromHours(1), TimeSpan.FromHours(1), 100, TimeSpan.FromHours(2), permanent: false);
        var key = NewKey();

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () => await store.RegisterAttemptAsync(key, rule))));

        results.Count(r => r.IsAllowed).Should().Be(7);
        results.Where(r => r.IsAllowed).Select(r => r.Failures).Should().BeEquivalentTo(Enumerable.Range(1, 7));
        results.Where(r => !r.IsAllowed).Should().OnlyContain(r => r.Failures == 7 && r.RetryAfter > TimeSpan.FromMinutes(59));
    }

    protected static LockoutRule Lockout(int free) =>
        new(free, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 100, TimeSpan.FromHours(1), permanent: false);
}
