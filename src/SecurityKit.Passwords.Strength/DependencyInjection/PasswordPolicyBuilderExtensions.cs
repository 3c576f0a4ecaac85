using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecurityKit;
using SecurityKit.Events;
using SecurityKit.Passwords.Strength;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the password strength estimator, policy, generator and breach checker.</summary>
public static class PasswordPolicyBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="IPasswordPolicy"/> (NIST SP 800-63B / OWASP ASVS defaults), the zxcvbn 4.4.2-compatible
    /// <see cref="IPasswordStrengthEstimator"/>, <see cref="IPasswordGenerator"/> and the Have I Been Pwned
    /// <see cref="IBreachedPasswordChecker"/> (used by the policy when
    /// <see cref="PasswordPolicyOptions.CheckBreachedPasswords"/> is on). Idempotent: a second call only adds
    /// its configure action. Options are validated at startup; a policy weaker than the NIST floor fails
    /// unless allowed through <c>SecurityKit.Passwords.Strength.DangerZone</c>.
    /// </summary>
    /// <param name="builder">The SecurityKit builder.</param>
    /// <param name="configure">Configures the policy, e.g. <c>o => o.MultiFactorRequired = true</c>; may be null.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ISecurityKitBuilder AddPasswordPolicy(this ISecurityKitBuilder builder, Action<PasswordPolicyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(PasswordPolicyMarker)))
        {
            return builder;
        }

        services.AddSingleton<PasswordPolicyMarker>();
        services.AddOptions<PasswordPolicyOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PasswordPolicyOptions>, PasswordPolicyOptionsValidator>());
        services.AddHttpClient(HaveIBeenPwnedPasswordChecker.HttpClientName);

        services.TryAddSingleton<IPasswordStrengthEstimator>(sp => new ZxcvbnPasswordStrengthEstimator(
            sp.GetRequiredService<IOptions<PasswordPolicyOptions>>().Value.Strength,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IPasswordGenerator, PasswordGenerator>();
        services.TryAddSingleton<IBreachedPasswordChecker>(sp => new HaveIBeenPwnedPasswordChecker(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<PasswordPolicyOptions>>().Value.BreachCheck,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<SecurityEventPublisher>()));
        services.TryAddSingleton<IPasswordPolicy>(sp => new PasswordPolicy(
            sp.GetRequiredService<IOptions<PasswordPolicyOptions>>().Value,
            sp.GetRequiredService<IPasswordStrengthEstimator>(),
            sp.GetRequiredService<IBreachedPasswordChecker>(),
            sp.GetService<SecurityEventPublisher>()));
        return builder;
    }

    private sealed class PasswordPolicyMarker;
}
