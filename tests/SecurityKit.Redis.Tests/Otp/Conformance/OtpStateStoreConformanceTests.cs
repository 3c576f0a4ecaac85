using SecurityKit.Stores.Otp;

namespace SecurityKit.Tests.Conformance;

/// <summary>
/// The contract of <see cref="IOtpStateStore"/>, run against every implementation (in-memory in
/// SecurityKit.Otp.Tests, Redis in SecurityKit.Redis.Tests). Each test uses fresh user ids.
/// </summary>
public abstract class OtpStateStoreConformanceTests
{
    /// <summary>Creates the store under test; a Redis implementation skips or fails here when no server runs.</summary>
    protected abstract Task<IOtpStateStore> CreateStoreAsync();

    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N");

    [SkippableFact]
    public async Task Arguments_AtAndBeyondTheirBounds_AcceptedOrRefusedWithoutAWrite()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var minute = TimeSpan.FromMinutes(1);

        // User ids: up to 256 characters; counter names: 1–64 of [a-z0-9._-]; accepted values 0 to 2^53.
        (await store.TryAcceptAsync(user + new string('u', IOtpStateStore.MaxUserIdLength - user.Length), "totp", 0, minute)).Accepted.Should().BeTrue();
        await store.Invoking(s => s.TryAcceptAsync(new string('u', IOtpStateStore.MaxUserIdLength + 1), "totp", 1, minute).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.TryAcceptAsync(string.Empty, "totp", 1, minute).AsTask()).Should().ThrowAsync<ArgumentException>();
        (await store.TryAcceptAsync(user, new string('c', 64), 1L << 53, minute)).Accepted.Should().BeTrue();
        foreach (var bad in new[] { new string('c', 65), string.Empty, "TOTP", "to tp" })
        {
            await store.Invoking(s => s.TryAcceptAsync(user, bad, 1, minute).AsTask()).Should().ThrowAsync<ArgumentException>(bad);
            await store.Invoking(s => s.GetLastAcceptedAsync(user, bad).AsTask()).Should().ThrowAsync<ArgumentException>(bad);
            await store.Invoking(s => s.RemoveCounterAsync(user, bad).AsTask()).Should().ThrowAsync<ArgumentException>(bad);
        }

        await store.Invoking(s => s.TryAcceptAsync(user, "hotp.a", -1, minute).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await store.Invoking(s => s.TryAcceptAsync(user, "hotp.a", (1L << 53) + 1, minute).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await store.Invoking(s => s.TryAcceptAsync(user, "hotp.a", 1, TimeSpan.Zero).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        (await store.GetLastAcceptedAsync(user, "hotp.a")).Should().BeNull("nothing refused was written");

        // Failure counts: a positive window; user ids checked like above.
        await store.Invoking(s => s.RecordFailureAsync(user, TimeSpan.Zero).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await store.Invoking(s => s.RecordFailureBelowLimitAsync(user, TimeSpan.Zero, 5).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await store.Invoking(s => s.GetFailureCountAsync(string.Empty).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.ResetFailuresAsync("x\uD800").AsTask()).Should().ThrowAsync<ArgumentException>();
        (await store.GetFailureCountAsync(user)).Should().Be(0);
    }

    [SkippableFact]
    public async Task TryAccept_FirstValue_AcceptedWithoutPrevious()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        (await store.TryAcceptAsync(user, "totp", 100, TimeSpan.FromMinutes(2))).Should().Be(new OtpAcceptOutcome(true, null));
        (await store.GetLastAcceptedAsync(user, "totp")).Should().Be(100);
    }

    [SkippableFact]
    public async Task TryAccept_SameOrLowerValue_RejectedAndUnchanged()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        await store.TryAcceptAsync(user, "totp", 100, TimeSpan.FromMinutes(2));
        (await store.TryAcceptAsync(user, "totp", 100, TimeSpan.FromMinutes(2))).Should().Be(new OtpAcceptOutcome(false, 100));
        (await store.TryAcceptAsync(user, "totp", 99, TimeSpan.FromMinutes(2))).Should().Be(new OtpAcceptOutcome(false, 100));
        (await store.GetLastAcceptedAsync(user, "totp")).Should().Be(100);
    }

    [SkippableFact]
    public async Task TryAccept_HigherValue_AcceptedWithPrevious()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        await store.TryAcceptAsync(user, "totp", 100, TimeSpan.FromMinutes(2));
        (await store.TryAcceptAsync(user, "totp", 101, TimeSpan.FromMinutes(2))).Should().Be(new OtpAcceptOutcome(true, 100));
    }

    [SkippableFact]
    public async Task TryAccept_CountersAndUsersAreIndependent()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var other = NewUser();
        await store.TryAcceptAsync(user, "totp", 100, TimeSpan.FromMinutes(2));
        (await store.TryAcceptAsync(user, "hotp.0011223344556677", 0, null)).Accepted.Should().BeTrue();
        (await store.TryAcceptAsync(other, "totp", 100, TimeSpan.FromMinutes(2))).Accepted.Should().BeTrue();
    }

    [SkippableFact]
    public async Task TryAccept_ZeroAndNoRetention_Kept()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        (await store.TryAcceptAsync(user, "hotp.a", 0, null)).Accepted.Should().BeTrue();
        (await store.TryAcceptAsync(user, "hotp.a", 0, null)).Accepted.Should().BeFalse();
        (await store.GetLastAcceptedAsync(user, "hotp.a")).Should().Be(0);
    }

    [SkippableFact]
    public async Task TryAccept_ManyParallelSameValue_ExactlyOneAccepted()
    {
        // The replay guard: one code, many requests at once (callers on their own threads, released together).
        var store = await CreateStoreAsync();
        for (var round = 0; round < 20; round++)
        {
            var user = NewUser();
            await store.TryAcceptAsync(user, "totp", 4_999_999, TimeSpan.FromMinutes(2));
            var results = await SecurityKit.Testing.Race.RunValuesAsync(16, _ => store.TryAcceptAsync(user, "totp", 5_000_000, TimeSpan.FromMinutes(2)));
            results.Count(r => r.Accepted).Should().Be(1, $"round {round}");
            results.Single(r => r.Accepted).PreviousValue.Should().Be(4_999_999);
            results.Where(r => !r.Accepted).Should().OnlyContain(r => r.PreviousValue == 5_000_000, "every loser saw the winner's value");
        }
    }

    [SkippableFact]
    public async Task TryAccept_ParallelIncreasingValues_AcceptedSequenceStrictlyIncreasesToMax()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var outcomes = await Task.WhenAll(Enumerable.Range(1, 40).Reverse().Select(v => Task.Run(async () => (Value: v, Outcome: await store.TryAcceptAsync(user, "hotp.x", v, null)))));
        (await store.GetLastAcceptedAsync(user, "hotp.x")).Should().Be(40);
        foreach (var (value, outcome) in outcomes.Where(o => o.Outcome.Accepted))
        {
            (outcome.PreviousValue ?? 0).Should().BeLessThan(value);
        }

        foreach (var (value, outcome) in outcomes.Where(o => !o.Outcome.Accepted))
        {
            outcome.PreviousValue.Should().BeGreaterThanOrEqualTo(value);
        }
    }

    [SkippableFact]
    public async Task RemoveCounter_ForgetsValue()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        await store.TryAcceptAsync(user, "hotp.a", 7, null);
        await store.RemoveCounterAsync(user, "hotp.a");
        (await store.GetLastAcceptedAsync(user, "hotp.a")).Should().BeNull();
        (await store.TryAcceptAsync(user, "hotp.a", 0, null)).Accepted.Should().BeTrue();
    }

    [SkippableFact]
    public async Task Failures_RecordCountReset()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        (await store.GetFailureCountAsync(user)).Should().Be(0);
        (await store.RecordFailureAsync(user, TimeSpan.FromMinutes(15))).Should().Be(1);
        (await store.RecordFailureAsync(user, TimeSpan.FromMinutes(15))).Should().Be(2);
        (await store.GetFailureCountAsync(user)).Should().Be(2);
        await store.ResetFailuresAsync(user);
        (await store.GetFailureCountAsync(user)).Should().Be(0);
    }

    [SkippableFact]
    public async Task RecordFailure_ManyParallel_ExactCount()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var counts = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () => await store.RecordFailureAsync(user, TimeSpan.FromMinutes(15)))));
        counts.Should().BeEquivalentTo(Enumerable.Range(1, 100));
        (await store.GetFailureCountAsync(user)).Should().Be(100);

        for (var round = 0; round < 20; round++)
        {
            var racing = NewUser();
            var raced = await SecurityKit.Testing.Race.RunValuesAsync(16, _ => store.RecordFailureAsync(racing, TimeSpan.FromMinutes(15)));
            raced.Should().BeEquivalentTo(Enumerable.Range(1, 16), $"round {round}");
        }
    }

    [SkippableFact]
    public async Task RecordFailureBelowLimit_CountsUpToTheLimit_ThenNeitherCountsNorProlongs()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        (await store.RecordFailureBelowLimitAsync(user, TimeSpan.FromMinutes(15), 2)).Should().Be(new OtpFailureRecord(true, 1));
        (await store.RecordFailureBelowLimitAsync(user, TimeSpan.FromMinutes(15), 2)).Should().Be(new OtpFailureRecord(true, 2));
        (await store.RecordFailureBelowLimitAsync(user, TimeSpan.FromMinutes(15), 2)).Should().Be(new OtpFailureRecord(false, 2));
        (await store.GetFailureCountAsync(user)).Should().Be(2);
        (await store.RecordFailureBelowLimitAsync(user, TimeSpan.FromMinutes(15), 3)).Should().Be(new OtpFailureRecord(true, 3), "a higher limit counts again");
        await FluentActions.Awaiting(async () => await store.RecordFailureBelowLimitAsync(user, TimeSpan.FromMinutes(15), 0)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [SkippableFact]
    public async Task RecordFailureBelowLimit_ManyParallel_ExactlyTheLimitRecorded()
    {
        var store = await CreateStoreAsync();
        var user = NewUser();
        var records = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () => await store.RecordFailureBelowLimitAsync(user, TimeSpan.FromMinutes(15), 10))));
        records.Count(r => r.Recorded).Should().Be(10);
        records.Where(r => r.Recorded).Select(r => r.Count).Should().BeEquivalentTo(Enumerable.Range(1, 10));
        records.Where(r => !r.Recorded).Should().OnlyContain(r => r.Count == 10);
        (await store.GetFailureCountAsync(user)).Should().Be(10, "nothing past the limit was written");

        for (var round = 0; round < 20; round++)
        {
            var racing = NewUser();
            var raced = await SecurityKit.Testing.Race.RunValuesAsync(16, _ => store.RecordFailureBelowLimitAsync(racing, TimeSpan.FromMinutes(15), 5));
            raced.Where(r => r.Recorded).Select(r => r.Count).Should().BeEquivalentTo(Enumerable.Range(1, 5), $"round {round}: each recorded failure has its own count");
            raced.Where(r => !r.Recorded).Should().OnlyContain(r => r.Count == 5);
            (await store.GetFailureCountAsync(racing)).Should().Be(5);
        }
    }

    [SkippableFact]
    public async Task InvalidArguments_Throw()
    {
        var store = await CreateStoreAsync();
        await FluentActions.Awaiting(async () => await store.TryAcceptAsync("", "totp", 1, null)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.TryAcceptAsync(new string('u', 257), "totp", 1, null)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.TryAcceptAsync("x\uD800", "totp", 1, null)).Should().ThrowAsync<ArgumentException>().WithMessage("*surrogate*");
        await FluentActions.Awaiting(async () => await store.RecordFailureAsync("x\uDC00", TimeSpan.FromMinutes(1))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.TryAcceptAsync("u", "TOTP", 1, null)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.TryAcceptAsync("u", "totp", 1, TimeSpan.Zero)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [SkippableFact]
    public async Task UserIdsWithSeparatorsAndUnicode_AreDistinct()
    {
        var store = await CreateStoreAsync();
        var suffix = Guid.NewGuid().ToString("N");
        string[] users = ["a}:c:totp" + suffix, "a" + suffix, "{a}" + suffix, "ä😀" + suffix, "a b" + suffix];
        foreach (var user in users)
        {
            (await store.TryAcceptAsync(user, "totp", 1, TimeSpan.FromMinutes(1))).Accepted.Should().BeTrue(user);
        }
    }
}
