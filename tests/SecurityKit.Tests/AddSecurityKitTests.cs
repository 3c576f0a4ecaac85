using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Keys;

namespace SecurityKit.Tests;

public sealed class AddSecurityKitTests
{
    [Fact]
    public void AddSecurityKit_CalledTwice_RegistersOnce_AndResolves()
    {
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey());
        var count = services.Count;
        services.AddSecurityKit();
        services.Count.Should().Be(count);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        provider.GetRequiredService<ISecretKeyRing>().Should().NotBeNull();
    }

    [Fact]
    public void AddSecurityKit_PolicyAllowsLongerPasswordsThanTheHasherTakes_StartupErrorSaysWhatToSet()
    {
        // 4,096 characters passed the policy; 4,096 characters of non-ASCII text are up to 16 KiB of UTF-8 and the hasher
        // refused them (an exception in the sign-up flow).
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey());
        services.Configure<SecurityKit.Passwords.Strength.PasswordPolicyOptions>(o => o.MaximumLength = 4096);
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate())
            .Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*MaximumLength is 4096*MaxPasswordBytes is 4096*at most 1024*");

        var fits = new ServiceCollection();
        fits.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey());
        fits.Configure<SecurityKit.Passwords.Strength.PasswordPolicyOptions>(o => o.MaximumLength = 4096);
        fits.Configure<SecurityKit.Passwords.PasswordHasherOptions>(o => o.MaxPasswordBytes = 16384);
        using var ok = fits.BuildServiceProvider();
        ok.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        var longest = new string('\u6F22', 4096); // 3 bytes each in UTF-8
        ok.GetRequiredService<SecurityKit.Passwords.IPasswordHasher>().Invoking(h => h.Hash(longest)).Should().NotThrow();
    }

    [Fact]
    public async Task AddSecurityKit_ResolvesEveryFeature_WithOtpFailuresOnTheLockoutCurve()
    {
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey());
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

        provider.GetRequiredService<SecurityKit.Otp.IOtpFailureLimiter>().Should().BeOfType<SecurityKit.Otp.ProgressiveOtpFailureLimiter>();
        provider.GetRequiredService<SecurityKit.Otp.TotpService>().Should().NotBeNull();
        provider.GetRequiredService<SecurityKit.Otp.BackupCodeService>().Should().NotBeNull();
        provider.GetRequiredService<SecurityKit.RateLimiting.Login.LoginProtector>().Should().NotBeNull();
        provider.GetRequiredService<SecurityKit.Sessions.SessionManager>().Should().NotBeNull();
        provider.GetRequiredService<SecurityKit.Tokens.AccessTokens.AccessTokenService>().Should().NotBeNull();
        provider.GetRequiredService<SecurityKit.Tokens.RefreshTokens.RefreshTokenService>().Should().NotBeNull();
        provider.GetRequiredService<SecurityKit.Passwords.Strength.IPasswordPolicy>().Evaluate("correct horse battery staple").Should().NotBeNull();

        var hasher = provider.GetRequiredService<SecurityKit.Passwords.IPasswordHasher>();
        var hash = hasher.Hash("glacier orbit tangerine violin");
        hasher.Verify("glacier orbit tangerine violin", hash).Should().NotBe(SecurityKit.Passwords.PasswordVerificationResult.Failed);
        hasher.Verify("wrong", hash).Should().Be(SecurityKit.Passwords.PasswordVerificationResult.Failed);

        var limiter = provider.GetRequiredService<SecurityKit.Otp.IOtpFailureLimiter>();
        for (var i = 0; i < SecurityKit.Otp.ProgressiveOtpFailureLimiter.DefaultRule.FreeAttempts; i++)
        {
            (await limiter.BeginAttemptAsync("u")).Allowed.Should().BeTrue();
        }

        (await limiter.BeginAttemptAsync("u")).Allowed.Should().BeFalse("the rate-limit store's curve now applies to OTP failures");
    }

    [Fact]
    public void AddSecurityKit_AfterAddTotpOrWithAKeyedLimiter_StillUsesTheProgressiveLockout()
    {
        // Any registration counted as the host's choice: AddTotp() before AddSecurityKit() (say from a module that runs
        // first) registers the built-in counter, and a keyed limiter is not the default one; both silently kept the
        // built-in counter (~960 guesses a day instead of ~53; found in review).
        var services = new ServiceCollection();
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey()).AddTotp(o => o.Issuer = "Example").AddBackupCodes();
        services.AddSecurityKit();
        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
            provider.GetRequiredService<SecurityKit.Otp.IOtpFailureLimiter>().Should().BeOfType<SecurityKit.Otp.ProgressiveOtpFailureLimiter>();
        }

        var keyed = new NoLimit();
        var withKeyed = new ServiceCollection();
        withKeyed.AddKeyedSingleton<SecurityKit.Otp.IOtpFailureLimiter>("admin", keyed);
        withKeyed.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey());
        using var second = withKeyed.BuildServiceProvider();
        second.GetRequiredService<SecurityKit.Otp.IOtpFailureLimiter>().Should().BeOfType<SecurityKit.Otp.ProgressiveOtpFailureLimiter>();
        second.GetRequiredKeyedService<SecurityKit.Otp.IOtpFailureLimiter>("admin").Should().BeSameAs(keyed, "the host's keyed limiter stays");
    }

    [Fact]
    public async Task AddSecurityKit_WithKeyedRegistrationsOfThePublicTypes_StillRegistersEveryFeature()
    {
        // "Already added?" looked for the public type: a keyed ClientIpResolver, SecurityRateLimiter, LoginProtector or
        // SessionManager registered first skipped the whole feature (stores, options validation, keys), and startup
        // failed with a misleading message or resolving failed at the first sign-in (found in review).
        var services = new ServiceCollection();
        services.AddKeyedSingleton("edge", new SecurityKit.Fingerprinting.ClientIp.ClientIpResolver(new SecurityKit.Fingerprinting.ClientIp.ClientIpResolverOptions()));
        services.AddKeyedSingleton<SecurityKit.RateLimiting.SecurityRateLimiter>("other", (_, _) => throw new InvalidOperationException("never resolved"));
        services.AddKeyedSingleton<SecurityKit.RateLimiting.Login.LoginProtector>("other", (_, _) => throw new InvalidOperationException("never resolved"));
        services.AddKeyedSingleton<SecurityKit.Sessions.SessionManager>("other", (_, _) => throw new InvalidOperationException("never resolved"));
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey());
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        provider.GetRequiredService<SecurityKit.Fingerprinting.ClientIp.ClientIpResolver>().Should().NotBeNull();
        provider.GetRequiredService<SecurityKit.Fingerprinting.Devices.DeviceFingerprinter>().Should().NotBeNull();
        (await provider.GetRequiredService<SecurityKit.RateLimiting.Login.LoginProtector>().AttemptAsync(new SecurityKit.RateLimiting.Login.LoginAttempt("a", null), _ => ValueTask.FromResult(true))).Succeeded.Should().BeTrue();
        provider.GetRequiredService<SecurityKit.RateLimiting.SecurityRateLimiter>().Should().NotBeNull();
        (await provider.GetRequiredService<SecurityKit.Sessions.SessionManager>().CreateAsync("alice")).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void AddSecurityKit_AfterConfigureOtpLockout_KeepsTheConfiguredBuiltInCounter()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey()).AddTotp(o => o.Issuer = "Example").ConfigureOtpLockout(o => o.MaxConsecutiveFailures = 5);
        services.AddSecurityKit();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        provider.GetRequiredService<SecurityKit.Otp.IOtpFailureLimiter>().Should().BeOfType<SecurityKit.Otp.StoreOtpFailureLimiter>("an explicit choice");
    }

    [Fact]
    public void AddSecurityKit_KeepsAnOtpLimiterTheHostChose()
    {
        var custom = new NoLimit();
        var services = new ServiceCollection();
        services.AddSingleton<SecurityKit.Otp.IOtpFailureLimiter>(custom);
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey());
        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<SecurityKit.Otp.IOtpFailureLimiter>().Should().BeSameAs(custom, "AddSecurityKit used to remove it");
        }

        // A rule chosen with UseProgressiveOtpLockout survives a second AddSecurityKit().
        var rule = new SecurityKit.Stores.RateLimiting.LockoutRule(2, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 10, TimeSpan.FromHours(1), permanent: false);
        var again = new ServiceCollection();
        again.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseProgressiveOtpLockout(rule);
        again.AddSecurityKit();
        using var second = again.BuildServiceProvider();
        second.GetRequiredService<SecurityKit.Otp.IOtpFailureLimiter>().Should().BeOfType<SecurityKit.Otp.ProgressiveOtpFailureLimiter>().Which.Rule.Should().BeSameAs(rule);
    }

    [Fact]
    public void AddSecurityKit_WithConfigureOtpLockout_FailsAtStartupSayingTheOptionsWouldBeIgnored()
    {
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).ConfigureOtpLockout(o => o.MaxConsecutiveFailures = 5);
        using var provider = services.BuildServiceProvider();

        provider.Invoking(p => p.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate())
            .Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*ConfigureOtpLockout*ignored*UseProgressiveOtpLockout(rule)*");
    }

    private sealed class NoLimit : SecurityKit.Otp.IOtpFailureLimiter
    {
        public ValueTask<SecurityKit.Otp.OtpAttempt> BeginAttemptAsync(string userId, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new SecurityKit.Otp.OtpAttempt(true, 0));

        public ValueTask RecordSuccessAsync(string userId, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
