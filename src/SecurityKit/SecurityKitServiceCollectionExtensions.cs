using SecurityKit;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers every SecurityKit primitive with secure defaults.</summary>
public static class SecurityKitAllServiceCollectionExtensions
{
    /// <summary>
    /// Adds the SecurityKit core and every primitive package with secure defaults and in-memory stores.
    /// Idempotent. Switch the stores to Redis with <c>.UseRedis(…)</c> from SecurityKit.Redis.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The builder, to configure keys, options and backends.</returns>
    public static ISecurityKitBuilder AddSecurityKit(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // A limiter the host already chose (its own unkeyed one, UseProgressiveOtpLockout(rule) or ConfigureOtpLockout
        // before; or this method's on a second call) is kept. The built-in counter that AddTotp() registers is not a choice.
        var otpLimiterChosen = OtpSecurityKitBuilderExtensions.IsOtpFailureLimiterChosen(services);
        var builder = services.AddSecurityKitCore();
        // SECURITYKIT-FEATURES: each package adds its registration here.
        builder.AddPasswordHashing();
        builder.AddTotp().AddBackupCodes();
        builder.AddRateLimiting().AddLoginProtection();
        if (!otpLimiterChosen)
        {
            builder.UseProgressiveOtpLockout(); // OTP failures on the rate-limit store's lockout curve (shared via Redis too)
        }

        builder.AddFingerprinting().AddSessions();
        builder.AddPasswordPolicy();
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddEnumerable(
            services, ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<SecurityKit.Passwords.Strength.PasswordPolicyOptions>, PasswordLimitsValidator>());
        builder.AddTokens();
        return builder;
    }
}
