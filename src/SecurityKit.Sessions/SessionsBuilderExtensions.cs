using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecurityKit;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Sessions;
using SecurityKit.Stores.Sessions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SecurityKit.Sessions.</summary>
public static class SessionsBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="SessionManager"/> with the in-memory <see cref="ISessionStore"/> (replaced by
    /// <c>UseRedis</c>), and fingerprinting (for device signals). Idempotent; the configure action runs
    /// only when given. Startup fails when the options are invalid or the key ring has no
    /// <see cref="KeyPurposes.TokenHashing"/> key (a root key is enough).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures lifetimes, limits and anomaly prefixes.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddSessions(this ISecurityKitBuilder builder, Action<SessionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        // A private marker, not the public type: a host's own (or keyed) SessionManager registered first used to skip the whole
        // registration (options validation, stores, keys), so startup failed with a misleading message (found in review).
        if (services.Any(d => d.ServiceType == typeof(SessionsMarker)))
        {
            return builder;
        }

        services.AddSingleton(new SessionsMarker());

        builder.AddFingerprinting();
        services.AddOptions<SessionOptions>().ValidateOnStart();
        services.AddOptions<InMemorySessionStoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InMemorySessionStoreOptions>, InMemorySessionStoreOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionOptions>, SessionOptionsValidator>());
        services.TryAddSingleton<ISessionStore>(sp => new InMemorySessionStore(sp.GetRequiredService<IOptions<InMemorySessionStoreOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new SessionManager(
            sp.GetRequiredService<IOptions<SessionOptions>>(),
            sp.GetRequiredService<ISessionStore>(),
            sp.GetRequiredService<ISecretKeyRing>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<SecurityEventPublisher>()));
        builder.RequireKey(KeyPurposes.TokenHashing, "SecurityKit.Sessions session ids");
        return builder;
    }
}

/// <summary>Marks that the registration ran (idempotence).</summary>
internal sealed class SessionsMarker;
