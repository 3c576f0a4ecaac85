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
}
