using System.Security.Cryptography;
using SecurityKit.Stores.Tokens;

namespace SecurityKit.Tokens.Tests.Conformance;

/// <summary>
/// The behaviour every <see cref="RefreshTokenStore"/> must have. Compiled into the Tokens tests (in-memory
/// store) and the Redis tests (Redis store); each derived class supplies a fresh, empty store.
/// </summary>
public abstract class RefreshTokenStoreConformanceTests
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    protected abstract Task<RefreshTokenStore> CreateStoreAsync();

    /// <summary>Tells whether <paramref name="store"/> still keeps the protected successor of the family (looked up the
    /// way the implementation stores it, not through the contract).</summary>
    protected abstract Task<bool> HoldsSuccessorAsync(RefreshTokenStore store, string familyId);

    [SkippableFact]
    public async Task Rotate_ZeroGrace_StoresNoSuccessor()
    {
        // Without a grace window nobody may ever get the successor again, so it must not sit in the store: a reader of the
        // store who also held the previous token could decrypt the current one.
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");
        var h1 = Hash();
        (await store.RotateAsync(Rotation(id, h0, h1, T0, grace: TimeSpan.Zero))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        (await HoldsSuccessorAsync(store, id)).Should().BeFalse();

        // A later rotation with a window stores its own successor; the next one without a window drops it again.
        var h2 = Hash();
        (await store.RotateAsync(Rotation(id, h1, h2, T0.AddSeconds(1)))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        (await HoldsSuccessorAsync(store, id)).Should().BeTrue();
        (await store.RotateAsync(Rotation(id, h2, Hash(), T0.AddSeconds(2), grace: TimeSpan.Zero))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        (await HoldsSuccessorAsync(store, id)).Should().BeFalse();
    }

    [SkippableFact]
    public async Task Successor_IsDroppedByReuseDetectionAndByRevocation()
    {
        var store = await CreateStoreAsync();
        var (reused, r0) = await CreateAsync(store, "user-1");
        await store.RotateAsync(Rotation(reused, r0, Hash(), T0));
        (await HoldsSuccessorAsync(store, reused)).Should().BeTrue();
        (await store.RotateAsync(Rotation(reused, r0, Hash(), T0.AddSeconds(11)))).Status.Should().Be(RefreshTokenRotationStatus.ReuseDetected);
        (await HoldsSuccessorAsync(store, reused)).Should().BeFalse();

        var (revoked, v0) = await CreateAsync(store, "user-1");
        await store.RotateAsync(Rotation(revoked, v0, Hash(), T0));
        (await store.RevokeFamilyAsync(revoked, T0.AddSeconds(1))).Should().BeTrue();
        (await HoldsSuccessorAsync(store, revoked)).Should().BeFalse();

        var (everywhere, e0) = await CreateAsync(store, "user-2");
        await store.RotateAsync(Rotation(everywhere, e0, Hash(), T0));
        (await store.RevokeUserFamiliesAsync("user-2", T0.AddSeconds(1))).Should().Be(1);
        (await HoldsSuccessorAsync(store, everywhere)).Should().BeFalse();
    }

    [SkippableFact]
    public async Task CreateFamily_ThenGet_ReturnsFamilyAtGenerationZero()
    {
        var store = await CreateStoreAsync();
        var (id, _) = await CreateAsync(store, "user-1", "sid-1");

        var family = await store.GetFamilyAsync(id);

        family.Should().NotBeNull();
        family!.UserId.Should().Be("user-1");
        family.SessionId.Should().Be("sid-1");
        family.Generation.Should().Be(0);
        family.CreatedAt.Should().Be(T0);
        family.LastUsedAt.Should().Be(T0);
        family.AbsoluteExpiresAt.Should().Be(T0.AddDays(30));
        family.IdleTimeout.Should().Be(TimeSpan.FromDays(7));
        family.IsRevoked.Should().BeFalse();
    }

    [SkippableFact]
    public async Task CreateFamily_ExistingId_ReturnsFalse()
    {
        var store = await CreateStoreAsync();
        var (id, _) = await CreateAsync(store, "user-1");
        var again = new RefreshTokenFamilyCreation(id, "user-2", null, Hash(), T0, T0.AddDays(1), TimeSpan.FromHours(1));
        (await store.CreateFamilyAsync(again)).Should().BeFalse();
        (await store.GetFamilyAsync(id))!.UserId.Should().Be("user-1");
    }

    [SkippableFact]
    public async Task GetFamily_Unknown_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        (await store.GetFamilyAsync(NewId())).Should().BeNull();
    }

    [SkippableFact]
    public async Task Rotate_CurrentToken_RotatesAndAdvancesGeneration()
    {
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");
        var now = T0.AddHours(1);

        var result = await store.RotateAsync(Rotation(id, h0, Hash(), now));

        result.Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        result.Family!.Generation.Should().Be(1);
        result.Family.LastUsedAt.Should().Be(now);
        result.Family.UserId.Should().Be("user-1");
    }

    [SkippableFact]
    public async Task Rotate_UnknownFamilyOrHash_IsNotFoundAndChangesNothing()
    {
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");

        (await store.RotateAsync(Rotation(NewId(), h0, Hash(), T0))).Status.Should().Be(RefreshTokenRotationStatus.NotFound);
        (await store.RotateAsync(Rotation(id, Hash(), Hash(), T0))).Status.Should().Be(RefreshTokenRotationStatus.NotFound);
        (await store.RotateAsync(Rotation(id, h0, Hash(), T0))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
    }

    [SkippableFact]
    public async Task Rotate_PreviousTokenWithinGrace_ReturnsStoredSuccessorWithoutRotating()
    {
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");
        var successor = RandomNumberGenerator.GetBytes(60);
        (await store.RotateAsync(Rotation(id, h0, Hash(), T0, successor))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);

        var replay = await store.RotateAsync(Rotation(id, h0, Hash(), T0.AddSeconds(9)));

        replay.Status.Should().Be(RefreshTokenRotationStatus.GraceReplay);
        replay.ProtectedSuccessor.ToArray().Should().Equal(successor);
        replay.Family!.Generation.Should().Be(1);
    }

    [SkippableFact]
    public async Task Rotate_PreviousTokenAfterGrace_DetectsReuseAndRevokesFamily()
    {
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");
        var h1 = Hash();
        await store.RotateAsync(Rotation(id, h0, h1, T0));

        var reuse = await store.RotateAsync(Rotation(id, h0, Hash(), T0.AddSeconds(10)));

        reuse.Status.Should().Be(RefreshTokenRotationStatus.ReuseDetected);
        reuse.Family!.IsRevoked.Should().BeTrue();
        reuse.Family.UserId.Should().Be("user-1");
        (await store.RotateAsync(Rotation(id, h1, Hash(), T0.AddSeconds(11)))).Status.Should().Be(RefreshTokenRotationStatus.Revoked);
        (await store.GetFamilyAsync(id))!.IsRevoked.Should().BeTrue();
    }

    [SkippableFact]
    public async Task Rotate_OlderTokenEvenWithinGrace_DetectsReuse()
    {
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");
        var h1 = Hash();
        await store.RotateAsync(Rotation(id, h0, h1, T0));
        await store.RotateAsync(Rotation(id, h1, Hash(), T0.AddSeconds(1)));

        (await store.RotateAsync(Rotation(id, h0, Hash(), T0.AddSeconds(2)))).Status.Should().Be(RefreshTokenRotationStatus.ReuseDetected);
    }

    [SkippableFact]
    public async Task Rotate_ZeroGrace_PreviousTokenIsReuse()
    {
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");
        await store.RotateAsync(Rotation(id, h0, Hash(), T0, grace: TimeSpan.Zero));
        (await store.RotateAsync(Rotation(id, h0, Hash(), T0, grace: TimeSpan.Zero))).Status.Should().Be(RefreshTokenRotationStatus.ReuseDetected);
    }

    [SkippableFact]
    public async Task Rotate_ZeroGraceWithATimeOlderThanTheRacingRotation_IsStillReuse()
    {
        // The thief's request read the clock (t0) before the owner's request (t1) rotated: without a grace window the
        // thief's call must not fall inside "t0 < t1 + 0" and get the successor.
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");
        await store.RotateAsync(Rotation(id, h0, Hash(), T0.AddSeconds(5), grace: TimeSpan.Zero));

        var stale = await store.RotateAsync(Rotation(id, h0, Hash(), T0.AddSeconds(4), grace: TimeSpan.Zero));

        stale.Status.Should().Be(RefreshTokenRotationStatus.ReuseDetected);
        stale.ProtectedSuccessor.IsEmpty.Should().BeTrue();
    }

    [SkippableFact]
    public async Task Family_WithoutASessionId_ReadsBackWithoutOne()
    {
        // Redis stores an absent session id as an empty field: it must read back as null, from every path.
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-nosid");

        (await store.GetFamilyAsync(id))!.SessionId.Should().BeNull();
        (await store.RotateAsync(Rotation(id, h0, Hash(), T0.AddMinutes(1)))).Family!.SessionId.Should().BeNull();
        (await store.ListUserFamiliesAsync("user-nosid", T0.AddMinutes(2))).Should().ContainSingle().Which.SessionId.Should().BeNull();
    }

    [SkippableFact]
    public async Task Rotate_FirstRotationFromALaggingClock_KeepsTheLaterLastUse()
    {
        // No rotation yet, so only the creation time says when the family was last used: an instance whose clock reads a
        // minute earlier rotates it, and the last use stays at the creation (an earlier one would shorten the idle expiry).
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");

        var result = await store.RotateAsync(Rotation(id, h0, Hash(), T0.AddMinutes(-1)));

        result.Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        result.Family!.LastUsedAt.Should().Be(T0);
        (await store.GetFamilyAsync(id))!.LastUsedAt.Should().Be(T0);
    }

    [SkippableFact]
    public async Task Rotate_TimeOlderThanTheLastRotation_NeverMovesStoredTimesBack()
    {
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");
        var h1 = Hash();
        var h2 = Hash();
        await store.RotateAsync(Rotation(id, h0, h1, T0.AddMinutes(10)));

        var stale = await store.RotateAsync(Rotation(id, h1, h2, T0.AddMinutes(9)));

        stale.Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        stale.Family!.LastUsedAt.Should().Be(T0.AddMinutes(10), "last use never moves back");

        // The grace window runs from the later rotation time (10 min), not from the stale reading (9 min).
        (await store.RotateAsync(Rotation(id, h1, Hash(), T0.AddMinutes(10).AddSeconds(9)))).Status.Should().Be(RefreshTokenRotationStatus.GraceReplay);
        (await store.RotateAsync(Rotation(id, h1, Hash(), T0.AddMinutes(10).AddSeconds(10)))).Status.Should().Be(RefreshTokenRotationStatus.ReuseDetected);
    }

    [SkippableFact]
    public async Task Rotate_ManyTimes_RemembersTheLastEarlierTokensOnly()
    {
        // A family's memory is bounded however often it rotates: the last MaxRememberedTokens earlier tokens (besides
        // the previous one) are reuse; an older one is unknown (refused, family untouched).
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");
        var hashes = new List<byte[]> { h0 };
        for (var i = 0; i < RefreshTokenStore.MaxRememberedTokens + 3; i++)
        {
            var next = Hash();
            (await store.RotateAsync(Rotation(id, hashes[^1], next, T0.AddSeconds(i)))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
            hashes.Add(next);
        }

        var later = T0.AddHours(1);

        // hashes[^1] is current, hashes[^2] previous; hashes[^(2 + MaxRememberedTokens)] is the oldest remembered.
        (await store.RotateAsync(Rotation(id, hashes[^(3 + RefreshTokenStore.MaxRememberedTokens)], Hash(), later))).Status.Should().Be(RefreshTokenRotationStatus.NotFound);
        (await store.RotateAsync(Rotation(id, h0, Hash(), later))).Status.Should().Be(RefreshTokenRotationStatus.NotFound);
        (await store.GetFamilyAsync(id))!.IsRevoked.Should().BeFalse();
        (await store.RotateAsync(Rotation(id, hashes[^(2 + RefreshTokenStore.MaxRememberedTokens)], Hash(), later))).Status.Should().Be(RefreshTokenRotationStatus.ReuseDetected);
    }

    [SkippableFact]
    public async Task Rotate_AfterAbsoluteExpiry_IsExpired()
    {
        var store = await CreateStoreAsync();
        var id = NewId();
        var h0 = Hash();
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(id, "user-1", null, h0, T0, T0.AddHours(1), TimeSpan.FromHours(1)));
        var h1 = Hash();
        (await store.RotateAsync(Rotation(id, h0, h1, T0.AddMinutes(59)))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        (await store.RotateAsync(Rotation(id, h1, Hash(), T0.AddHours(1)))).Status.Should().Be(RefreshTokenRotationStatus.Expired);
    }

    [SkippableFact]
    public async Task Rotate_AfterIdleTimeout_IsExpired_AndUseExtendsIdleWindow()
    {
        var store = await CreateStoreAsync();
        var id = NewId();
        var h0 = Hash();
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(id, "user-1", null, h0, T0, T0.AddDays(30), TimeSpan.FromHours(1)));
        var h1 = Hash();
        (await store.RotateAsync(Rotation(id, h0, h1, T0.AddMinutes(50)))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        var h2 = Hash();
        (await store.RotateAsync(Rotation(id, h1, h2, T0.AddMinutes(100)))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        (await store.RotateAsync(Rotation(id, h2, Hash(), T0.AddMinutes(160)))).Status.Should().Be(RefreshTokenRotationStatus.Expired);
    }

    [SkippableFact]
    public async Task RevokeFamily_Active_RevokesOnce()
    {
        var store = await CreateStoreAsync();
        var (id, h0) = await CreateAsync(store, "user-1");

        (await store.RevokeFamilyAsync(id, T0)).Should().BeTrue();
        (await store.RevokeFamilyAsync(id, T0)).Should().BeFalse();
        (await store.RevokeFamilyAsync(NewId(), T0)).Should().BeFalse();
        (await store.RotateAsync(Rotation(id, h0, Hash(), T0))).Status.Should().Be(RefreshTokenRotationStatus.Revoked);
    }

    [SkippableFact]
    public async Task RevokeFamily_Expired_IsMarkedButNotCounted()
    {
        // Revoking skips nothing: a family expired by this caller's clock could still be alive for an instance whose
        // clock lags, so it is marked revoked too; only unexpired families are counted.
        var store = await CreateStoreAsync();
        var id = NewId();
        var h0 = Hash();
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(id, "carol", null, h0, T0, T0.AddHours(1), TimeSpan.FromHours(1)));

        (await store.RevokeUserFamiliesAsync("carol", T0.AddHours(2))).Should().Be(0);

        (await store.RotateAsync(Rotation(id, h0, Hash(), T0.AddMinutes(30)))).Status.Should().Be(RefreshTokenRotationStatus.Revoked);
    }

    [SkippableFact]
    public async Task RevokeUserFamilies_RevokesOnlyThatUsersActiveFamilies()
    {
        var store = await CreateStoreAsync();
        var (a1, h1) = await CreateAsync(store, "alice");
        var (a2, _) = await CreateAsync(store, "alice");
        var (a3, _) = await CreateAsync(store, "alice");
        var (b1, hb) = await CreateAsync(store, "bob");
        await store.RevokeFamilyAsync(a3, T0);

        (await store.RevokeUserFamiliesAsync("alice", T0)).Should().Be(2);

        (await store.RotateAsync(Rotation(a1, h1, Hash(), T0))).Status.Should().Be(RefreshTokenRotationStatus.Revoked);
        (await store.GetFamilyAsync(a2))!.IsRevoked.Should().BeTrue();
        (await store.RotateAsync(Rotation(b1, hb, Hash(), T0))).Status.Should().Be(RefreshTokenRotationStatus.Rotated);
        (await store.RevokeUserFamiliesAsync("nobody", T0)).Should().Be(0);
    }

    [SkippableFact]
    public async Task ListUserFamilies_ReturnsActiveFamiliesOldestFirst()
    {
        var store = await CreateStoreAsync();
        var first = NewId();
        var second = NewId();
        var revoked = NewId();
        var expired = NewId();
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(second, "alice", "s2", Hash(), T0.AddMinutes(2), T0.AddDays(1), TimeSpan.FromDays(1)));
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(first, "alice", "s1", Hash(), T0.AddMinutes(1), T0.AddDays(1), TimeSpan.FromDays(1)));
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(revoked, "alice", null, Hash(), T0, T0.AddDays(1), TimeSpan.FromDays(1)));
        await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(expired, "alice", null, Hash(), T0, T0.AddMinutes(30), TimeSpan.FromMinutes(30)));
        await CreateAsync(store, "bob");
        await store.RevokeFamilyAsync(revoked, T0);

        var list = await store.ListUserFamiliesAsync("alice", T0.AddHours(1));

        list.Select(f => f.FamilyId).Should().Equal(first, second);
        list.Select(f => f.SessionId).Should().Equal("s1", "s2");
        (await store.ListUserFamiliesAsync("nobody", T0)).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Rotate_SameToken50ParallelWithGrace_YieldsExactlyOneSuccessor()
    {
        // Callers on their own threads, released together, for several rounds: with Task.Run the in-memory store's calls
        // mostly ran one after another and would pass without its lock.
        var store = await CreateStoreAsync();
        for (var round = 0; round < 10; round++)
        {
            var (id, h0) = await CreateAsync(store, "user-1");
            var candidates = Enumerable.Range(0, 50).Select(_ => RandomNumberGenerator.GetBytes(60)).ToArray();

            var results = await SecurityKit.Testing.Race.RunAsync(50, async i => (Candidate: candidates[i], Result: await store.RotateAsync(Rotation(id, h0, Hash(), T0, candidates[i]))));

            var winners = results.Where(r => r.Result.Status == RefreshTokenRotationStatus.Rotated).ToList();
            winners.Should().HaveCount(1, $"round {round}");
            results.Count(r => r.Result.Status == RefreshTokenRotationStatus.GraceReplay).Should().Be(49);
            results.Where(r => r.Result.Status == RefreshTokenRotationStatus.GraceReplay)
                .Should().AllSatisfy(r => r.Result.ProtectedSuccessor.ToArray().Should().Equal(winners[0].Candidate));
            (await store.GetFamilyAsync(id))!.Generation.Should().Be(1);
        }
    }

    [SkippableFact]
    public async Task Rotate_SameToken50ParallelWithoutGrace_OneRotationThenFamilyRevoked()
    {
        var store = await CreateStoreAsync();
        for (var round = 0; round < 10; round++)
        {
            var (id, h0) = await CreateAsync(store, "user-1");

            var results = await SecurityKit.Testing.Race.RunValuesAsync(50, _ => store.RotateAsync(Rotation(id, h0, Hash(), T0, grace: TimeSpan.Zero)));

            results.Count(r => r.Status == RefreshTokenRotationStatus.Rotated).Should().Be(1, $"round {round}");
            results.Count(r => r.Status == RefreshTokenRotationStatus.ReuseDetected).Should().Be(1);
            results.Count(r => r.Status == RefreshTokenRotationStatus.Revoked).Should().Be(48);
            var family = await store.GetFamilyAsync(id);
            family!.Generation.Should().Be(1);
            family.IsRevoked.Should().BeTrue();
        }
    }

    [SkippableFact]
    public async Task CreateFamily_ManyInParallelForOneUser_AllListed()
    {
        var store = await CreateStoreAsync();
        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(async () => (await CreateAsync(store, "busy")).Id)));
        (await store.ListUserFamiliesAsync("busy", T0)).Select(f => f.FamilyId).Should().BeEquivalentTo(ids);
    }

    [SkippableFact]
    public async Task Arguments_OutOfRange_Throw()
    {
        var store = await CreateStoreAsync();
        await store.Invoking(s => s.CreateFamilyAsync(new RefreshTokenFamilyCreation("bad id!", "u", null, Hash(), T0, T0.AddDays(1), TimeSpan.FromHours(1))).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.CreateFamilyAsync(new RefreshTokenFamilyCreation(NewId(), "u", null, new byte[31], T0, T0.AddDays(1), TimeSpan.FromHours(1))).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.CreateFamilyAsync(new RefreshTokenFamilyCreation(NewId(), "u", null, Hash(), T0, T0, TimeSpan.FromHours(1))).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.RotateAsync(Rotation(NewId(), Hash(), Hash(), T0, new byte[300])).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.ListUserFamiliesAsync(new string('u', 257), T0).AsTask()).Should().ThrowAsync<ArgumentException>();

        // A lone surrogate becomes U+FFFD in UTF-8: "x\uD800" would name the data of "x\uFFFD".
        await store.Invoking(s => s.CreateFamilyAsync(new RefreshTokenFamilyCreation(NewId(), "x\uD800", null, Hash(), T0, T0.AddDays(1), TimeSpan.FromHours(1))).AsTask()).Should().ThrowAsync<ArgumentException>().WithMessage("*surrogate*");
        await store.Invoking(s => s.ListUserFamiliesAsync("x\uDC00", T0).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.RevokeUserFamiliesAsync("\uD800x", T0).AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    protected static byte[] Hash() => RandomNumberGenerator.GetBytes(RefreshTokenStore.HashSize);

    protected static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(11));

    private static RefreshTokenRotation Rotation(string id, byte[] presented, byte[] next, DateTimeOffset now, byte[]? successor = null, TimeSpan? grace = null) =>
        new(id, presented, next, successor ?? RandomNumberGenerator.GetBytes(60), now, grace ?? Grace);

    private static async Task<(string Id, byte[] Hash)> CreateAsync(RefreshTokenStore store, string user, string? sid = null)
    {
        var id = NewId();
        var hash = Hash();
        (await store.CreateFamilyAsync(new RefreshTokenFamilyCreation(id, user, sid, hash, T0, T0.AddDays(30), TimeSpan.FromDays(7)))).Should().BeTrue();
        return (id, hash);
    }
}

/// <summary>The behaviour every <see cref="TokenVersionStore"/> must have.</summary>
public abstract class TokenVersionStoreConformanceTests
{
    protected abstract Task<TokenVersionStore> CreateStoreAsync();

    [SkippableFact]
    public async Task GetVersion_UnknownUser_IsZero()
    {
        var store = await CreateStoreAsync();
        (await store.GetVersionAsync("nobody-" + Guid.NewGuid())).Should().Be(0);
    }

    [SkippableFact]
    public async Task IncrementVersion_CountsUpPerUser()
    {
        var store = await CreateStoreAsync();
        var user = "u-" + Guid.NewGuid();
        (await store.IncrementVersionAsync(user)).Should().Be(1);
        (await store.IncrementVersionAsync(user)).Should().Be(2);
        (await store.GetVersionAsync(user)).Should().Be(2);
        (await store.GetVersionAsync(user + "-other")).Should().Be(0);
    }

    [SkippableFact]
    public async Task IncrementVersion_50Parallel_IsAtomic()
    {
        var store = await CreateStoreAsync();
        var user = "u-" + Guid.NewGuid();
        var values = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await store.IncrementVersionAsync(user))));
        values.Should().BeEquivalentTo(Enumerable.Range(1, 50).Select(i => (long)i));
        (await store.GetVersionAsync(user)).Should().Be(50);
    }

    [SkippableFact]
    public async Task UserIdWithALoneSurrogate_Throws()
    {
        // "x\uD800" would become "x\uFFFD" in UTF-8: bumping it would sign that other user out everywhere.
        var store = await CreateStoreAsync();
        await store.Invoking(s => s.IncrementVersionAsync("x\uD800").AsTask()).Should().ThrowAsync<ArgumentException>().WithMessage("*surrogate*");
        await store.Invoking(s => s.GetVersionAsync("x\uDC00").AsTask()).Should().ThrowAsync<ArgumentException>();
    }
}
