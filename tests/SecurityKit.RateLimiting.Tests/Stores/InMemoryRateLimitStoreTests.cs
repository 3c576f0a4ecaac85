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
    public void TryAcquire_KeyUsedWithAnotherRule_StartsOver()
    {
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), TestKeys.Clock());
        store.TryAcquire("k", RateLimitRule.FixedWindow(1, TimeSpan.FromMinutes(1))).IsAllowed.Should().BeTrue();

        store.TryAcquire("k", RateLimitRule.TokenBucket(1, TimeSpan.FromMinutes(1))).IsAllowed.Should().BeTrue();
        store.Count.Should().Be(1);
    }

    [Fact]
    public async Task TryAcquire_ParallelThreadsWithConcurrentResets_NeverExceedsLimitPerGeneration()
    {
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), TestKeys.Clock());
        var rule = RateLimitRule.FixedWindow(100_000, TimeSpan.FromHours(1));
        var allowed = 0;
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 25_000; i++)
            {
                if (store.TryAcquire("hot", rule).IsAllowed)
                {
                    Interlocked.Increment(ref allowed);
                }
            }
        }));

        await Task.WhenAll(workers);

        allowed.Should().Be(100_000);
        store.TryAcquire("hot", rule, 0).Remaining.Should().Be(0);
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
}
