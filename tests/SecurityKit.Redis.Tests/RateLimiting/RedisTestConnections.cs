using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests.RateLimiting;

internal static class RedisTestConnections
{
    /// <summary>A connection over the fixture's multiplexer (not owned) with its own key prefix.</summary>
    public static RedisConnection Shared(RedisServerFixture fixture, string prefix, TimeSpan? timeout = null) =>
        new(Options.Create(new RedisSecurityKitOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(fixture.Multiplexer!),
            KeyPrefix = prefix,
            OperationTimeout = timeout ?? TimeSpan.FromSeconds(2),
        }));

    /// <summary>A connection with its own multiplexer (an independent application instance).</summary>
    public static RedisConnection Own(RedisServerFixture fixture, string prefix, TimeSpan? timeout = null) =>
        new(Options.Create(new RedisSecurityKitOptions
        {
            Configuration = fixture.ConnectionString,
            KeyPrefix = prefix,
            OperationTimeout = timeout ?? TimeSpan.FromSeconds(2),
        }));

    /// <summary>A connection with its own multiplexer on which neither StackExchange.Redis nor the store gives up before
    /// 30 s: a call that ends within a shorter bound was not ended by a client timeout.</summary>
    public static RedisConnection OwnWithoutClientTimeouts(RedisServerFixture fixture, string prefix) =>
        new(Options.Create(new RedisSecurityKitOptions
        {
            Configuration = fixture.ConnectionString + ",syncTimeout=30000,asyncTimeout=30000",
            KeyPrefix = prefix,
            OperationTimeout = TimeSpan.FromSeconds(30),
        }));
}
