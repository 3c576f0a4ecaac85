using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Otp;
using SecurityKit.RateLimiting.Login;
using SecurityKit.Redis.RateLimiting;
using SecurityKit.Sessions;
using SecurityKit.Stores.RateLimiting;
using SecurityKit.Tokens.RefreshTokens;
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
        var rule = RateLimitRule.FixedWindow(3, TimeSpan.FromMinutes(5));
        var keys = Enumerable.Range(0, 60).Select(i => $"user:{i}:{Guid.NewGuid():N}").ToArray();
        await store.AcquireAsync("warm-up:" + Guid.NewGuid().ToString("N"), rule); // connects and learns the topology
        await SumOverMastersAsync(async server => { await server.ExecuteAsync("CONFIG", "RESETSTAT"); return 0; });

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
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o =>
        {
            o.Configuration = cluster.ConnectionString;
            o.KeyPrefix = "stack:";
        });
        await using var provider = services.BuildServiceProvider();
        var user = "user-" + Guid.NewGuid().ToString("N");

        // Refresh tokens: families, rotation, reuse detection, revoke-all.
        var refresh = provider.GetRequiredService<RefreshTokenService>();
        var first = await refresh.IssueAsync(user);
        var second = await refresh.IssueAsync(user);
        var rotated = await refresh.RefreshAsync(first.Token);
        rotated.Status.Should().Be(RefreshStatus.Refreshed);
        (await refresh.ListFamiliesAsync(user)).Should().HaveCount(2);
        (await refresh.RevokeUserAsync(user)).Should().Be(2);
        (await refresh.RefreshAsync(second.Token)).Status.Should().NotBe(RefreshStatus.Refreshed);

        // Sessions: create, validate, revoke all.
        var sessions = provider.GetRequiredService<SessionManager>();
        var a = await sessions.CreateAsync(user);
        var b = await sessions.CreateAsync(user);
        (await sessions.ValidateAsync(a.Token)).IsValid.Should().BeTrue();
        (await sessions.RevokeAllAsync(user)).Should().Be(2);
        (await sessions.ValidateAsync(b.Token)).IsValid.Should().BeFalse();

        // TOTP with the replay guard, and backup codes.
        var totp = provider.GetRequiredService<TotpService>();
        var enrollment = totp.BeginEnrollment(user, "alice@example.com");
        OtpAuthUri.TryParse(enrollment.KeyUri, out var app).Should().BeTrue();
        var code = Totp.ComputeCode(app!.Secret, TimeProvider.System.GetUtcNow());
        var confirmed = await totp.ConfirmEnrollmentAsync(user, enrollment.ProtectedSecret, code);
        confirmed.Succeeded.Should().BeTrue();
        (await totp.VerifyAsync(user, confirmed.ProtectedSecret!, code)).Status.Should().Be(OtpVerificationStatus.Replayed);
        var backup = provider.GetRequiredService<BackupCodeService>();
        var codes = await backup.GenerateAsync(user);
        (await backup.VerifyAsync(user, codes.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.Success);
        (await backup.VerifyAsync(user, codes.Codes[0])).Status.Should().NotBe(BackupCodeVerificationStatus.Success, "single use");

        // Login protection: lockout counters (17-byte strings) and IP token buckets on their own slots.
        var login = provider.GetRequiredService<LoginProtector>();
        var attempt = new LoginAttempt(user + "@example.com", IPAddress.Parse("203.0.113.7"));
        (await login.AttemptAsync(attempt, _ => ValueTask.FromResult(false))).Status.Should().Be(LoginAttemptStatus.Failed);
        (await login.AttemptAsync(attempt, _ => ValueTask.FromResult(true))).Succeeded.Should().BeTrue();
    }
}
