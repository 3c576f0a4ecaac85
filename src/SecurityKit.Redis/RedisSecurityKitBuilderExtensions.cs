using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecurityKit;
using SecurityKit.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Switches SecurityKit's stores to Redis.</summary>
public static class RedisSecurityKitBuilderExtensions
{
    /// <summary>
    /// Replaces every in-memory SecurityKit store with its Redis implementation, whatever the order in
    /// which the features and <c>UseRedis</c> are called. A store contract the host registered its own implementation
    /// for is left to it.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder UseRedis(this ISecurityKitBuilder builder, Action<RedisSecurityKitOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        services.AddOptions<RedisSecurityKitOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisSecurityKitOptions>, RedisOptionsValidator>());
        services.TryAddSingleton<RedisConnection>();

        // Each store contract: remove SecurityKit's in-memory default and add the Redis one (a store the host registered
        // itself is kept). Features register their in-memory stores with TryAdd, so a later AddXxx() does not undo this.
        ReplaceStore<SecurityKit.Stores.Otp.IOtpStateStore, SecurityKit.Redis.Otp.RedisOtpStateStore>(services);
        ReplaceStore<SecurityKit.Stores.Otp.IBackupCodeStore, SecurityKit.Redis.Otp.RedisBackupCodeStore>(services);
        ReplaceStore<SecurityKit.Stores.RateLimiting.IRateLimitStore, SecurityKit.Redis.RateLimiting.RedisRateLimitStore>(services);
        ReplaceStore<SecurityKit.Stores.Sessions.ISessionStore, SecurityKit.Redis.Sessions.RedisSessionStore>(services);
        // (Store registrations are added here as the features land.)
        ReplaceStore<SecurityKit.Stores.Tokens.RefreshTokenStore, SecurityKit.Redis.Tokens.RedisRefreshTokenStore>(services);
        ReplaceStore<SecurityKit.Stores.Tokens.TokenVersionStore, SecurityKit.Redis.Tokens.RedisTokenVersionStore>(services);
        return builder;
    }

    /// <summary>Replaces SecurityKit's own registration of <typeparamref name="TService"/> (the in-memory default) with
    /// <typeparamref name="TImplementation"/>; a store the host registered itself (e.g. an EF-backed session store) is
    /// kept, whether it was registered before or after <c>UseRedis</c>.</summary>
    internal static void ReplaceStore<TService, [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TService : class
        where TImplementation : class, TService
    {
        // Keyed registrations are other services of the host (e.g. a keyed "audit" store): they neither count as the
        // host's replacement of the default store nor get removed (found in review: one keyed registration silently kept
        // the in-memory store, so counters and token state became per instance).
        var registered = services.Where(d => d.ServiceType == typeof(TService) && !d.IsKeyedService).ToList();
        if (registered.Any(d => !IsSecurityKits(d)))
        {
            return; // the host's own store wins
        }

        foreach (var descriptor in registered)
        {
            services.Remove(descriptor);
        }

        services.AddSingleton<TService, TImplementation>();
    }

    /// <summary>Whether SecurityKit registered <paramref name="descriptor"/>: its implementation type or factory lives in
    /// one of SecurityKit's package assemblies. SecurityKit never registers store instances, so an instance is always the
    /// host's.</summary>
    private static bool IsSecurityKits(ServiceDescriptor descriptor)
    {
        var type = descriptor.ImplementationInstance is not null ? null : descriptor.ImplementationType ?? descriptor.ImplementationFactory?.Method.DeclaringType;
        var name = type?.Assembly.GetName().Name;
        return name is not null && PackageAssemblies.Contains(name);
    }

    /// <summary>SecurityKit's package assemblies, by exact name (add a new package here). A prefix test ("SecurityKit.")
    /// also matched a host's own assembly named like one (the sample, a copy of it, the test projects), whose store
    /// registered by type or factory before <c>UseRedis</c> was then removed (found in review).</summary>
    private static readonly FrozenSet<string> PackageAssemblies = new[]
    {
        "SecurityKit", "SecurityKit.Core", "SecurityKit.Passwords", "SecurityKit.Passwords.Strength", "SecurityKit.Otp",
        "SecurityKit.Otp.QrCode", "SecurityKit.Tokens", "SecurityKit.RateLimiting", "SecurityKit.Fingerprinting",
        "SecurityKit.Sessions", "SecurityKit.Redis",
    }.ToFrozenSet(StringComparer.Ordinal);
}
