using SecurityKit.Otp.Stores;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp.Tests;

public sealed class HotpServiceTests
{
    [Theory]
    [InlineData("corp:alice", "corp\uA789alice")]
    [InlineData("PayPal:victim", "PayPal\uA789victim")]
    [InlineData("  bob", "bob")]
    [InlineData("a::b", "a\uA789\uA789b")]
    public void BeginEnrollment_AccountNameWithAColonOrLeadingSpaces_ShownSafelyNotRefused(string account, string shown)
    {
        // OtpAuthUri refuses such names (a colon, literal or encoded, is the Key Uri Format's issuer separator); the
        // services take user data, so they show the colon as U+A789 rather than throw for that user (found in review).
        var context = new OtpTestContext();
        foreach (var uri in new[] { context.Hotp().BeginEnrollment("user-1", account).KeyUri, context.Totp().BeginEnrollment("user-1", account).KeyUri })
        {
            OtpAuthUri.TryParse(uri, out var parsed).Should().BeTrue(uri);
            parsed!.AccountName.Should().Be(shown);
            parsed.Issuer.Should().Be(context.TotpOptions.Issuer, "the configured issuer, not a name from the account");
        }
    }

    [Fact]
    public void BeginEnrollment_AccountNameOfSpacesOnly_RefusedAsSuch()
    {
        var context = new OtpTestContext();
        context.Hotp().Invoking(s => s.BeginEnrollment("user-1", "   ")).Should().Throw<ArgumentException>().WithMessage("*space*");
        context.Totp().Invoking(s => s.BeginEnrollment("user-1", null!)).Should().Throw<ArgumentException>();
    }

    private static async Task<(OtpTestContext Context, HotpService Service, byte[] Secret, string Protected)> EnrolledAsync()
    {
        var context = new OtpTestContext();
        var service = context.Hotp();
        var enrollment = service.BeginEnrollment("user-1", "alice");
        enrollment.KeyUri.Should().Contain("otpauth://hotp/").And.EndWith("&counter=0");
        enrollment.ExpiresAt.Should().Be(context.Time.GetUtcNow().AddMinutes(10));
        var secret = OtpTestContext.SecretOf(enrollment);
        var confirm = await service.ConfirmEnrollmentAsync("user-1", enrollment.ProtectedSecret, Hotp.ComputeCode(secret, 0));
        confirm.Status.Should().Be(OtpVerificationStatus.Success);
        confirm.MatchedValue.Should().Be(0);
        context.Sink.Names.Should().Contain(OtpEventNames.EnrollmentConfirmed).And.NotContain(OtpEventNames.Verified, "a confirmation is reported as such");
        return (context, service, secret, confirm.ProtectedSecret!);
    }

    [Fact]
    public async Task RemoveCredential_ForgetsItsCounterOnly()
    {
        var (context, service, secret, protectedSecret) = await EnrolledAsync();
        (await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 1))).Status.Should().Be(OtpVerificationStatus.Success);
        var other = service.BeginEnrollment("user-1", "alice");
        var otherSecret = OtpTestContext.SecretOf(other);
        var confirmed = await service.ConfirmEnrollmentAsync("user-1", other.ProtectedSecret, Hotp.ComputeCode(otherSecret, 0));
        context.Store.Count.Should().Be(2, "one counter per confirmed credential");

        (await service.RemoveCredentialAsync("user-1", protectedSecret)).Should().BeTrue();

        context.Store.Count.Should().Be(1);
        (await service.VerifyAsync("user-1", confirmed.ProtectedSecret, Hotp.ComputeCode(otherSecret, 0))).Status.Should().Be(OtpVerificationStatus.InvalidCode, "the other credential keeps its counter");
    }

    [Fact]
    public async Task Verify_CounterLost_RefusedWithoutReplayingOldCodes()
    {
        // A confirmed credential always has a counter; without one (state lost: a Redis restart without persistence, a
        // failover, eviction) the service used to start again at 0, and every code the device had shown was accepted again.
        var (context, service, secret, protectedSecret) = await EnrolledAsync();
        for (var c = 1; c <= 3; c++)
        {
            (await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, c))).Status.Should().Be(OtpVerificationStatus.Success);
        }

        var lostStore = new InMemoryOtpStateStore(context.Time); // the same credentials over a store that lost its state
        service = new HotpService(context.HotpOptions, context.KeyRing, lostStore, context.Limiter, context.Time, context.Events);
        context.Sink.Events.Clear();

        var replay = await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 1));
        replay.Status.Should().Be(OtpVerificationStatus.CounterLost);
        replay.ReasonCode.Should().Be("counter_lost");
        (await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 4))).Status.Should().Be(OtpVerificationStatus.CounterLost, "not even the next code: the user enrolls again");
        (await service.ResynchronizeAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 1), Hotp.ComputeCode(secret, 2))).Status.Should().Be(OtpVerificationStatus.CounterLost);
        context.Sink.Events.Should().Contain(e => e.Name == OtpEventNames.HotpCounterLost && e.Severity == SecurityKit.Events.SecurityEventSeverity.Critical);
        lostStore.Count.Should().Be(0, "nothing was accepted");

        // Enrolling again gives a new credential with its own counter.
        var again = service.BeginEnrollment("user-1", "alice");
        var newSecret = OtpTestContext.SecretOf(again);
        var confirmed = await service.ConfirmEnrollmentAsync("user-1", again.ProtectedSecret, Hotp.ComputeCode(newSecret, 0));
        confirmed.Status.Should().Be(OtpVerificationStatus.Success);
        (await service.VerifyAsync("user-1", confirmed.ProtectedSecret, Hotp.ComputeCode(newSecret, 1))).Status.Should().Be(OtpVerificationStatus.Success);
    }

    [Fact]
    public async Task Verify_CounterLost_IsNotCountedAsAFailedGuess_SoBackupCodesStillWork()
    {
        // No code is checked when the counter is lost. The user sees a failure and retries: counted, ten retries locked
        // them out of the backup codes that share the failure count, their way back in (found in review).
        var (context, service, secret, protectedSecret) = await EnrolledAsync();
        var backup = await context.Backup().GenerateAsync("user-1");
        var lostStore = new InMemoryOtpStateStore(context.Time);
        service = new HotpService(context.HotpOptions, context.KeyRing, lostStore, context.Limiter, context.Time, context.Events);

        for (var i = 0; i < context.Lockout.MaxConsecutiveFailures + 2; i++)
        {
            var result = await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 1));
            result.Status.Should().Be(OtpVerificationStatus.CounterLost, $"attempt {i + 1}");
            result.ConsecutiveFailures.Should().Be(0);
        }

        (await context.Store.GetFailureCountAsync("user-1")).Should().Be(0);
        (await context.Backup().VerifyAsync("user-1", backup.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.Success);
    }

    [Fact]
    public async Task RemoveCredential_InvalidOrForeignSecret_RemovesNothing()
    {
        var (context, service, _, protectedSecret) = await EnrolledAsync();
        var totp = context.Totp().BeginEnrollment("user-1", "alice").ProtectedSecret;

        (await service.RemoveCredentialAsync("user-1", null)).Should().BeFalse();
        (await service.RemoveCredentialAsync("user-1", "not-a-secret")).Should().BeFalse();
        (await service.RemoveCredentialAsync("user-2", protectedSecret)).Should().BeFalse("bound to its user");
        (await service.RemoveCredentialAsync("user-1", totp)).Should().BeFalse("not an HOTP credential");
        context.Store.Count.Should().Be(1);
        await FluentActions.Invoking(() => service.RemoveCredentialAsync(string.Empty, protectedSecret).AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Verify_NextCounter_SuccessThenReplayed()
    {
        var (_, service, secret, protectedSecret) = await EnrolledAsync();
        var code = Hotp.ComputeCode(secret, 1);
        var first = await service.VerifyAsync("user-1", protectedSecret, code);
        first.Status.Should().Be(OtpVerificationStatus.Success);
        first.MatchedValue.Should().Be(1);
        first.Drift.Should().Be(0);
        (await service.VerifyAsync("user-1", protectedSecret, code)).Status.Should().Be(OtpVerificationStatus.InvalidCode);
    }

    [Fact]
    public async Task Verify_WithinLookAhead_SuccessAndOlderCountersNoLongerAccepted()
    {
        var (_, service, secret, protectedSecret) = await EnrolledAsync();
        var result = await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 11));
        result.Status.Should().Be(OtpVerificationStatus.Success);
        result.Drift.Should().Be(10);
        (await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 5))).Status.Should().Be(OtpVerificationStatus.InvalidCode);
        (await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 12))).Status.Should().Be(OtpVerificationStatus.Success);
    }

    [Fact]
    public async Task Verify_BeyondLookAhead_InvalidCode()
    {
        var (_, service, secret, protectedSecret) = await EnrolledAsync();
        (await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 12))).Status.Should().Be(OtpVerificationStatus.InvalidCode);
    }

    [Fact]
    public async Task Resynchronize_TwoConsecutiveCodesFarAhead_Success()
    {
        var (_, service, secret, protectedSecret) = await EnrolledAsync();
        var result = await service.ResynchronizeAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 60), Hotp.ComputeCode(secret, 61));
        result.Status.Should().Be(OtpVerificationStatus.Success);
        result.MatchedValue.Should().Be(61);
        (await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 62))).Status.Should().Be(OtpVerificationStatus.Success);
        (await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 61))).Status.Should().Be(OtpVerificationStatus.InvalidCode);
    }

    [Fact]
    public async Task Resynchronize_WindowBoundary_LastPairInside_NextPairOutside()
    {
        // Confirmed at counter 0, so the window (100) starts at 1: the pair (100, 101) is its last, (101, 102) is past it.
        var (context, service, secret, protectedSecret) = await EnrolledAsync();
        (await service.ResynchronizeAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 101), Hotp.ComputeCode(secret, 102))).Status.Should().Be(OtpVerificationStatus.InvalidCode);
        var result = await service.ResynchronizeAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 100), Hotp.ComputeCode(secret, 101));
        result.Status.Should().Be(OtpVerificationStatus.Success);
        result.MatchedValue.Should().Be(101);
        context.Sink.Names.Should().Contain(OtpEventNames.HotpResynchronized).And.Contain(OtpEventNames.VerifyFailed);
        context.Sink.Names.Should().NotContain(OtpEventNames.Verified, "a resynchronisation is reported as such");
    }

    [Fact]
    public async Task Verify_LookAheadBoundary_LastCounterInside()
    {
        // Next expected counter 1, look-ahead 10: counter 11 is the last one accepted (12 is refused, tested above).
        var (context, service, secret, protectedSecret) = await EnrolledAsync();
        (await service.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 11))).Status.Should().Be(OtpVerificationStatus.Success);
        context.Sink.Names.Should().Contain(OtpEventNames.Verified).And.NotContain(OtpEventNames.HotpResynchronized);
    }

    [Fact]
    public async Task Resynchronize_NonConsecutiveCodes_InvalidCode()
    {
        var (_, service, secret, protectedSecret) = await EnrolledAsync();
        (await service.ResynchronizeAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 60), Hotp.ComputeCode(secret, 62))).Status.Should().Be(OtpVerificationStatus.InvalidCode);
        (await service.ResynchronizeAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 60), "12x456")).Status.Should().Be(OtpVerificationStatus.MalformedCode);
    }

    [Fact]
    public async Task Verify_ManyParallelVerificationsOfOneCode_ExactlyOneSucceeds()
    {
        var (_, service, secret, protectedSecret) = await EnrolledAsync();
        var code = Hotp.ComputeCode(secret, 3);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await service.VerifyAsync("user-1", protectedSecret, code))));
        results.Count(r => r.Succeeded).Should().Be(1);
    }

    [Fact]
    public async Task Verify_OneCodeRacingPastTheCounterRead_ExactlyOneSucceeds_TheOthersReplayed()
    {
        // All eight requests read the counter before any accepts (the store holds TryAccept until all have arrived), so
        // every one matches the code: only the store's atomic accept stops the other seven, as Replayed. Run one after
        // another the losers would see the moved counter and answer InvalidCode instead.
        var (context, _, secret, protectedSecret) = await EnrolledAsync();
        var gated = new AcceptGate(context.Store, callers: 8);
        var service = new HotpService(context.HotpOptions, context.KeyRing, gated, context.Limiter, context.Time, context.Events);
        var code = Hotp.ComputeCode(secret, 3);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await service.VerifyAsync("user-1", protectedSecret, code))));

        results.Count(r => r.Status == OtpVerificationStatus.Success).Should().Be(1);
        results.Where(r => r.Status != OtpVerificationStatus.Success).Should().HaveCount(7).And.OnlyContain(r => r.Status == OtpVerificationStatus.Replayed && r.MatchedValue == 3);
        var next = new HotpService(context.HotpOptions, context.KeyRing, context.Store, context.Limiter, context.Time, context.Events);
        (await next.VerifyAsync("user-1", protectedSecret, code)).Status.Should().Be(OtpVerificationStatus.InvalidCode, "counter 3 is used");
        (await next.VerifyAsync("user-1", protectedSecret, Hotp.ComputeCode(secret, 4))).Status.Should().Be(OtpVerificationStatus.Success);
    }

    /// <summary>Holds every TryAcceptAsync until <paramref name="callers"/> calls have arrived, then lets them all through.</summary>
    private sealed class AcceptGate(IOtpStateStore inner, int callers) : IOtpStateStore
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public async ValueTask<OtpAcceptOutcome> TryAcceptAsync(string userId, string counterName, long value, TimeSpan? retention, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _arrived) == callers)
            {
                _all.SetResult();
            }

            await _all.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return await inner.TryAcceptAsync(userId, counterName, value, retention, cancellationToken);
        }

        public ValueTask<long?> GetLastAcceptedAsync(string userId, string counterName, CancellationToken cancellationToken = default) => inner.GetLastAcceptedAsync(userId, counterName, cancellationToken);

        public ValueTask RemoveCounterAsync(string userId, string counterName, CancellationToken cancellationToken = default) => inner.RemoveCounterAsync(userId, counterName, cancellationToken);

        public ValueTask<int> GetFailureCountAsync(string userId, CancellationToken cancellationToken = default) => inner.GetFailureCountAsync(userId, cancellationToken);

        public ValueTask<int> RecordFailureAsync(string userId, TimeSpan window, CancellationToken cancellationToken = default) => inner.RecordFailureAsync(userId, window, cancellationToken);

        public ValueTask<OtpFailureRecord> RecordFailureBelowLimitAsync(string userId, TimeSpan window, int limit, CancellationToken cancellationToken = default) => inner.RecordFailureBelowLimitAsync(userId, window, limit, cancellationToken);

        public ValueTask ResetFailuresAsync(string userId, CancellationToken cancellationToken = default) => inner.ResetFailuresAsync(userId, cancellationToken);
    }

    [Fact]
    public async Task Verify_ReEnrollment_StartsFreshCounter()
    {
        var (context, service, _, _) = await EnrolledAsync();
        var second = service.BeginEnrollment("user-1", "alice");
        var confirm = await service.ConfirmEnrollmentAsync("user-1", second.ProtectedSecret, Hotp.ComputeCode(OtpTestContext.SecretOf(second), 0));
        confirm.Status.Should().Be(OtpVerificationStatus.Success);
        context.Store.Count.Should().BeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Verify_TotpSecret_NotConfirmed()
    {
        var context = new OtpTestContext();
        var enrollment = context.Totp().BeginEnrollment("user-1", "a");
        (await context.Hotp().ConfirmEnrollmentAsync("user-1", enrollment.ProtectedSecret, "123456")).Status.Should().Be(OtpVerificationStatus.NotConfirmed);
    }
}
