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
    /// which the features and <c>UseRedis</c> are called.
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

        // Each store contract: remove whatever is registered (the in-memory default) and add the Redis one.
        // Features register their in-memory stores with TryAdd, so a later AddXxx() does not undo this.
        ReplaceStore<SecurityKit.Stores.Otp.IOtpStateStore, SecurityKit.Redis.Otp.RedisOtpStateStore>(services);
        ReplaceStore<SecurityKit.Stores.Otp.IBackupCodeStore, SecurityKit.Redis.Otp.RedisBackupCodeStore>(services);
        ReplaceStore<SecurityKit.Stores.RateLimiting.IRateLimitStore, SecurityKit.Redis.RateLimiting.RedisRateLimitStore>(services);
        ReplaceStore<SecurityKit.Stores.Sessions.ISessionStore, SecurityKit.Redis.Sessions.RedisSessionStore>(services);
        // (Store registrations are added here as the features land.)
        ReplaceStore<SecurityKit.Stores.Tokens.RefreshTokenStore, SecurityKit.Redis.Tokens.RedisRefreshTokenStore>(services);
        ReplaceStore<SecurityKit.Stores.Tokens.TokenVersionStore, SecurityKit.Redis.Tokens.RedisTokenVersionStore>(services);
        return builder;
    }

    /// <summary>Replaces the registration of <typeparamref name="TService"/> with <typeparamref name="TImplementation"/>.</summary>
    internal static void ReplaceStore<TService, [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(IServiceCollection services)
        where TService : class
        where TImplementation : class, TService
    {
        services.RemoveAll<TService>();
        services.AddSingleton<TService, TImplementation>();
    }
}
