using SecurityKit.Stores.Otp;

namespace SecurityKit.Tests.Conformance;

/// <summary>The contract of <see cref="IBackupCodeStore"/>, run against every implementation.</summary>
public abstract class BackupCodeStoreConformanceTests
{
    /// <summary>Creates the store under test.</summary>
    protected abstract Task<IBackupCodeStore> CreateStoreAsync();

    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N");

    private static string[] Hashes(int count) => Enumerable.Range(0, count).Select(i => $"hash{i:D2}-" + new string('x', 38)).ToArray();

    [SkippableFact]
    public async Task Arguments_AtAndBeyondTheirBounds_AcceptedOrRefusedWithoutAWrite()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();

        // A set holds 1 to 100 hashes of at most 128 characters; key ids are at most 32 characters.
        await store.Invoking(s => s.ReplaceAsync(user, "k1", Hashes(IBackupCodeStore.MaxCodesPerUser + 1)).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.ReplaceAsync(user, "k1", []).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.ReplaceAsync(user, "k1", null!).AsTask()).Should().ThrowAsync<ArgumentNullException>();
        await store.Invoking(s => s.ReplaceAsync(user, "k1", [new string('h', IBackupCodeStore.MaxHashLength + 1)]).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.ReplaceAsync(user, new string('k', 33), Hashes(1)).AsTask()).Should().ThrowAsync<ArgumentException>();
        (await store.GetRemainingCountAsync(user)).Should().Be(0, "nothing refused was written");

        var longest = new string('h', IBackupCodeStore.MaxHashLength);
        await store.ReplaceAsync(user, new string('k', 32), [.. Hashes(IBackupCodeStore.MaxCodesPerUser - 1), longest]);
        (await store.GetRemainingCountAsync(user)).Should().Be(IBackupCodeStore.MaxCodesPerUser);
        await store.Invoking(s => s.TryConsumeAsync(user, new string('k', 32), longest + "h").AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.TryConsumeAsync(user, new string('k', 32), string.Empty).AsTask()).Should().ThrowAsync<ArgumentException>();
        (await store.TryConsumeAsync(user, new string('k', 32), longest)).Consumed.Should().BeTrue();
        await store.Invoking(s => s.GetRemainingCountAsync(string.Empty).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.DeleteAsync(new string('u', IOtpStateStore.MaxUserIdLength + 1)).AsTask()).Should().ThrowAsync<ArgumentException>();
        (await store.GetRemainingCountAsync(user)).Should().Be(IBackupCodeStore.MaxCodesPerUser - 1);
    }

    [SkippableFact]
    public async Task Replace_ThenCount()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        (await store.GetRemainingCountAsync(user)).Should().Be(0);
        await store.ReplaceAsync(user, "k1", Hashes(10));
        (await store.GetRemainingCountAsync(user)).Should().Be(10);
    }

    [SkippableFact]
    public async Task TryConsume_Member_ConsumedOnce()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var hashes = Hashes(10);
        await store.ReplaceAsync(user, "k1", hashes);
        (await store.TryConsumeAsync(user, "k1", hashes[4])).Should().Be(new BackupCodeConsumeOutcome(true, "k1", 9));
        (await store.TryConsumeAsync(user, "k1", hashes[4])).Should().Be(new BackupCodeConsumeOutcome(false, "k1", 9));
    }

    [SkippableFact]
    public async Task TryConsume_NotMember_NotConsumed()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        await store.ReplaceAsync(user, "k1", Hashes(3));
        (await store.TryConsumeAsync(user, "k1", "other")).Should().Be(new BackupCodeConsumeOutcome(false, "k1", 3));
    }

    [SkippableFact]
    public async Task TryConsume_NoSet_NullKeyId()
    {
        var store = await CreateStoreAsync();
        (await store.TryConsumeAsync(NewUser(), "k1", "h")).Should().Be(new BackupCodeConsumeOutcome(false, null, 0));
    }

    [SkippableFact]
    public async Task TryConsume_OtherKeyId_NotConsumedAndStoredKeyIdReturned()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var hashes = Hashes(3);
        await store.ReplaceAsync(user, "k1", hashes);
        (await store.TryConsumeAsync(user, "k2", hashes[0])).Should().Be(new BackupCodeConsumeOutcome(false, "k1", 3));
        (await store.TryConsumeAsync(user, "k1", hashes[0])).Consumed.Should().BeTrue();
    }

    [SkippableFact]
    public async Task Replace_InvalidatesPreviousSet()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var old = Hashes(5);
        await store.ReplaceAsync(user, "k1", old);
        await store.ReplaceAsync(user, "k2", ["new-a", "new-b"]);
        (await store.TryConsumeAsync(user, "k2", old[0])).Consumed.Should().BeFalse();
        (await store.GetRemainingCountAsync(user)).Should().Be(2);
    }

    [SkippableFact]
    public async Task TryConsume_SameHashFromManyTasks_ExactlyOnce()
    {
        // One backup code submitted by many requests at once (callers on their own threads, released together).
        var store = await CreateStoreAsync();
        for (var round = 0; round < 20; round++)
        {
            var user = NewUser();
            var hashes = Hashes(10);
            await store.ReplaceAsync(user, "k1", hashes);
            var results = await SecurityKit.Testing.Race.RunValuesAsync(16, _ => store.TryConsumeAsync(user, "k1", hashes[7]));
            results.Count(r => r.Consumed).Should().Be(1, $"round {round}");
            (await store.GetRemainingCountAsync(user)).Should().Be(9);
        }
    }

    [SkippableFact]
    public async Task TryConsume_AllCodesInParallel_EachOnceAndNoneLeft()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var hashes = Hashes(20);
        await store.ReplaceAsync(user, "k1", hashes);
        var results = await Task.WhenAll(hashes.Concat(hashes).Select(h => Task.Run(async () => await store.TryConsumeAsync(user, "k1", h))));
        results.Count(r => r.Consumed).Should().Be(20);
        (await store.GetRemainingCountAsync(user)).Should().Be(0);
    }

    [SkippableFact]
    public async Task Delete_RemovesSet()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var hashes = Hashes(2);
        await store.ReplaceAsync(user, "k1", hashes);
        await store.DeleteAsync(user);
        (await store.GetRemainingCountAsync(user)).Should().Be(0);
        (await store.TryConsumeAsync(user, "k1", hashes[0])).Should().Be(new BackupCodeConsumeOutcome(false, null, 0));
    }

    [SkippableFact]
    public async Task Replace_InvalidArguments_Throw()
    {
        var store = await CreateStoreAsync();
        await FluentActions.Awaiting(async () => await store.ReplaceAsync(NewUser(), "k1", [])).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.ReplaceAsync(NewUser(), "k1", Hashes(101))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.ReplaceAsync(NewUser(), "k1", [new string('h', 129)])).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.ReplaceAsync("x\uD800", "k1", Hashes(3))).Should().ThrowAsync<ArgumentException>().WithMessage("*surrogate*");
        await FluentActions.Awaiting(async () => await store.TryConsumeAsync("", "k1", "h")).Should().ThrowAsync<ArgumentException>();

        // Key ids: 1 to 32 characters in every store (Redis accepted any length the in-memory store refused).
        await FluentActions.Awaiting(async () => await store.ReplaceAsync(NewUser(), "", Hashes(3))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.ReplaceAsync(NewUser(), new string('k', 33), Hashes(3))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.TryConsumeAsync(NewUser(), new string('k', 33), "h")).Should().ThrowAsync<ArgumentException>();
        await store.ReplaceAsync(NewUser(), new string('k', 32), Hashes(3));
    }
}
