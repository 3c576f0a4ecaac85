using SecurityKit.Otp.Stores;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp.Tests;

/// <summary>
/// When a store fails at any step of a verification (counting the attempt, reading an HOTP counter, accepting the step,
/// consuming a backup code, resetting the count), the verification throws or fails: it never reports success. Only the
/// Redis store's own failure was tested; a service that caught a store error and carried on would have passed.
/// </summary>
public sealed class FailClosedTests
{
    private sealed class StoreDownException() : Exception("store down (test)");

    /// <summary>An in-memory store that throws from one named operation while <see cref="FailOn"/> is set.</summary>
    private sealed class FailingOtpStore(InMemoryOtpStateStore inner) : IOtpStateStore
    {
        public string? FailOn { get; set; }

        private void Check(string operation)
        {
            if (operation == FailOn)
            {
                throw new StoreDownException();
            }
        }

        public ValueTask<OtpAcceptOutcome> TryAcceptAsync(string userId, string counterName, long value, TimeSpan? retention, CancellationToken cancellationToken = default)
        {
            Check(nameof(TryAcceptAsync));
            return inner.TryAcceptAsync(userId, counterName, value, retention, cancellationToken);
        }

        public ValueTask<long?> GetLastAcceptedAsync(string userId, string counterName, CancellationToken cancellationToken = default)
        {
            Check(nameof(GetLastAcceptedAsync));
            return inner.GetLastAcceptedAsync(userId, counterName, cancellationToken);
        }

        public ValueTask RemoveCounterAsync(string userId, string counterName, CancellationToken cancellationToken = default)
        {
            Check(nameof(RemoveCounterAsync));
            return inner.RemoveCounterAsync(userId, counterName, cancellationToken);
        }

        public ValueTask<int> GetFailureCountAsync(string userId, CancellationToken cancellationToken = default)
        {
            Check(nameof(GetFailureCountAsync));
            return inner.GetFailureCountAsync(userId, cancellationToken);
        }

        public ValueTask<int> RecordFailureAsync(string userId, TimeSpan window, CancellationToken cancellationToken = default)
        {
            Check(nameof(RecordFailureAsync));
            return inner.RecordFailureAsync(userId, window, cancellationToken);
        }

        public ValueTask<OtpFailureRecord> RecordFailureBelowLimitAsync(string userId, TimeSpan window, int limit, CancellationToken cancellationToken = default)
        {
            Check(nameof(RecordFailureBelowLimitAsync));
            return inner.RecordFailureBelowLimitAsync(userId, window, limit, cancellationToken);
        }

        public ValueTask ResetFailuresAsync(string userId, CancellationToken cancellationToken = default)
        {
            Check(nameof(ResetFailuresAsync));
            return inner.ResetFailuresAsync(userId, cancellationToken);
        }
    }

    private sealed class FailingBackupStore(InMemoryBackupCodeStore inner) : IBackupCodeStore
    {
        public bool Fail { get; set; }

        public ValueTask ReplaceAsync(string userId, string keyId, IReadOnlyCollection<string> codeHashes, CancellationToken cancellationToken = default) =>
            inner.ReplaceAsync(userId, keyId, codeHashes, cancellationToken);

        public ValueTask<BackupCodeConsumeOutcome> TryConsumeAsync(string userId, string keyId, string codeHash, CancellationToken cancellationToken = default) =>
            Fail ? throw new StoreDownException() : inner.TryConsumeAsync(userId, keyId, codeHash, cancellationToken);

        public ValueTask<int> GetRemainingCountAsync(string userId, CancellationToken cancellationToken = default) =>
            inner.GetRemainingCountAsync(userId, cancellationToken);

        public ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default) =>
            inner.DeleteAsync(userId, cancellationToken);
    }

    /// <summary>True when the call reported success; false when it failed or threw the store's exception.</summary>
    private static async Task<bool> Succeeded<T>(Func<ValueTask<T>> call, Func<T, bool> isSuccess)
    {
        try
        {
            return isSuccess(await call());
        }
        catch (StoreDownException)
        {
            return false;
        }
    }

    [Theory]
    [InlineData(nameof(IOtpStateStore.RecordFailureBelowLimitAsync))]
    [InlineData(nameof(IOtpStateStore.TryAcceptAsync))]
    [InlineData(nameof(IOtpStateStore.ResetFailuresAsync))]
    public async Task Totp_StoreFailsAtAnyStep_NeverSucceeds(string operation)
    {
        var context = new OtpTestContext();
        var store = new FailingOtpStore(new InMemoryOtpStateStore(context.Time));
        var service = new TotpService(context.TotpOptions, context.KeyRing, store, new StoreOtpFailureLimiter(store, context.Lockout), context.Time, context.Events);
        var enrollment = service.BeginEnrollment("user-1", "alice");
        var secret = OtpTestContext.SecretOf(enrollment);
        var confirmed = await service.ConfirmEnrollmentAsync("user-1", enrollment.ProtectedSecret, Totp.ComputeCode(secret, context.Time.GetUtcNow()));
        confirmed.Status.Should().Be(OtpVerificationStatus.Success);
        context.Time.Advance(TimeSpan.FromMinutes(5));
        var code = Totp.ComputeCode(secret, context.Time.GetUtcNow());

        store.FailOn = operation;
        (await Succeeded(() => service.VerifyAsync("user-1", confirmed.ProtectedSecret!, code), r => r.Status == OtpVerificationStatus.Success))
            .Should().BeFalse($"the store failed in {operation}");

        store.FailOn = null;
        if (operation != nameof(IOtpStateStore.ResetFailuresAsync))
        {
            // Nothing was accepted while the store was down: the code still works once it is back.
            (await service.VerifyAsync("user-1", confirmed.ProtectedSecret!, code)).Status.Should().Be(OtpVerificationStatus.Success);
        }
    }

    [Theory]
    [InlineData(nameof(IOtpStateStore.RecordFailureBelowLimitAsync))]
    [InlineData(nameof(IOtpStateStore.GetLastAcceptedAsync))]
    [InlineData(nameof(IOtpStateStore.TryAcceptAsync))]
    [InlineData(nameof(IOtpStateStore.ResetFailuresAsync))]
    public async Task Hotp_StoreFailsAtAnyStep_NeverSucceeds(string operation)
    {
        var context = new OtpTestContext();
        var store = new FailingOtpStore(new InMemoryOtpStateStore(context.Time));
        var service = new HotpService(context.HotpOptions, context.KeyRing, store, new StoreOtpFailureLimiter(store, context.Lockout), context.Time, context.Events);
        var enrollment = service.BeginEnrollment("user-1", "alice");
        var secret = OtpTestContext.SecretOf(enrollment);
        var confirmed = await service.ConfirmEnrollmentAsync("user-1", enrollment.ProtectedSecret, Hotp.ComputeCode(secret, 0));
        confirmed.Status.Should().Be(OtpVerificationStatus.Success);

        store.FailOn = operation;
        (await Succeeded(() => service.VerifyAsync("user-1", confirmed.ProtectedSecret!, Hotp.ComputeCode(secret, 1)), r => r.Status == OtpVerificationStatus.Success))
            .Should().BeFalse($"the store failed in {operation}");
        (await Succeeded(() => service.ResynchronizeAsync("user-1", confirmed.ProtectedSecret!, Hotp.ComputeCode(secret, 20), Hotp.ComputeCode(secret, 21)), r => r.Status == OtpVerificationStatus.Success))
            .Should().BeFalse($"resynchronisation too, the store failing in {operation}");
    }

    [Fact]
    public async Task BackupCode_StoreOrLimiterFails_NeverSucceedsAndTheCodeSurvives()
    {
        var context = new OtpTestContext();
        var otpStore = new FailingOtpStore(new InMemoryOtpStateStore(context.Time));
        var backupStore = new FailingBackupStore(new InMemoryBackupCodeStore());
        var service = new BackupCodeService(context.BackupOptions, context.KeyRing, backupStore, new StoreOtpFailureLimiter(otpStore, context.Lockout), context.Time, context.Events);
        var codes = await service.GenerateAsync("user-1");

        backupStore.Fail = true;
        (await Succeeded(() => service.VerifyAsync("user-1", codes.Codes[0]), r => r.Status == BackupCodeVerificationStatus.Success)).Should().BeFalse("consuming failed");
        backupStore.Fail = false;
        otpStore.FailOn = nameof(IOtpStateStore.RecordFailureBelowLimitAsync);
        (await Succeeded(() => service.VerifyAsync("user-1", codes.Codes[0]), r => r.Status == BackupCodeVerificationStatus.Success)).Should().BeFalse("counting the attempt failed");
        otpStore.FailOn = null;

        (await service.GetRemainingCountAsync("user-1")).Should().Be(codes.Codes.Count);
        (await service.VerifyAsync("user-1", codes.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.Success);
    }
}
