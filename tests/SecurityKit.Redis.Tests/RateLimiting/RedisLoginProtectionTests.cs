using System.Net;
using SecurityKit.Keys;
using SecurityKit.RateLimiting.Login;
using SecurityKit.Redis.RateLimiting;

namespace SecurityKit.Redis.Tests.RateLimiting;

/// <summary>Login protection end to end on the real server: throttling works and no raw identifier reaches Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisLoginProtectionTests(RedisServerFixture fixture)
{
    [SkippableFact]
    public async Task AttemptAsync_OnRedis_ThrottlesAndStoresOnlyHmacKeysWithTtl()
    {
        fixture.EnsureAvailable();
        var prefix = "login-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var store = new RedisRateLimitStore(RedisTestConnections.Shared(fixture, prefix));
        var protector = new LoginProtector(store, new LoginProtectionOptions(), SecretKeyRing.FromRootKey("k1", new byte[32]), TimeProvider.System);
        var attempt = new LoginAttempt("Mallory.Victim@Example.com", IPAddress.Parse("2001:db8:7::42"));

        for (var i = 0; i < 5; i++)
        {
            (await protector.AttemptAsync(attempt, _ => ValueTask.FromResult(false))).Status.Should().Be(LoginAttemptStatus.Failed);
        }

        var refused = await protector.AttemptAsync(attempt, _ => ValueTask.FromResult(true));
        refused.Status.Should().Be(LoginAttemptStatus.Throttled);
        refused.RetryAfter.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(1));

        var server = fixture.Multiplexer!.GetServer("127.0.0.1", fixture.Port);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: prefix + "*"))
        {
            keys.Add(key.ToString());
        }

        keys.Should().HaveCount(5, "account, account + IP, IP, /64 and /48 keys");
        keys.Should().OnlyContain(k => k.StartsWith(prefix + "rl:{login:", StringComparison.Ordinal) && k.EndsWith('}'));
        keys.Should().NotContain(k => k.Contains("mallory", StringComparison.OrdinalIgnoreCase) || k.Contains("2001", StringComparison.Ordinal));
        foreach (var key in keys)
        {
            (await fixture.Multiplexer.GetDatabase().KeyTimeToLiveAsync(key)).Should().NotBeNull($"{key} must expire");
        }
    }
}
