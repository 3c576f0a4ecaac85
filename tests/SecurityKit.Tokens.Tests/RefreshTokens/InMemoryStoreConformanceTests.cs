using SecurityKit.Stores.Tokens;
using SecurityKit.Tokens.RefreshTokens;
using SecurityKit.Tokens.Tests.Conformance;

namespace SecurityKit.Tokens.Tests.RefreshTokens;

public sealed class InMemoryRefreshTokenStoreConformanceTests : RefreshTokenStoreConformanceTests
{
    protected override Task<RefreshTokenStore> CreateStoreAsync() => Task.FromResult<RefreshTokenStore>(new InMemoryRefreshTokenStore());

    protected override Task<bool> HoldsSuccessorAsync(RefreshTokenStore store, string familyId) =>
        Task.FromResult(((InMemoryRefreshTokenStore)store).HoldsSuccessor(familyId));

    [Fact]
    public async Task Successor_PastItsWindow_IsDroppedByAnyLaterCallOnTheFamily()
    {
        // Rotation overwrites the successor and reuse or revocation deletes it (conformance tests); an expired family is
        // the remaining path: the call that finds it expired also drops the successor, as its window is long over.
        var store = new InMemoryRefreshTokenStore();
        var h0 = Hash();
        var h1 = Hash();
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("fam", "u", null, h0, T0, T0.AddDays(1), TimeSpan.FromHours(1)))).Should().BeTrue();
        await store.RotateAsync(new RefreshTokenRotation("fam", h0, h1, new byte[60], T0, TimeSpan.FromSeconds(10)));
        store.HoldsSuccessor("fam").Should().BeTrue();

        var late = await store.RotateAsync(new RefreshTokenRotation("fam", h1, Hash(), new byte[60], T0.AddHours(2), TimeSpan.FromSeconds(10)));

        late.Status.Should().Be(RefreshTokenRotationStatus.Expired);
        store.HoldsSuccessor("fam").Should().BeFalse();
    }

    [Fact]
    public async Task Successor_PastItsWindow_IsDroppedByACallWithAnUnknownSecret()
    {
        // The NotFound answer returned before the drop, leaving the successor in memory until the family was removed (found
        // in review). Within the window it stays: the grace replay still needs it.
        var store = new InMemoryRefreshTokenStore();
        var h0 = Hash();
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("fam", "u", null, h0, T0, T0.AddDays(1), TimeSpan.FromHours(1)))).Should().BeTrue();
        await store.RotateAsync(new RefreshTokenRotation("fam", h0, Hash(), new byte[60], T0, TimeSpan.FromSeconds(10)));

        (await store.RotateAsync(new RefreshTokenRotation("fam", Hash(), Hash(), new byte[60], T0.AddSeconds(9), TimeSpan.FromSeconds(10)))).Status
            .Should().Be(RefreshTokenRotationStatus.NotFound);
        store.HoldsSuccessor("fam").Should().BeTrue("its window is not over");

        (await store.RotateAsync(new RefreshTokenRotation("fam", Hash(), Hash(), new byte[60], T0.AddSeconds(11), TimeSpan.FromSeconds(10)))).Status
            .Should().Be(RefreshTokenRotationStatus.NotFound);
        store.HoldsSuccessor("fam").Should().BeFalse();
    }
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
    public async Task CreateFamily_WhenFull_EvictsRevokedFamiliesBeforeLiveOnes()
    {
        // A revoked family only remembers that its tokens are dead: it goes before any live family, however recent.
        var store = new InMemoryRefreshTokenStore(maxFamilies: 16);
        for (var i = 0; i < 16; i++)
        {
            await store.CreateFamilyAsync(new RefreshTokenFamilyCreation($"f{i}", "u" + i, null, new byte[32], T0.AddSeconds(i), T0.AddDays(30), TimeSpan.FromDays(7)));
        }

        (await store.RevokeFamilyAsync("f15", T0.AddMinutes(1))).Should().BeTrue(); // the most recently created

        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("new", "v", null, new byte[32], T0.AddMinutes(2), T0.AddDays(30), TimeSpan.FromDays(7)));
        (await store.GetFamilyAsync("f15")).Should().BeNull("the revoked family was evicted");
        (await store.GetFamilyAsync("f0")).Should().NotBeNull("not the least recently used live family");
    }

    [Fact]
    public async Task CreateFamily_WhenFullOfActiveFamilies_EvictsTheLeastRecentlyUsedOnePercentInOneScan()
    {
        var store = new InMemoryRefreshTokenStore(maxFamilies: 1_000);
        for (var i = 0; i < 1_000; i++)
        {
            await store.CreateFamilyAsync(new RefreshTokenFamilyCreation($"f{i}", "u" + (i % 7), null, new byte[32], T0.AddSeconds(i), T0.AddDays(1), TimeSpan.FromDays(1)));
        }

        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("next", "u", null, new byte[32], T0.AddHours(1), T0.AddDays(1), TimeSpan.FromDays(1)));

        store.Count.Should().Be(991, "ten (1 %) were evicted by one scan, then the new family was added");
        for (var i = 0; i < 10; i++)
        {
            (await store.GetFamilyAsync($"f{i}")).Should().BeNull("the ten least recently used go first");
        }

        (await store.GetFamilyAsync("f10")).Should().NotBeNull();
        for (var i = 0; i < 9; i++)
        {
            await store.CreateFamilyAsync(new RefreshTokenFamilyCreation($"more{i}", "u", null, new byte[32], T0.AddHours(1), T0.AddDays(1), TimeSpan.FromDays(1)));
        }

        store.Count.Should().Be(1_000, "the room made by the scan is used before the next scan");
        (await store.GetFamilyAsync("f10")).Should().NotBeNull();
    }

    [Fact]
    public async Task CreateFamily_UserSetDroppedByEvictionMidCreation_FamilyStillReachedByRevokeAll()
    {
        // Deterministic version of the race below: between finding user x's family set and locking it, other
        // sign-ins fill the store and evict x's only family, which drops x's (now empty) set.
        var store = new InMemoryRefreshTokenStore(maxFamilies: 16);
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("x1", "x", null, new byte[32], T0, T0.AddDays(1), TimeSpan.FromDays(1)));
        for (var i = 0; i < 14; i++)
        {
            await store.CreateFamilyAsync(new RefreshTokenFamilyCreation($"y{i}", "y", null, new byte[32], T0.AddSeconds(i + 1), T0.AddDays(1), TimeSpan.FromDays(1)));
        }

        var fired = false;
        store.AfterUserSetLookup = user =>
        {
            if (user != "x" || fired)
            {
                return;
            }

            fired = true;
            for (var i = 0; i < 2; i++)
            {
                store.CreateFamilyAsync(new RefreshTokenFamilyCreation($"z{i}", "z", null, new byte[32], T0.AddMinutes(1), T0.AddDays(1), TimeSpan.FromDays(1))).AsTask().GetAwaiter().GetResult();
            }
        };

        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("x2", "x", null, new byte[32], T0.AddMinutes(1), T0.AddDays(1), TimeSpan.FromDays(1)))).Should().BeTrue();

        fired.Should().BeTrue();
        (await store.GetFamilyAsync("x1")).Should().BeNull("x's only family was the least recently used and was evicted");
        (await store.ListUserFamiliesAsync("x", T0.AddMinutes(2))).Select(f => f.FamilyId).Should().Equal("x2");
        (await store.RevokeUserFamiliesAsync("x", T0.AddMinutes(2))).Should().Be(1, "sign out everywhere reaches the family created during the eviction");
    }

    [Fact]
    public async Task CreateFamily_RacingEvictionOfTheSameUsers_NeverHidesAFamilyFromRevokeAll()
    {
        // Eviction drops a user's emptied family set; a creation racing with it must not add to the dropped set,
        // or "sign out everywhere" would miss that family.
        var store = new InMemoryRefreshTokenStore(maxFamilies: 16);
        var created = new System.Collections.Concurrent.ConcurrentBag<(string User, string Family)>();
        var tick = 0L;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 3_000; i++)
            {
                // Each worker signs in its own user, so about one family per user fits: evictions keep emptying sets
                // while their users create the next family.
                var user = "u" + worker;
                var family = $"w{worker}-{i}";
                var at = T0.AddTicks(Interlocked.Increment(ref tick));
                if (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(family, user, null, new byte[32], at, T0.AddDays(1), TimeSpan.FromDays(1))))
                {
                    created.Add((user, family));
                }
            }
        })));

        var now = T0.AddMinutes(1);
        foreach (var user in created.Select(c => c.User).Distinct())
        {
            var live = new List<string>();
            foreach (var (_, family) in created.Where(c => c.User == user))
            {
                if (await store.GetFamilyAsync(family) is not null)
                {
                    live.Add(family);
                }
            }

            (await store.ListUserFamiliesAsync(user, now)).Select(f => f.FamilyId).Should().BeEquivalentTo(live, $"every live family of {user} is listed");
            (await store.RevokeUserFamiliesAsync(user, now)).Should().Be(live.Count, $"revoke-all reaches every live family of {user}");
        }
    }

    [Fact]
    public async Task CreateFamily_WhenTheScanFreesTooFewExpired_EvictsRevokedBeforeTheLeastRecentlyUsedLiveFamily()
    {
        // 200 families: each eviction scan frees 2. f2 has expired (freed by the scan); one more must go. The candidates
        // were taken from the scan's max-heap in its own order (most recently used first), so live f0 went and revoked
        // f1 stayed (found in review).
        var store = new InMemoryRefreshTokenStore(maxFamilies: 200);
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("f0", "a", null, Hash(), T0, T0.AddDays(30), TimeSpan.FromDays(7)));
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("f1", "b", null, Hash(), T0.AddSeconds(1), T0.AddDays(30), TimeSpan.FromDays(7)));
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("f2", "c", null, Hash(), T0.AddSeconds(2), T0.AddMinutes(30), TimeSpan.FromDays(7)));
        for (var i = 3; i < 200; i++)
        {
            await store.CreateFamilyAsync(new RefreshTokenFamilyCreation($"f{i}", "u" + i, null, Hash(), T0.AddMinutes(1).AddSeconds(i), T0.AddDays(30), TimeSpan.FromDays(7)));
        }

        (await store.RevokeFamilyAsync("f1", T0.AddMinutes(10))).Should().BeTrue();
        store.Count.Should().Be(200);

        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("new", "v", null, Hash(), T0.AddHours(1), T0.AddDays(30), TimeSpan.FromDays(7)));

        (await store.GetFamilyAsync("f2")).Should().BeNull("expired");
        (await store.GetFamilyAsync("f1")).Should().BeNull("a revoked family goes before any live one");
        (await store.GetFamilyAsync("f0")).Should().NotBeNull("the least recently used live family is next, and two were enough");
        store.Count.Should().Be(199);
    }

    [Fact]
    public async Task Rotate_ManyFullTurnsOfTheHistory_RemembersExactlyTheLastEarlierTokens()
    {
        // The history is a ring of 128-bit fingerprints: after two full turns and a bit, exactly the 256 tokens before the
        // previous one are remembered (the first reuse revokes the family, the rest then report Revoked), and none older.
        var store = new InMemoryRefreshTokenStore();
        var hashes = new List<byte[]> { Hash() };
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation("fam", "u", null, hashes[0], T0, T0.AddDays(30), TimeSpan.FromDays(7)));
        var rotations = (2 * RefreshTokenStore.MaxRememberedTokens) + 5;
        for (var i = 0; i < rotations; i++)
        {
            var next = Hash();
            (await store.RotateAsync(new RefreshTokenRotation("fam", hashes[^1], next, new byte[60], T0.AddSeconds(i + 1), TimeSpan.Zero))).Status
                .Should().Be(RefreshTokenRotationStatus.Rotated);
            hashes.Add(next);
        }

        var later = T0.AddHours(1);
        async Task<RefreshTokenRotationStatus> Present(byte[] hash) =>
            (await store.RotateAsync(new RefreshTokenRotation("fam", hash, Hash(), new byte[60], later, TimeSpan.Zero))).Status;

        (await Present(hashes[^(3 + RefreshTokenStore.MaxRememberedTokens)])).Should().Be(RefreshTokenRotationStatus.NotFound, "one before the oldest remembered");
        (await Present(hashes[0])).Should().Be(RefreshTokenRotationStatus.NotFound);
        (await Present(hashes[^(2 + RefreshTokenStore.MaxRememberedTokens)])).Should().Be(RefreshTokenRotationStatus.ReuseDetected, "the oldest remembered");
        for (var back = 3; back < 2 + RefreshTokenStore.MaxRememberedTokens; back++)
        {
            (await Present(hashes[^back])).Should().Be(RefreshTokenRotationStatus.Revoked, $"{back} back is remembered");
        }

        for (var back = 3 + RefreshTokenStore.MaxRememberedTokens; back <= rotations; back += 37)
        {
            (await Present(hashes[^back])).Should().Be(RefreshTokenRotationStatus.NotFound, $"{back} back is forgotten");
        }
    }

    private static byte[] Hash() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(RefreshTokenStore.HashSize);

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

/// <summary>Runs alone (no other test allocates meanwhile), so the retained heap can be measured.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RetainedMemoryCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Retained memory";
}

[Collection(RetainedMemoryCollection.Name)]
public sealed class InMemoryRefreshTokenStoreMemoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Families_WithAFullHistory_KeepUnder8KiBEach()
    {
        // 300 rotations fill each family's history (256 earlier tokens). Kept as hex strings in a set and a queue, that was
        // ~50 KB a family (5 GB for a full default store; found in review); as 128-bit fingerprints it is 4 KiB.
        const int Families = 500;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new InMemoryRefreshTokenStore();
        for (var f = 0; f < Families; f++)
        {
            var id = $"fam{f}";
            var current = System.Security.Cryptography.RandomNumberGenerator.GetBytes(RefreshTokenStore.HashSize);
            await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(id, "u" + f, null, current, T0, T0.AddDays(30), TimeSpan.FromDays(7)));
            for (var i = 0; i < 300; i++)
            {
                var next = System.Security.Cryptography.RandomNumberGenerator.GetBytes(RefreshTokenStore.HashSize);
                (await store.RotateAsync(new RefreshTokenRotation(id, current, next, new byte[60], T0.AddSeconds(i + 1), TimeSpan.Zero))).Status
                    .Should().Be(RefreshTokenRotationStatus.Rotated);
                current = next;
            }
        }

        var perFamily = (GC.GetTotalMemory(forceFullCollection: true) - before) / Families;
        GC.KeepAlive(store);
        perFamily.Should().BeLessThan(8 * 1024, "a full history is 256 x 16 bytes plus the family's own fields");
    }
}
