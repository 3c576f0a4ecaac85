using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Redis.Tokens;
using SecurityKit.Stores.Tokens;
using SecurityKit.Tokens.Tests.Conformance;

namespace SecurityKit.Redis.Tests.Tokens;

[Collection(RedisCollection.Name)]
public sealed class RedisRefreshTokenStoreConformanceTests(RedisServerFixture fixture) : RefreshTokenStoreConformanceTests
{
    protected override Task<RefreshTokenStore> CreateStoreAsync()
    {
        fixture.EnsureAvailable();
        return Task.FromResult<RefreshTokenStore>(new RedisRefreshTokenStore(RedisTokenTestConnection.Create(fixture)));
    }

    [SkippableFact]
    public async Task Rotate_SetsFamilyTtlFromAbsoluteLifetime()
    {
        fixture.EnsureAvailable();
        var connection = RedisTokenTestConnection.Create(fixture);
        var store = new RedisRefreshTokenStore(connection);
        var id = NewId();
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(id, "ttl-user", null, Hash(), T0, T0.AddHours(2), TimeSpan.FromHours(1)));

        var ttl = await fixture.Multiplexer!.GetDatabase().KeyTimeToLiveAsync($"{connection.KeyPrefix}rt:{{{id}}}");

        ttl.Should().NotBeNull();
        ttl!.Value.Should().BeCloseTo(TimeSpan.FromHours(2), TimeSpan.FromMinutes(1));
    }

    [SkippableFact]
    public async Task RevokeUserFamilies_PrunesFamiliesGoneFromRedisFromTheUsersIndex()
    {
        fixture.EnsureAvailable();
        var connection = RedisTokenTestConnection.Create(fixture);
        var store = new RedisRefreshTokenStore(connection);
        var database = fixture.Multiplexer!.GetDatabase();
        var live = NewId();
        var gone = NewId();
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(live, "prune-user", null, Hash(), T0, T0.AddHours(2), TimeSpan.FromHours(1)));
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(gone, "prune-user", null, Hash(), T0, T0.AddHours(2), TimeSpan.FromHours(1)));
        await database.KeyDeleteAsync($"{connection.KeyPrefix}rt:{{{gone}}}"); // as its TTL would

        (await store.RevokeUserFamiliesAsync("prune-user", T0)).Should().Be(1);

        var index = $"{connection.KeyPrefix}rtu:{{prune-user}}";
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await database.SetLengthAsync(index)) != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10); // the removal is sent fire-and-forget
        }

        (await database.SetMembersAsync(index)).Select(v => (string)v!).Should().Equal(live);
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisTokenVersionStoreConformanceTests(RedisServerFixture fixture) : TokenVersionStoreConformanceTests
{
    protected override Task<TokenVersionStore> CreateStoreAsync()
    {
        fixture.EnsureAvailable();
        return Task.FromResult<TokenVersionStore>(new RedisTokenVersionStore(RedisTokenTestConnection.Create(fixture)));
    }
}

public sealed class UseRedisTokenStoresTests
{
    [Fact]
    public void UseRedis_ReplacesTokenStoresWhateverTheOrder()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().UseRedis(o => o.Configuration = "127.0.0.1:1,abortConnect=false");
        services.Where(d => d.ServiceType == typeof(RefreshTokenStore)).Should().ContainSingle().Which.ImplementationType.Should().Be(typeof(RedisRefreshTokenStore));
        services.Where(d => d.ServiceType == typeof(TokenVersionStore)).Should().ContainSingle().Which.ImplementationType.Should().Be(typeof(RedisTokenVersionStore));
    }
}

internal static class RedisTokenTestConnection
{
    /// <summary>A connection over the fixture's multiplexer with a unique key prefix, so tests never share keys.</summary>
    public static RedisConnection Create(RedisServerFixture fixture) =>
        new(Options.Create(new RedisSecurityKitOptions
        {
            KeyPrefix = "sk-test-" + Guid.NewGuid().ToString("N")[..8] + ":",
            ConnectionMultiplexerFactory = () => Task.FromResult<StackExchange.Redis.IConnectionMultiplexer>(fixture.Multiplexer!),
        }));
}
