using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Primitives;
using SecurityKit.Redis.RateLimiting;
using SecurityKit.Stores.RateLimiting;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests;

/// <summary>
/// Every Redis store behind twemproxy, which shards keys over two redis-servers by hash tag and forwards a script call
/// to the server of its keys: each script keeps to one hash tag, so it runs where all its keys live. StackExchange.Redis
/// needs <c>proxy=Twemproxy</c> in the configuration; rate-limit checks then go one script call each (no batching).
/// In the Redis collection, so it does not run in parallel with the other Redis tests.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisTwemproxyTests(RedisTwemproxyFixture proxy) : IClassFixture<RedisTwemproxyFixture>
{
    [SkippableFact]
    public async Task WholeStack_BehindTwemproxy_EveryStoreWorks()
    {
        proxy.EnsureAvailable();
        await using var provider = RedisStoreScenario.Provider(proxy.ConnectionString, "tw" + SecureRandom.GetToken(16) + ":");

        for (var i = 0; i < 4; i++)
        {
            await RedisStoreScenario.RunAsync(provider, "user-" + SecureRandom.GetToken(16));
        }

        (await proxy.KeysPerServerAsync()).Should().OnlyContain(n => n > 0, "the users' keys spread over both servers");
    }

    [SkippableFact]
    public async Task RateLimitChecks_BehindTwemproxy_AreNotBatchedAndCountExactly()
    {
        proxy.EnsureAvailable();
        var store = new RedisRateLimitStore(new RedisConnection(Options.Create(new RedisSecurityKitOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(proxy.Multiplexer!),
            KeyPrefix = "twrl" + SecureRandom.GetToken(16) + ":",
            OperationTimeout = TimeSpan.FromSeconds(5),
        })));
        RedisRateLimitStore.DetectTopology(proxy.Multiplexer!).Should().Be(RedisRateLimitStore.TopologyUnbatched, "a proxy may send a multi-key script to one server only");
        var rule = RateLimitRule.FixedWindow(3, TimeSpan.FromHours(1));
        var keys = Enumerable.Range(0, 40).Select(i => $"user:{i}:{SecureRandom.GetToken(16)}").ToArray();

        await RateLimiting.ServerClockWindow.StartWithRoomAsync(rule.Window);
        using var start = new ManualResetEventSlim();
        var checks = keys.SelectMany(key => Enumerable.Range(0, 8).Select(_ => (Key: key, Task: Task.Run(async () => { start.Wait(); return await store.AcquireAsync(key, rule); })))).ToArray();
        start.Set();
        await Task.WhenAll(checks.Select(c => c.Task));

        foreach (var group in checks.GroupBy(c => c.Key))
        {
            group.Count(c => c.Task.Result.IsAllowed).Should().Be(3, "each key admits exactly its limit, whichever server holds it");
        }

        var bucket = RateLimitRule.TokenBucket(2, TimeSpan.FromMinutes(1));
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => store.AcquireAsync("bucket:" + keys[0], bucket).AsTask()));
        results.Count(r => r.IsAllowed).Should().Be(2);
        (await proxy.KeysPerServerAsync()).Should().OnlyContain(n => n > 0, "the keys spread over both servers");
    }
}
