using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SecurityKit;
using SecurityKit.Events;
using SecurityKit.Keys;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SecurityKit's core services.</summary>
public static class SecurityKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds the SecurityKit core: <see cref="TimeProvider.System"/> (unless one is registered), the key
    /// ring, the event publisher with its logging and metrics sinks. Calling it again registers nothing
    /// twice and returns a builder over the same services.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The builder, to add primitives.</returns>
    public static ISecurityKitBuilder AddSecurityKitCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new SecurityKitBuilder(services);
        if (services.Any(d => d.ServiceType == typeof(SecurityKitMarkerService)))
        {
            return builder;
        }

        services.AddSingleton<SecurityKitMarkerService>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<SecretKeyRingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecretKeyRingOptions>, SecretKeyRingOptionsValidator>());
        services.TryAddSingleton<ISecretKeyRing>(sp =>
        {
            var ring = new SecretKeyRing(sp.GetRequiredService<IOptions<SecretKeyRingOptions>>());
            if (ring.TryGetActiveKey(KeyPurposes.Root, out var root) && root.IsEphemeral)
            {
                // Startup resolves the ring (key requirements are validated on start), so this shows when the app starts.
                CoreLog.EphemeralKey((sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(CoreLog.Category), root.KeyId);
            }

            return ring;
        });

        services.AddOptions<KeyRequirementOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeyRequirementOptions>, KeyRequirementValidator>());

        services.AddSingleton<ISecurityEventSink, LoggingSecurityEventSink>(
            sp => new LoggingSecurityEventSink(sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        services.AddSingleton<ISecurityEventSink, MetricsSecurityEventSink>(
            sp => sp.GetService<System.Diagnostics.Metrics.IMeterFactory>() is { } factory ? new MetricsSecurityEventSink(factory) : new MetricsSecurityEventSink());
        services.TryAddSingleton(sp => new SecurityEventPublisher(
            sp.GetServices<ISecurityEventSink>(),
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(CoreLog.Category)));

        // SecurityKit's services are singletons that resolve their stores, sinks, clock and key ring once: a scoped
        // registration would be one instance shared by every request (a DbContext across threads), or fail at first use
        // under scope validation (found in review). Checked at startup against the final registrations.
        services.AddOptions<ServiceLifetimeCheck>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceLifetimeCheck>>(new ServiceLifetimeValidator(services));
        return builder;
    }

    /// <summary>Adds the SecurityKit core and configures the key ring.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureKeys">Adds keys, e.g. <c>k => k.AddKey("root", "k1", key)</c>.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddSecurityKitCore(this IServiceCollection services, Action<SecretKeyRingOptions> configureKeys) =>
        services.AddSecurityKitCore().ConfigureKeys(configureKeys);
}

/// <summary>Core configuration methods of <see cref="ISecurityKitBuilder"/>.</summary>
public static class SecurityKitBuilderExtensions
{
    /// <summary>Configures the default key ring in code.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adds keys.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder ConfigureKeys(this ISecurityKitBuilder builder, Action<SecretKeyRingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Binds the default key ring to a configuration section with a <c>Keys</c> array (see <see cref="SecretKeyRingOptions"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="section">The section, e.g. <c>configuration.GetSection("SecurityKit:KeyRing")</c>.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddKeysFromConfiguration(this ISecurityKitBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.Configure<SecretKeyRingOptions>(section);
        return builder;
    }

    /// <summary>Replaces the default key ring with a custom one (a vault, an HSM-backed provider).</summary>
    /// <typeparam name="TKeyRing">The key ring type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder UseKeyRing<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TKeyRing>(this ISecurityKitBuilder builder)
        where TKeyRing : class, ISecretKeyRing
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ISecretKeyRing, TKeyRing>());
        return builder;
    }

    /// <summary>Adds an event sink (a SIEM forwarder, an audit store) next to the logging and metrics sinks.</summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddEventSink<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSink>(this ISecurityKitBuilder builder)
        where TSink : class, ISecurityEventSink
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecurityEventSink, TSink>());
        return builder;
    }

    /// <summary>
    /// Declares that a feature needs an active key for <paramref name="purpose"/>; startup fails with a
    /// message naming the feature when the key ring has none. For package authors.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="purpose">The key purpose.</param>
    /// <param name="feature">The feature name shown in the error, e.g. <c>SecurityKit.Otp backup codes</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> is not a valid purpose (1–64 characters of
    /// <c>a-z 0-9 . _ -</c>), or <paramref name="feature"/> is empty.</exception>
    public static ISecurityKitBuilder RequireKey(this ISecurityKitBuilder builder, string purpose, string feature)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        ArgumentException.ThrowIfNullOrEmpty(feature);
        if (!SecretKey.IsValidPurpose(purpose))
        {
            // Here, where the package author sees it: at startup it became a bare exception from the key ring, or a
            // "configure a key for 'Token-Signing'" nobody could act on (found in review).
            throw new ArgumentException("A key purpose is 1 to 64 characters of a-z, 0-9, '.', '_' and '-' (e.g. 'token-signing').", nameof(purpose));
        }

        builder.Services.Configure<KeyRequirementOptions>(o => o.Purposes.TryAdd(purpose, feature));
        return builder;
    }
}
