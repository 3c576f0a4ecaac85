using Microsoft.Extensions.Time.Testing;
using SecurityKit.Otp.Stores;
using SecurityKit.Stores.Otp;
using SecurityKit.Tests.Conformance;

namespace SecurityKit.Otp.Tests.Stores;

public sealed class InMemoryOtpStateStoreConformanceTests : OtpStateStoreConformanceTests
{
    protected override Task<IOtpStateStore> CreateStoreAsync() => Task.FromResult<IOtpStateStore>(new InMemoryOtpStateStore(new FakeTimeProvider()));
}

public sealed class InMemoryBackupCodeStoreConformanceTests : BackupCodeStoreConformanceTests
{
    protected override Task<IBackupCodeStore> CreateStoreAsync() => Task.FromResult<IBackupCodeStore>(new InMemoryBackupCodeStore());
}

public sealed class InMemoryStoreTests
{
    [Fact]
    public async Task TryAccept_AfterRetention_ForgottenAndAcceptedAgain()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryOtpStateStore(time);
        await store.TryAcceptAsync("u", "totp", 5, TimeSpan.FromSeconds(90));
        time.Advance(TimeSpan.FromSeconds(89));
        (await store.GetLastAcceptedAsync("u", "totp")).Should().Be(5);
        time.Advance(TimeSpan.FromSeconds(1));
        (await store.GetLastAcceptedAsync("u", "totp")).Should().BeNull();
    }

    [Fact]
    public async Task RecordFailureBelowLimit_AtTheLimit_TheWindowRunsFromTheLastCountedFailure()
    {
        var time = new FakeTimeProvider();
        IOtpStateStore store = new InMemoryOtpStateStore(time);
        await store.RecordFailureBelowLimitAsync("u", TimeSpan.FromMinutes(15), 2);
        await store.RecordFailureBelowLimitAsync("u", TimeSpan.FromMinutes(15), 2);
        for (var i = 0; i < 14; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            (await store.RecordFailureBelowLimitAsync("u", TimeSpan.FromMinutes(15), 2)).Should().Be(new OtpFailureRecord(false, 2));
        }

        time.Advance(TimeSpan.FromMinutes(1));
        (await store.GetFailureCountAsync("u")).Should().Be(0, "15 minutes after the last counted failure, whatever was refused since");
    }

    [Fact]
    public async Task RecordFailureBelowLimit_DefaultImplementation_ForStoresWrittenBeforeIt()
    {
        // A third-party store that does not implement the member gets the read-then-record default.
        IOtpStateStore store = new OldStore(new InMemoryOtpStateStore(new FakeTimeProvider()));
        (await store.RecordFailureBelowLimitAsync("u", TimeSpan.FromMinutes(15), 1)).Should().Be(new OtpFailureRecord(true, 1));
        (await store.RecordFailureBelowLimitAsync("u", TimeSpan.FromMinutes(15), 1)).Should().Be(new OtpFailureRecord(false, 1));
        (await store.GetFailureCountAsync("u")).Should().Be(1);
    }

    /// <summary>Implements only the members that existed before <see cref="IOtpStateStore.RecordFailureBelowLimitAsync"/>.</summary>
    private sealed class OldStore(IOtpStateStore inner) : IOtpStateStore
    {
        public ValueTask<OtpAcceptOutcome> TryAcceptAsync(string userId, string counterName, long value, TimeSpan? retention, CancellationToken cancellationToken = default) =>
            inner.TryAcceptAsync(userId, counterName, value, retention, cancellationToken);

        public ValueTask<long?> GetLastAcceptedAsync(string userId, string counterName, CancellationToken cancellationToken = default) =>
            inner.GetLastAcceptedAsync(userId, counterName, cancellationToken);

        public ValueTask RemoveCounterAsync(string userId, string counterName, CancellationToken cancellationToken = default) =>
            inner.RemoveCounterAsync(userId, counterName, cancellationToken);

        public ValueTask<int> GetFailureCountAsync(string userId, CancellationToken cancellationToken = default) => inner.GetFailureCountAsync(userId, cancellationToken);

        public ValueTask<int> RecordFailureAsync(string userId, TimeSpan window, CancellationToken cancellationToken = default) =>
            inner.RecordFailureAsync(userId, window, cancellationToken);

        public ValueTask ResetFailuresAsync(string userId, CancellationToken cancellationToken = default) => inner.ResetFailuresAsync(userId, cancellationToken);
    }

    [Fact]
    public async Task TryAccept_ExpiryBoundary_RemembersUntilTheRetentionEnds_ThenAcceptsALowerValue()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryOtpStateStore(time);
        (await store.TryAcceptAsync("u", "totp.1", 5, TimeSpan.FromSeconds(90))).Accepted.Should().BeTrue();
        time.Advance(TimeSpan.FromSeconds(90) - TimeSpan.FromTicks(1));
        var refused = await store.TryAcceptAsync("u", "totp.1", 5, TimeSpan.FromSeconds(90));
        refused.Accepted.Should().BeFalse("one tick before the end of the retention the value is still remembered");
        refused.PreviousValue.Should().Be(5);
        time.Advance(TimeSpan.FromTicks(1));
        (await store.TryAcceptAsync("u", "totp.1", 3, TimeSpan.FromSeconds(90))).Accepted.Should().BeTrue("an expired value no longer counts");
    }

    [Fact]
    public async Task Full_EvictsTheSoonestExpiringLiveEntries_NeverAnHotpCounterFirst()
    {
        // With no expired entry to drop, a tenth of the capacity goes, soonest expiry first: HOTP counters (no expiry,
        // losing one refuses the credential) and long-lived entries stay.
        var time = new FakeTimeProvider();
        var store = new InMemoryOtpStateStore(time, maxEntries: 20);
        await store.TryAcceptAsync("hotp-user", "hotp.a", 7, null);
        for (var i = 1; i <= 19; i++)
        {
            await store.RecordFailureAsync("user" + i, TimeSpan.FromMinutes(i));
        }

        store.Count.Should().Be(20);
        await store.RecordFailureAsync("newcomer", TimeSpan.FromMinutes(1));

        store.Count.Should().Be(19, "two (a tenth of 20) were evicted, then the newcomer added");
        (await store.GetFailureCountAsync("user1")).Should().Be(0);
        (await store.GetFailureCountAsync("user2")).Should().Be(0);
        (await store.GetFailureCountAsync("user3")).Should().Be(1);
        (await store.GetFailureCountAsync("user19")).Should().Be(1);
        (await store.GetLastAcceptedAsync("hotp-user", "hotp.a")).Should().Be(7);
        (await store.GetFailureCountAsync("newcomer")).Should().Be(1);

        await store.RecordFailureAsync("user19", TimeSpan.FromMinutes(19));
        store.Count.Should().Be(19, "an existing key is updated without evicting");
    }

    [Fact]
    public async Task Full_WithFewExpiredEntries_MakesRoomForATenthInOneScan()
    {
        // Entries expiring one at a time: the scan used to stop after purging the one expired entry, so the next new key
        // scanned the whole store again (under the lock every verification takes; found in review).
        var time = new FakeTimeProvider();
        var store = new InMemoryOtpStateStore(time, maxEntries: 100);
        for (var i = 1; i <= 100; i++)
        {
            await store.RecordFailureAsync("user" + i, TimeSpan.FromMinutes(i));
        }

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromTicks(1)); // user1 has expired, nobody else
        await store.RecordFailureAsync("newcomer", TimeSpan.FromMinutes(1));

        store.Count.Should().Be(91, "the expired entry and then the nine closest to expiry went (90 left), then the newcomer");
        (await store.GetFailureCountAsync("user10")).Should().Be(0);
        (await store.GetFailureCountAsync("user11")).Should().Be(1);
        for (var i = 0; i < 9; i++)
        {
            await store.RecordFailureAsync("more" + i, TimeSpan.FromMinutes(1));
        }

        store.Count.Should().Be(100, "the room is used before the next scan");
    }

    [Fact]
    public async Task HugeRetentionOrWindow_MeansNeverExpires_NotAnOverflowIntoThePast()
    {
        // now + TimeSpan.MaxValue wrapped to a time in the past: the accepted value was forgotten at once (a replay was
        // accepted again) and every failure count stayed at 1.
        var store = new InMemoryOtpStateStore(new FakeTimeProvider());
        (await store.TryAcceptAsync("u", "totp.1", 5, TimeSpan.MaxValue)).Accepted.Should().BeTrue();
        (await store.TryAcceptAsync("u", "totp.1", 5, TimeSpan.MaxValue)).Accepted.Should().BeFalse("the replay guard remembers it");
        (await store.GetLastAcceptedAsync("u", "totp.1")).Should().Be(5);

        (await store.RecordFailureAsync("u", TimeSpan.MaxValue)).Should().Be(1);
        (await store.RecordFailureAsync("u", TimeSpan.MaxValue)).Should().Be(2);
        (await store.GetFailureCountAsync("u")).Should().Be(2);
    }

    [Fact]
    public async Task RecordFailure_WindowSlidesFromLastFailure()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryOtpStateStore(time);
        await store.RecordFailureAsync("u", TimeSpan.FromMinutes(15));
        time.Advance(TimeSpan.FromMinutes(10));
        await store.RecordFailureAsync("u", TimeSpan.FromMinutes(15));
        time.Advance(TimeSpan.FromMinutes(10));
        (await store.GetFailureCountAsync("u")).Should().Be(2);
        time.Advance(TimeSpan.FromMinutes(5));
        (await store.GetFailureCountAsync("u")).Should().Be(0);
    }

    [Fact]
    public async Task FloodOfDistinctUsers_StaysBounded()
    {
        var store = new InMemoryOtpStateStore(new FakeTimeProvider(), maxEntries: 1000);
        for (var i = 0; i < 10_000; i++)
        {
            await store.RecordFailureAsync("u" + i, TimeSpan.FromMinutes(15));
        }

        store.Count.Should().BeLessThanOrEqualTo(1000);
        (await store.GetFailureCountAsync("u9999")).Should().Be(1);
    }

    [Fact]
    public async Task FloodOfDistinctUsers_ExpiredEntriesEvictedFirst()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryOtpStateStore(time, maxEntries: 100);
        await store.TryAcceptAsync("keep", "hotp.a", 1, null);
        for (var i = 0; i < 99; i++)
        {
            await store.RecordFailureAsync("old" + i, TimeSpan.FromMinutes(1));
        }

        time.Advance(TimeSpan.FromMinutes(2));
        for (var i = 0; i < 50; i++)
        {
            await store.RecordFailureAsync("new" + i, TimeSpan.FromMinutes(1));
        }

        (await store.GetLastAcceptedAsync("keep", "hotp.a")).Should().Be(1);
        store.Count.Should().Be(51);
    }

    [Fact]
    public async Task BackupStore_Full_ThrowsInsteadOfEvicting()
    {
        var store = new InMemoryBackupCodeStore(maxUsers: 2);
        await store.ReplaceAsync("a", "k1", ["h1"]);
        await store.ReplaceAsync("b", "k1", ["h1"]);
        await store.ReplaceAsync("a", "k1", ["h2"]);
        await FluentActions.Awaiting(async () => await store.ReplaceAsync("c", "k1", ["h1"])).Should().ThrowAsync<InvalidOperationException>().WithMessage("*SecurityKit.Redis*");
        (await store.TryConsumeAsync("c", "k1", "h1")).Consumed.Should().BeFalse();
        (await store.GetRemainingCountAsync("b")).Should().Be(1);
    }
}
