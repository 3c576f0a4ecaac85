using SecurityKit.Stores.Tokens;
using SecurityKit.Tokens.RefreshTokens;
using SecurityKit.Tokens.Tests.Conformance;

namespace SecurityKit.Tokens.Tests.RefreshTokens;

public sealed class InMemoryRefreshTokenStoreConformanceTests : RefreshTokenStoreConformanceTests
{
    protected override Task<RefreshTokenStore> CreateStoreAsync() => Task.FromResult<RefreshTokenStore>(new InMemoryRefreshTokenStore());
}

public sealed class InMemoryTokenVersionStoreConformanceTests : TokenVersionStoreConformanceTests
{
    protected override Task<TokenVersionStore> CreateStoreAsync() => Task.FromResult<TokenVersionStore>(new InMemoryTokenVersionStore());
}

public sealed class InMemoryStoreBoundsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task CreateFamily_WhenFull_DropsExpiredThenLeastRecentlyUsed()
    {
        var store = new InMemoryRefreshTokenStore(maxFamilies: 16);
        for (var i = 0; i < 16; i++)
        {
            var expires = i < 4 ? T0.AddMinutes(10) : T0.AddDays(1);
            await store.CreateFamilyAsync(new RefreshTokenFamilyCreation($"f{i}", "u", null, new byte[32], T0.AddSeconds(i), expires, TimeSpan.FromMinutes(10)));
        }

        // An hour later the first four (absolute expiry 10 min) and every idle family are gone.
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("new1", "u", null, new byte[32], T0.AddHours(1), T0.AddDays(1), TimeSpan.FromDays(1)));
        store.Count.Should().Be(1);

        for (var i = 0; i < 15; i++)
        {
            await store.CreateFamilyAsync(new RefreshTokenFamilyCreation($"g{i}", "u", null, new byte[32], T0.AddHours(1).AddSeconds(i + 1), T0.AddDays(1), TimeSpan.FromDays(1)));
        }

        store.Count.Should().Be(16);
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("overflow", "u", null, new byte[32], T0.AddHours(2), T0.AddDays(1), TimeSpan.FromDays(1)));
        store.Count.Should().Be(16);
        (await store.GetFamilyAsync("new1")).Should().BeNull("the least recently used family was evicted");
        (await store.GetFamilyAsync("overflow")).Should().NotBeNull();
    }

    [Fact]
    public async Task TokenVersionStore_WhenFull_RefusesNewUsersButServesKnownOnes()
    {
        var store = new InMemoryTokenVersionStore(maxUsers: 16);
        for (var i = 0; i < 16; i++)
        {
            await store.IncrementVersionAsync($"u{i}");
        }

        await store.Invoking(s => s.IncrementVersionAsync("u-new").AsTask()).Should().ThrowAsync<InvalidOperationException>();
        (await store.IncrementVersionAsync("u0")).Should().Be(2);
    }
}
