using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecurityKit;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Passwords;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SecurityKit password hashing.</summary>
public static class PasswordHashingBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="IPasswordHasher"/> (a singleton <see cref="PasswordHasher"/>) with options validated
    /// at startup. Idempotent: calling it again only adds the configuration.
    /// </summary>
    /// <param name="builder">The SecurityKit builder.</param>
    /// <param name="configure">Configures the options, or <see langword="null"/> for the defaults (Argon2id, OWASP costs).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ISecurityKitBuilder AddPasswordHashing(this ISecurityKitBuilder builder, Action<PasswordHasherOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(PasswordHashingMarker)))
        {
            return builder;
        }

        services.AddSingleton<PasswordHashingMarker>();
        services.AddOptions<PasswordHasherOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PasswordHasherOptions>, PasswordHasherOptionsValidator>(
            sp => new PasswordHasherOptionsValidator(sp.GetService<ISecretKeyRing>())));
        services.TryAddSingleton(sp => new PasswordHasher(
            sp.GetRequiredService<IOptions<PasswordHasherOptions>>().Value,
            sp.GetService<ISecretKeyRing>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<SecurityEventPublisher>()));
        services.TryAddSingleton<IPasswordHasher>(sp => sp.GetRequiredService<PasswordHasher>());
        return builder;
    }

    private sealed class PasswordHashingMarker;
}
