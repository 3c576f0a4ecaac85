using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Redis.Tokens;
using SecurityKit.Stores.Tokens;
using SecurityKit.Tokens.Tests.Conformance;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests.Tokens;

[Collection(RedisCollection.Name)]
public sealed class RedisRefreshTokenStoreConformanceTests(RedisServerFixture fixture) : RefreshTokenStoreConformanceTests
{
    private readonly Dictionary<RefreshTokenStore, RedisConnection> _connections = [];

    protected override Task<RefreshTokenStore> CreateStoreAsync()
    {
        fixture.EnsureAvailable();
        var connection = RedisTokenTestConnection.Create(fixture);
        var store = new RedisRefreshTokenStore(connection);
        _connections[store] = connection;
        return Task.FromResult<RefreshTokenStore>(store);
    }

    protected override async Task<bool> HoldsSuccessorAsync(RefreshTokenStore store, string familyId)
    {
        var prefix = _connections[store].KeyPrefix;
        var database = fixture.Multiplexer!.GetDatabase();
        return await database.KeyExistsAsync($"{prefix}rts:{{{familyId}}}") || await database.HashExistsAsync($"{prefix}rt:{{{familyId}}}", "succ");
    }

    [SkippableFact]
    public async Task Successor_ExpiresOnTheServerAfterTheGraceWindowPlusTheMargin()
    {
        var (connection, store, database) = FreshStore();
        var id = NewId();
        var h0 = Hash();
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(id, "succ-user", null, h0, T0, T0.AddDays(1), TimeSpan.FromHours(1)))).Should().BeTrue();
        await store.RotateAsync(new RefreshTokenRotation(id, h0, Hash(), new byte[60], T0, TimeSpan.FromSeconds(30)));

        var ttl = await database.KeyTimeToLiveAsync($"{connection.KeyPrefix}rts:{{{id}}}");

        ttl.Should().NotBeNull();
        ttl!.Value.Should().BeGreaterThan(TimeSpan.FromSeconds(30)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(30) + RedisRefreshTokenStore.SuccessorRetentionMargin);
        (await database.HashExistsAsync($"{connection.KeyPrefix}rt:{{{id}}}", "succ")).Should().BeFalse("the family hash no longer carries it");
    }

    [SkippableFact]
    public async Task Successor_InTheFamilyHashOfAnEarlierBuild_StillReplayedThenDeletedByTheNextRotation()
    {
        // Earlier builds kept the successor in the family hash (field succ, no expiry of its own). During a rolling
        // upgrade a grace replay of such a rotation still works; the next rotation removes the field.
        var (connection, store, database) = FreshStore();
        var id = NewId();
        var h0 = Hash();
        var h1 = Hash();
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(id, "legacy-succ", null, h0, T0, T0.AddDays(1), TimeSpan.FromHours(1)))).Should().BeTrue();
        (await store.RotateAsync(new RefreshTokenRotation(id, h0, h1, new byte[60], T0, TimeSpan.Zero))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        var legacy = System.Security.Cryptography.RandomNumberGenerator.GetBytes(60);
        await database.HashSetAsync($"{connection.KeyPrefix}rt:{{{id}}}", "succ", legacy); // as an earlier build left it

        var replay = await store.RotateAsync(new RefreshTokenRotation(id, h0, Hash(), new byte[60], T0.AddSeconds(1), TimeSpan.FromSeconds(10)));
        replay.Status.Should().Be(RefreshTokenRotationStatus.GraceReplay);
        replay.ProtectedSuccessor.ToArray().Should().Equal(legacy);

        (await store.RotateAsync(new RefreshTokenRotation(id, h1, Hash(), new byte[60], T0.AddSeconds(2), TimeSpan.Zero))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        (await database.HashExistsAsync($"{connection.KeyPrefix}rt:{{{id}}}", "succ")).Should().BeFalse();
        (await database.KeyExistsAsync($"{connection.KeyPrefix}rts:{{{id}}}")).Should().BeFalse();
    }

    /// <summary>A store on a fresh key prefix, with its connection (for key names) and the fixture's database.</summary>
    private (RedisConnection Connection, RedisRefreshTokenStore Store, IDatabase Database) FreshStore()
    {
        fixture.EnsureAvailable();
        var connection = RedisTokenTestConnection.Create(fixture);
        return (connection, new RedisRefreshTokenStore(connection), fixture.Multiplexer!.GetDatabase());
    }

    /// <summary>Creates a family at <c>T0</c> living <paramref name="lifetime"/> (idle timeout: the lifetime, at most 7 days).</summary>
    private static async Task CreateFamilyAsync(RedisRefreshTokenStore store, string id, string user, TimeSpan lifetime) =>
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(id, user, null, Hash(), T0, T0 + lifetime, lifetime < TimeSpan.FromDays(7) ? lifetime : TimeSpan.FromDays(7)))).Should().BeTrue();

    [SkippableFact]
    public async Task Rotate_SetsFamilyTtlFromAbsoluteLifetime()
    {
        var (connection, store, database) = FreshStore();
        var id = NewId();
        await CreateFamilyAsync(store, id, "ttl-user", TimeSpan.FromHours(2));

        var ttl = await database.KeyTimeToLiveAsync($"{connection.KeyPrefix}rt:{{{id}}}");

        ttl.Should().NotBeNull();
        ttl!.Value.Should().BeCloseTo(TimeSpan.FromHours(2) + RedisRefreshTokenStore.FamilyRetentionMargin, TimeSpan.FromMinutes(1));
        var indexTtl = await database.KeyTimeToLiveAsync($"{connection.KeyPrefix}rtf:{{ttl-user}}");
        indexTtl!.Value.Should().BeCloseTo(TimeSpan.FromHours(2) + RedisRefreshTokenStore.FamilyRetentionMargin, TimeSpan.FromMinutes(1));
    }

    [SkippableFact]
    public async Task Families_OutliveTheirAbsoluteLifetimeOnTheServersClock_ExpiryIsDecidedOnTheCallersClock()
    {
        // Found in review: the family key expired exactly at the absolute lifetime on the server's clock, so a caller got
        // NotFound (and GetFamily null) where the in-memory store answers from the caller's time. The contract decides
        // expiry on the caller's clock and TTLs only reclaim space, so the key outlives the lifetime by a 10-minute
        // margin, and both stores now answer alike: Expired (with the family) for a caller whose clock says so, and
        // Rotated for one whose clock lags behind the lifetime's end (by at most the margin, past which the key is gone).
        var (_, store, _) = FreshStore();
        var (expired, lagging) = (NewId(), NewId());
        var (h0, h1) = (Hash(), Hash());
        var created = DateTimeOffset.UtcNow;
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(expired, "lag-user", null, h0, created, created.AddMilliseconds(300), TimeSpan.FromMilliseconds(300)))).Should().BeTrue();
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(lagging, "lag-user", null, h1, created, created.AddMilliseconds(300), TimeSpan.FromMilliseconds(300)))).Should().BeTrue();
        await Task.Delay(TimeSpan.FromMilliseconds(600)); // past the absolute lifetime on the server's clock

        var late = await store.RotateAsync(new RefreshTokenRotation(expired, h0, Hash(), new byte[60], created.AddSeconds(2), TimeSpan.Zero));
        late.Status.Should().Be(RefreshTokenRotationStatus.Expired);
        late.Family.Should().NotBeNull();
        (await store.GetFamilyAsync(expired)).Should().NotBeNull("the expired family's snapshot is still readable");
        (await store.RevokeFamilyAsync(expired, created.AddSeconds(2))).Should().BeFalse("expired families are marked but not counted");
        (await store.GetFamilyAsync(expired))!.IsRevoked.Should().BeTrue();

        (await store.RotateAsync(new RefreshTokenRotation(lagging, h1, Hash(), new byte[60], created.AddMilliseconds(100), TimeSpan.Zero)))
            .Status.Should().Be(RefreshTokenRotationStatus.Rotated, "the caller's clock says the family is still alive, as the in-memory store would decide");
    }

    [SkippableFact]
    public async Task UserIndex_SetOfAnEarlierBuild_StillReadBySignOutEverywhere()
    {
        // Earlier builds indexed a user's families in a SET (rtu:); the sorted set has its own key (rtf:), so a leftover
        // SET never fails a call with WRONGTYPE, and the families it lists are still revoked and listed until it expires.
        var (connection, store, database) = FreshStore();
        var old = NewId();
        await CreateFamilyAsync(store, old, "legacy-user", TimeSpan.FromDays(30));
        await database.KeyDeleteAsync($"{connection.KeyPrefix}rtf:{{legacy-user}}");
        await database.SetAddAsync($"{connection.KeyPrefix}rtu:{{legacy-user}}", old); // as an earlier build left it
        var current = NewId();
        await CreateFamilyAsync(store, current, "legacy-user", TimeSpan.FromDays(30));

        (await store.ListUserFamiliesAsync("legacy-user", T0)).Select(f => f.FamilyId).Should().BeEquivalentTo([old, current]);
        (await store.RevokeUserFamiliesAsync("legacy-user", T0)).Should().Be(2);
        (await store.GetFamilyAsync(old))!.IsRevoked.Should().BeTrue();
    }

    [SkippableFact]
    public async Task UserIndex_PrunedByAbsoluteExpiryOnServerClock_NeverAFamilyBeingCreated()
    {
        // Create writes the user's index before the family (another slot in a cluster). Revoke-all and list run in
        // that gap must not drop the id (the family would then escape "sign out everywhere"); ids past their absolute
        // expiry plus the skew margin, on the server's clock, are dropped.
        var (connection, store, database) = FreshStore();
        var index = $"{connection.KeyPrefix}rtf:{{prune-user}}";
        var live = NewId();
        await CreateFamilyAsync(store, live, "prune-user", TimeSpan.FromDays(30));
        var server = await ServerNowAsync(database);
        var margin = RedisRefreshTokenStore.IndexPruneMargin;
        var longGone = NewId();
        var withinMargin = NewId();
        var beingCreated = NewId();
        await database.SortedSetAddAsync(index, longGone, (server - margin - TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds());
        await database.SortedSetAddAsync(index, withinMargin, (server - margin + TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds());
        await database.SortedSetAddAsync(index, beingCreated, (server + TimeSpan.FromDays(30)).ToUnixTimeMilliseconds()); // the index write alone

        (await store.RevokeUserFamiliesAsync("prune-user", T0)).Should().Be(1, "only the live family counts");
        await WaitForIndexAsync(database, index, 2);
        (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!).Should().BeEquivalentTo([withinMargin, beingCreated], "the revoked family left the index; the one being created stays");
    }

    [SkippableFact]
    public async Task UserIndex_RevokedFamiliesLeaveIt_TheirTokensStillReportRevoked()
    {
        // The index kept every revoked family for its absolute lifetime, so a per-user cap still left listing and
        // "sign out everywhere" to cost every sign-in of the last 30 days (found in review).
        var (connection, store, database) = FreshStore();
        var index = $"{connection.KeyPrefix}rtf:{{revoked-user}}";
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(NewId());
            await CreateFamilyAsync(store, ids[i], "revoked-user", TimeSpan.FromDays(30));
        }

        (await store.RevokeFamilyAsync(ids[0], T0)).Should().BeTrue();
        (await store.RevokeFamilyAsync(ids[1], T0)).Should().BeTrue();
        await WaitForIndexAsync(database, index, 2);
        (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!).Should().BeEquivalentTo([ids[2], ids[3]]);
        (await store.GetFamilyAsync(ids[0]))!.IsRevoked.Should().BeTrue("the family itself stays until it expires");

        (await store.RevokeUserFamiliesAsync("revoked-user", T0)).Should().Be(2);
        await WaitForIndexAsync(database, index, 0);
        (await database.SortedSetLengthAsync(index)).Should().Be(0);

        // An id whose family is still being created (index written, hash not yet) stays indexed.
        var pending = NewId();
        await database.SortedSetAddAsync(index, pending, DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeMilliseconds());
        (await store.RevokeUserFamiliesAsync("revoked-user", T0)).Should().Be(0);
        await Task.Delay(200);
        (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!).Should().Equal(pending);
    }

    [SkippableFact]
    public async Task UserIndex_FamilyRevokedByReuseDetection_LeavesIt_AndListingDropsAnyRevokedOne()
    {
        // Reuse detection revokes the family inside the rotation script; it stayed in the index until its absolute
        // expiry, so every listing and "sign out everywhere" kept fetching it (found in review).
        var (connection, store, database) = FreshStore();
        var index = $"{connection.KeyPrefix}rtf:{{reuse-user}}";
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()); // the index is pruned on the server's clock
        var reused = NewId();
        var h0 = Hash();
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(reused, "reuse-user", null, h0, t0, t0.AddDays(30), TimeSpan.FromDays(7)))).Should().BeTrue();
        var live = NewId();
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(live, "reuse-user", null, Hash(), t0, t0.AddDays(30), TimeSpan.FromDays(7)))).Should().BeTrue();
        (await store.RotateAsync(new RefreshTokenRotation(reused, h0, Hash(), new byte[60], t0.AddSeconds(1), TimeSpan.Zero))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);

        (await store.RotateAsync(new RefreshTokenRotation(reused, h0, Hash(), new byte[60], t0.AddSeconds(2), TimeSpan.Zero))).Status.Should().Be(RefreshTokenRotationStatus.ReuseDetected);

        await WaitForIndexAsync(database, index, 1);
        (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!).Should().Equal(live);

        // A revoked family still indexed (left by an earlier build, or a clean-up that never reached Redis) is dropped
        // by the next listing, which does not return it.
        await database.SortedSetAddAsync(index, reused, t0.AddDays(30).ToUnixTimeMilliseconds());
        (await store.ListUserFamiliesAsync("reuse-user", t0)).Select(f => f.FamilyId).Should().Equal(live);
        await WaitForIndexAsync(database, index, 1);
        (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!).Should().Equal(live);
    }

    [SkippableFact]
    public async Task UserIndex_InstanceClockFarAhead_PrunesNothingAlive()
    {
        // An instance whose clock runs a year fast lists a user's families (which prunes the index): what leaves the
        // index is decided on the server's clock, so the families stay indexed and a later "sign out everywhere" from a
        // correct instance still finds them. (Before, the fast instance pruned both by its own clock.)
        var (connection, store, database) = FreshStore();
        var index = $"{connection.KeyPrefix}rtf:{{fast-user}}";
        var first = NewId();
        var second = NewId();
        await CreateFamilyAsync(store, first, "fast-user", TimeSpan.FromHours(1));
        await CreateFamilyAsync(store, second, "fast-user", TimeSpan.FromDays(30));

        var fast = (await ServerNowAsync(database)).AddYears(1);
        (await store.ListUserFamiliesAsync("fast-user", fast)).Should().BeEmpty("to the fast instance both look expired");
        (await store.ListUserFamiliesAsync("fast-user", fast)).Should().BeEmpty();
        await Task.Delay(200); // prunes are sent fire-and-forget
        (await database.SortedSetLengthAsync(index)).Should().Be(2);
        (await store.RevokeUserFamiliesAsync("fast-user", T0)).Should().Be(2, "the correct instance still finds and revokes both");
    }

    [SkippableFact]
    public async Task UserIndex_MembersWithoutAFamilyOrOfAnotherUser_SkippedByListing_LongGoneOnesPruned()
    {
        // The index can hold an id whose family does not exist (yet, or any more) and, through a bug elsewhere, another
        // user's family: listing returns neither. It prunes, on the server's clock, only ids past their expiry margin.
        var (connection, store, database) = FreshStore();
        var index = $"{connection.KeyPrefix}rtf:{{dangling-user}}";
        var live = NewId();
        await CreateFamilyAsync(store, live, "dangling-user", TimeSpan.FromDays(30));
        var foreign = NewId();
        await CreateFamilyAsync(store, foreign, "someone-else", TimeSpan.FromDays(30));
        var server = await ServerNowAsync(database);
        var missing = NewId();
        var longGone = NewId();
        await database.SortedSetAddAsync(index, missing, server.AddDays(30).ToUnixTimeMilliseconds());
        await database.SortedSetAddAsync(index, foreign, server.AddDays(30).ToUnixTimeMilliseconds());
        await database.SortedSetAddAsync(index, longGone, (server - RedisRefreshTokenStore.IndexPruneMargin - TimeSpan.FromMinutes(1)).ToUnixTimeMilliseconds());

        (await store.ListUserFamiliesAsync("dangling-user", T0)).Select(f => f.FamilyId).Should().Equal(live);

        await WaitForIndexAsync(database, index, 3);
        (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!).Should().BeEquivalentTo([live, missing, foreign]);

        // Revoking everything of dangling-user revokes its own family only: the revoke script checks each family's owner,
        // so a foreign id in the index (a bug elsewhere, or a written index) cannot sign someone else out.
        (await store.RevokeUserFamiliesAsync("dangling-user", T0)).Should().Be(1);
        (await store.GetFamilyAsync(live))!.IsRevoked.Should().BeTrue();
        (await store.GetFamilyAsync(foreign))!.IsRevoked.Should().BeFalse("someone-else's family is not dangling-user's to revoke");
    }

    private static async Task<DateTimeOffset> ServerNowAsync(IDatabase database)
    {
        var time = (RedisResult[])(await database.ExecuteAsync("TIME"))!;
        return DateTimeOffset.FromUnixTimeMilliseconds(((long)time[0] * 1000) + ((long)time[1] / 1000));
    }

    private static async Task WaitForIndexAsync(IDatabase database, RedisKey index, long length)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await database.SortedSetLengthAsync(index)) != length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
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
