using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SecurityKit;
using SecurityKit.Fingerprinting;
using SecurityKit.Fingerprinting.ClientIp;
using SecurityKit.Fingerprinting.Devices;
using SecurityKit.Keys;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SecurityKit.Fingerprinting.</summary>
public static class FingerprintingBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ClientIpResolver"/> and <see cref="DeviceFingerprinter"/> as singletons. Idempotent;
    /// the configure action runs only when given. Startup fails when the key ring has no
    /// <see cref="KeyPurposes.Fingerprint"/> key (a root key is enough) or the options are invalid.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures trusted proxies and limits.</param>
    /// <returns>The builder.</returns>
    public static ISecurityKitBuilder AddFingerprinting(this ISecurityKitBuilder builder, Action<FingerprintingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        // A private marker, not the public type: a host's own (or keyed) ClientIpResolver registered first used to skip the whole
        // registration (options validation, stores, keys), so startup failed with a misleading message (found in review).
        if (services.Any(d => d.ServiceType == typeof(FingerprintingMarker)))
        {
            return builder;
        }

        services.AddSingleton(new FingerprintingMarker());

        services.AddOptions<FingerprintingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FingerprintingOptions>, FingerprintingOptionsValidator>());
        services.TryAddSingleton(sp => new ClientIpResolver(sp.GetRequiredService<IOptions<FingerprintingOptions>>()));
        services.TryAddSingleton(sp => new DeviceFingerprinter(sp.GetRequiredService<ISecretKeyRing>()));
        builder.RequireKey(KeyPurposes.Fingerprint, "SecurityKit.Fingerprinting device fingerprints");
        return builder;
    }
}

/// <summary>Marks that the registration ran (idempotence).</summary>
internal sealed class FingerprintingMarker;
