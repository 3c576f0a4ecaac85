using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecurityKit;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.RateLimiting;
using SecurityKit.RateLimiting.Login;
using SecurityKit.RateLimiting.Stores;
using SecurityKit.Stores.RateLimiting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SecurityKit.RateLimiting.</summary>
public static class RateLimitingSecurityKitBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="SecurityRateLimiter"/> and the in-memory <see cref="IRateLimitStore"/> (unless another store,
    /// e.g. Redis via <c>UseRedis</c>, is registered). Idempotent; <paramref name="configure"/> runs each time it is given.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adds policies and sets the store timeout, e.g. <c>o => o.AddPolicy("api", RateLimitRule.TokenBucket(100, TimeSpan.FromMinutes(1)))</c>.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddRateLimiting(this ISecurityKitBuilder builder, Action<RateLimitingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        // A private marker, not the public type: a host's own (or keyed) SecurityRateLimiter registered first used to skip the whole
        // registration (options validation, stores, keys), so startup failed with a misleading message (found in review).
        if (services.Any(d => d.ServiceType == typeof(RateLimitingMarker)))
        {
            return builder;
        }

        services.AddSingleton(new RateLimitingMarker());

        services.AddOptions<RateLimitingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
        services.TryAddSingleton(sp => new InMemoryRateLimitStore(sp.GetRequiredService<IOptions<RateLimitingOptions>>().Value.InMemory, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IRateLimitStore>(sp => sp.GetRequiredService<InMemoryRateLimitStore>());
        services.TryAddSingleton(sp => new SecurityRateLimiter(
            sp.GetRequiredService<IRateLimitStore>(),
            sp.GetRequiredService<IOptions<RateLimitingOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<SecurityEventPublisher>(),
            sp.GetRequiredService<InMemoryRateLimitStore>()));
        return builder;
    }

    /// <summary>
    /// Adds <see cref="LoginProtector"/> (and <see cref="AddRateLimiting"/>). Requires a <see cref="KeyPurposes.RateLimitKeys"/>
    /// key (or a root key): startup fails without one. Idempotent; <paramref name="configure"/> runs each time it is given.
    /// </summary>
    /// <remarks>Without a remote store the login counters live in an in-memory store of their own (same
    /// <see cref="RateLimitingOptions.InMemory"/> options), not in the one <see cref="SecurityRateLimiter"/> policies use, so
    /// requests on an API policy cannot push them out.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the lockout curve and IP limits.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddLoginProtection(this ISecurityKitBuilder builder, Action<LoginProtectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddRateLimiting();
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        // A private marker, not the public type: a host's own (or keyed) LoginProtector registered first used to skip the whole
        // registration (options validation, stores, keys), so startup failed with a misleading message (found in review).
        if (services.Any(d => d.ServiceType == typeof(LoginProtectionMarker)))
        {
            return builder;
        }

        services.AddSingleton(new LoginProtectionMarker());

        services.AddOptions<LoginProtectionOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LoginProtectionOptions>, LoginProtectionOptionsValidator>());
        services.TryAddSingleton(static sp =>
        {
            // The login counters get an in-memory store of their own (as primary store when the registered store is the
            // shared in-memory default, and as fallback otherwise): sharing the API limiter's store let a flood of cheap
            // requests on fresh keys evict the per-address counters and hand their addresses a fresh budget (found in
            // review). A registered remote store (Redis) or a host's own store is used as it is.
            var own = new InMemoryRateLimitStore(sp.GetRequiredService<IOptions<RateLimitingOptions>>().Value.InMemory, sp.GetRequiredService<TimeProvider>());
            var store = sp.GetRequiredService<IRateLimitStore>();
            return new LoginProtector(
                ReferenceEquals(store, sp.GetRequiredService<InMemoryRateLimitStore>()) ? own : store,
                sp.GetRequiredService<IOptions<LoginProtectionOptions>>(),
                sp.GetRequiredService<IOptions<RateLimitingOptions>>(),
                sp.GetRequiredService<ISecretKeyRing>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<SecurityEventPublisher>(),
                own);
        });
        builder.RequireKey(KeyPurposes.RateLimitKeys, "SecurityKit.RateLimiting login protection");
        return builder;
    }
}

/// <summary>Marks that the registration ran (idempotence).</summary>
internal sealed class RateLimitingMarker;

/// <summary>Marks that the registration ran (idempotence).</summary>
internal sealed class LoginProtectionMarker;
