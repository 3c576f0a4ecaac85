using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Redis.RateLimiting;
using SecurityKit.Stores.RateLimiting;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests;

/// <summary>
/// Every Redis store against a real three-master Redis Cluster: keys spread over the masters, every script stays in one
/// hash slot (a multi-slot script would fail with CROSSSLOT), and rate-limit batching runs per slot with exact counts.
/// In the Redis collection, so it does not run in parallel with the other Redis tests.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisClusterTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>
{
    private RedisConnection Connection(string prefix) => new(Options.Create(new RedisSecurityKitOptions
    {
        ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(cluster.Multiplexer!),
        KeyPrefix = prefix,
        OperationTimeout = TimeSpan.FromSeconds(5),
    }));

    private async Task<long> SumOverMastersAsync(Func<IServer, Task<long>> read)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString + ",allowAdmin=true");
        long total = 0;
        foreach (var port in cluster.Ports)
        {
            total += await read(admin.GetServer("127.0.0.1", port));
        }

        return total;
    }

    [SkippableFact]
    public async Task RateLimitChecks_OnACluster_AreBatchedPerSlotAndCountExactly()
    {
        cluster.EnsureAvailable();
        RedisRateLimitStore.DetectTopology(cluster.Multiplexer!).Should().Be(RedisRateLimitStore.TopologyCluster);
        var store = new RedisRateLimitStore(Connection("cl:"));
        var rule = RateLimitRule.FixedWindow(3, TimeSpan.FromHours(1));
        var keys = Enumerable.Range(0, 60).Select(i => $"user:{i}:{Guid.NewGuid():N}").ToArray();
        await store.AcquireAsync("warm-up:" + Guid.NewGuid().ToString("N"), rule); // connects and learns the topology
        await SumOverMastersAsync(async server => { await server.ExecuteAsync("CONFIG", "RESETSTAT"); return 0; });

        await RateLimiting.ServerClockWindow.StartWithRoomAsync(rule.Window);
        using var start = new ManualResetEventSlim();
        var checks = keys.SelectMany(key => Enumerable.Range(0, 8).Select(_ => (Key: key, Task: Task.Run(async () => { start.Wait(); return await store.AcquireAsync(key, rule); })))).ToArray();
        start.Set();
        await Task.WhenAll(checks.Select(c => c.Task));

        foreach (var group in checks.GroupBy(c => c.Key))
        {
            group.Count(c => c.Task.Result.IsAllowed).Should().Be(3, "each key admits exactly its limit, whichever master owns it");
        }

        var keysPerMaster = new List<long>();
        await SumOverMastersAsync(async server => { keysPerMaster.Add(await server.DatabaseSizeAsync()); return 0; });
        keysPerMaster.Count(n => n > 0).Should().BeGreaterThanOrEqualTo(2, "the hash-tagged keys spread over the masters");
        var scriptCalls = await SumOverMastersAsync(async server =>
        {
            var stats = (await server.InfoRawAsync("commandstats"))!;
            var match = System.Text.RegularExpressions.Regex.Match(stats, "cmdstat_evalsha:calls=([0-9]+)");
            return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        });
        scriptCalls.Should().BeLessThan(480, "concurrent checks of one slot share script calls").And.BeGreaterThanOrEqualTo(60);
    }

    [SkippableFact]
    public async Task WholeStack_OnACluster_EveryStoreWorks()
    {
        cluster.EnsureAvailable();
        await using var provider = RedisStoreScenario.Provider(cluster.ConnectionString, "stack:");
        await RedisStoreScenario.RunAsync(provider, "user-" + Guid.NewGuid().ToString("N"));
    }
}
