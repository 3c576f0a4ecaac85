using SecurityKit.RateLimiting.Tests.Conformance;
using SecurityKit.Redis.RateLimiting;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.Redis.Tests.RateLimiting;

/// <summary>The shared conformance suite against the real redis-server, with the test's fake clock passed as client clock.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisRateLimitStoreConformanceTests(RedisServerFixture fixture) : RateLimitStoreConformanceTests
{
    protected override IRateLimitStore CreateStore()
    {
        fixture.EnsureAvailable();
        return RedisRateLimitStore.WithClientClock(RedisTestConnections.Shared(fixture, "conf:"), Time);
    }
}
