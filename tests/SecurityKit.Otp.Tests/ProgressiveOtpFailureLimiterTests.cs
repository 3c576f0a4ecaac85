using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.RateLimiting.Stores;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.Otp.Tests;

public sealed class ProgressiveOtpFailureLimiterTests
{
    private static (OtpTestContext Context, TotpService Service, InMemoryRateLimitStore Store) Create(LockoutRule? rule = null)
    {
        var context = new OtpTestContext();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), context.Time);
        var service = new TotpService(context.TotpOptions, context.KeyRing, context.Store, new ProgressiveOtpFailureLimiter(store, rule), context.Time, context.Events);
        return (context, service, store);
    }

    private static async Task<(byte[] Secret, string Protected)> EnrollAsync(OtpTestContext context, TotpService service, string user = "user-1")
    {
        var enrollment = service.BeginEnrollment(user, "alice@example.com");
        var secret = OtpTestContext.SecretOf(enrollment);
        var confirm = await service.ConfirmEnrollmentAsync(user, enrollment.ProtectedSecret, Totp.ComputeCode(secret, context.Time.GetUtcNow()));
        confirm.Succeeded.Should().BeTrue();
        context.Time.Advance(TimeSpan.FromMinutes(5));
        return (secret, confirm.ProtectedSecret!);
    }

    private static string Wrong(byte[] secret, OtpTestContext context)
    {
        var code = Totp.ComputeCode(secret, context.Time.GetUtcNow());
        return code == "000000" ? "000001" : "000000";
    }

    [Fact]
    public async Task Verify_FreeAttemptsThenDoublingDelays_ReportedAsLockedOutWithRetryAfter()
    {
        var (context, service, _) = Create();
        var (secret, stored) = await EnrollAsync(context, service);

        for (var i = 0; i < 5; i++)
        {
            var r = await service.VerifyAsync("user-1", stored, Wrong(secret, context));
            r.Status.Should().Be(OtpVerificationStatus.InvalidCode, "the first five failures are free");
            r.ConsecutiveFailures.Should().Be(i);
        }

        var locked = await service.VerifyAsync("user-1", stored, Totp.ComputeCode(secret, context.Time.GetUtcNow()));
        locked.Status.Should().Be(OtpVerificationStatus.LockedOut, "even a valid code waits out the delay");
        locked.RetryAfter.Should().Be(TimeSpan.FromSeconds(1));

        context.Time.Advance(TimeSpan.FromSeconds(1));
        (await service.VerifyAsync("user-1", stored, Wrong(secret, context))).Status.Should().Be(OtpVerificationStatus.InvalidCode);
        (await service.VerifyAsync("user-1", stored, Wrong(secret, context))).RetryAfter.Should().Be(TimeSpan.FromSeconds(2), "the delay doubles");

        context.Time.Advance(TimeSpan.FromSeconds(2));
        (await service.VerifyAsync("user-1", stored, Totp.ComputeCode(secret, context.Time.GetUtcNow()))).Status.Should().Be(OtpVerificationStatus.Success);
        context.Time.Advance(TimeSpan.FromSeconds(30));
        (await service.VerifyAsync("user-1", stored, Wrong(secret, context))).ConsecutiveFailures.Should().Be(0, "a success resets the count");
    }

    [Fact]
    public async Task BeginAttempt_HardStop_LocksUntilTheFailureWindowPasses()
    {
        var context = new OtpTestContext();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), context.Time);
        var limiter = new ProgressiveOtpFailureLimiter(store, new LockoutRule(2, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), 4, TimeSpan.FromMinutes(10), permanent: false));
        for (var i = 0; i < 4; i++)
        {
            (await limiter.BeginAttemptAsync("u")).Should().Be(new OtpAttempt(true, i));
            context.Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var stopped = await limiter.BeginAttemptAsync("u");
        stopped.Allowed.Should().BeFalse();
        stopped.PreviousFailures.Should().Be(4);
        stopped.RetryAfter.Should().BeCloseTo(TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(2));
        (await limiter.BeginAttemptAsync("other")).Allowed.Should().BeTrue("counts are per user");

        context.Time.Advance(TimeSpan.FromMinutes(10));
        (await limiter.BeginAttemptAsync("u")).Should().Be(new OtpAttempt(true, 0));
    }

    [Fact]
    public async Task BeginAttempt_ManyParallelGuesses_OnlyTheFreeAttemptsAreChecked()
    {
        var context = new OtpTestContext();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), context.Time);
        var limiter = new ProgressiveOtpFailureLimiter(store);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => Task.Run(async () => await limiter.BeginAttemptAsync("victim"))));

        attempts.Count(a => a.Allowed).Should().Be(ProgressiveOtpFailureLimiter.DefaultRule.FreeAttempts);
        attempts.Where(a => !a.Allowed).Should().OnlyContain(a => a.RetryAfter > TimeSpan.Zero);
    }

    [Fact]
    public async Task Keys_AreDigestsOfTheUserId_AnyLengthFits()
    {
        var context = new OtpTestContext();
        var store = new RecordingStore();
        var limiter = new ProgressiveOtpFailureLimiter(store);
        var longId = new string('é', SecurityKit.Stores.Otp.IOtpStateStore.MaxUserIdLength);

        await limiter.BeginAttemptAsync("alice@example.com");
        await limiter.BeginAttemptAsync(longId);
        await limiter.RecordSuccessAsync("alice@example.com");

        store.Keys.Should().OnlyContain(k => k.StartsWith("otp-failures:", StringComparison.Ordinal) && k.Length == "otp-failures:".Length + 43);
        store.Keys.Should().NotContain(k => k.Contains("alice", StringComparison.Ordinal));
        store.Keys[0].Should().Be(store.Keys[2], "success resets the same counter");
        await FluentActions.Awaiting(() => limiter.BeginAttemptAsync(longId + "x").AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => limiter.BeginAttemptAsync("").AsTask()).Should().ThrowAsync<ArgumentException>();
        context.Should().NotBeNull();
    }

    [Fact]
    public void Constructor_UnsafeRules_AreRejectedWithAMessageSayingWhatToChange()
    {
        var store = new RecordingStore();
        FluentActions.Invoking(() => new ProgressiveOtpFailureLimiter(store, new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 101, TimeSpan.FromHours(1), false)))
            .Should().Throw<ArgumentException>().WithMessage("*100*");
        FluentActions.Invoking(() => new ProgressiveOtpFailureLimiter(store, new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 50, TimeSpan.FromHours(1), true)))
            .Should().Throw<ArgumentException>().WithMessage("*permanent*");
        FluentActions.Invoking(() => new ProgressiveOtpFailureLimiter(null!)).Should().Throw<ArgumentNullException>();
        new ProgressiveOtpFailureLimiter(store).Rule.Should().BeSameAs(ProgressiveOtpFailureLimiter.DefaultRule);
    }

    [Fact]
    public void Constructor_RuleThatForgetsFailuresTooSoon_IsRejected()
    {
        // Each value in range, the hard stop at 100, yet 1 ms delays and a 1 ms window forget every failure at once: an
        // unbounded online guessing rate (found in review).
        var store = new RecordingStore();
        var ms = TimeSpan.FromMilliseconds(1);
        FluentActions.Invoking(() => new ProgressiveOtpFailureLimiter(store, new LockoutRule(99, ms, ms, 100, ms, false)))
            .Should().Throw<ArgumentException>().WithParameterName("rule").WithMessage("*8,553,600,000 guesses a day*at most 1,440*FailureWindow*");
        FluentActions.Invoking(() => new ServiceCollection().AddSecurityKitCore().UseProgressiveOtpLockout(new LockoutRule(99, ms, ms, 100, ms, false)))
            .Should().Throw<ArgumentException>();

        // 10 free attempts per 10 minutes is exactly 1,440 a day: accepted; a millisecond shorter window is not.
        var tenMinutes = TimeSpan.FromMinutes(10);
        new ProgressiveOtpFailureLimiter(store, new LockoutRule(10, tenMinutes, tenMinutes, 11, tenMinutes, false)).Rule.SustainedAttemptsPerDay.Should().Be(1440);
        FluentActions.Invoking(() => new ProgressiveOtpFailureLimiter(store, new LockoutRule(10, tenMinutes - ms, tenMinutes - ms, 11, tenMinutes - ms, false)))
            .Should().Throw<ArgumentException>();
        ProgressiveOtpFailureLimiter.DefaultRule.SustainedAttemptsPerDay.Should().BeLessThan(60);
    }

    [Fact]
    public void UseProgressiveOtpLockout_WithRateLimiting_ReplacesTheBuiltInCounter()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddKey("root", "k1", OtpTestContext.RootKey1))
            .AddTotp().AddBackupCodes().AddRateLimiting().UseProgressiveOtpLockout();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();

        provider.GetRequiredService<IOtpFailureLimiter>().Should().BeOfType<ProgressiveOtpFailureLimiter>();
        provider.GetRequiredService<TotpService>().Should().NotBeNull();
    }

    [Fact]
    public void UseProgressiveOtpLockout_WithoutARateLimitStore_StartupSaysWhatToAdd()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddKey("root", "k1", OtpTestContext.RootKey1)).AddTotp().UseProgressiveOtpLockout();
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*AddRateLimiting()*UseRedis*");
        FluentActions.Invoking(() => services.AddSecurityKitCore().UseProgressiveOtpLockout(new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 200, TimeSpan.FromHours(1), false)))
            .Should().Throw<ArgumentException>("an unsafe rule fails where it is configured");
    }

    private sealed class RecordingStore : IRateLimitStore
    {
        public List<string> Keys { get; } = [];

        public ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimitRule rule, int permits = 1, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<LockoutDecision> RegisterAttemptAsync(string key, LockoutRule rule, CancellationToken cancellationToken = default)
        {
            Keys.Add(key);
            return ValueTask.FromResult(new LockoutDecision(true, 1, TimeSpan.Zero));
        }

        public ValueTask ResetAsync(string key, CancellationToken cancellationToken = default)
        {
            Keys.Add(key);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task StoreKeys_WithAKeyRing_AreKeyedSoGuessedUserIdsCannotBeTested()
    {
        var store = new SecurityKit.RateLimiting.Stores.InMemoryRateLimitStore(new SecurityKit.RateLimiting.Stores.InMemoryRateLimitStoreOptions(), TimeProvider.System);
        var ring = SecurityKit.Keys.SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1);
        var keyed = new ProgressiveOtpFailureLimiter(store, ring);

        await keyed.BeginAttemptAsync("alice@example.com");

        var unkeyed = ProgressiveOtpFailureLimiter.KeyOf("alice@example.com");
        var key = ProgressiveOtpFailureLimiter.KeyOf("alice@example.com", ring);
        key.Should().StartWith("otp-failures:k1:").And.NotBe(unkeyed).And.NotContain("alice");
        ProgressiveOtpFailureLimiter.KeyOf("alice@example.com", SecurityKit.Keys.SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey2)).Should().NotBe(key, "another key gives another store key");
        (await store.RegisterAttemptAsync(key, keyed.Rule)).Failures.Should().Be(2, "the attempt above was counted under the keyed name");
    }
}
