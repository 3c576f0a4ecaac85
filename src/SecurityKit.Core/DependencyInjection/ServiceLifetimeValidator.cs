using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Stores.Otp;
using SecurityKit.Stores.RateLimiting;
using SecurityKit.Stores.Sessions;
using SecurityKit.Stores.Tokens;

namespace SecurityKit;

/// <summary>The subject of <see cref="ServiceLifetimeValidator"/> (no settings of its own).</summary>
internal sealed class ServiceLifetimeCheck
{
}

/// <summary>
/// Refuses, at startup, a scoped registration of a service that SecurityKit's singletons resolve once: the stores, the
/// event sinks, the key ring and the clock.
/// </summary>
internal sealed class ServiceLifetimeValidator(IServiceCollection services) : IValidateOptions<ServiceLifetimeCheck>
{
    private static readonly Type[] ResolvedOnce =
    [
        typeof(ISecurityEventSink),
        typeof(ISecretKeyRing),
        typeof(TimeProvider),
        typeof(IRateLimitStore),
        typeof(IOtpStateStore),
        typeof(IBackupCodeStore),
        typeof(ISessionStore),
        typeof(RefreshTokenStore),
        typeof(TokenVersionStore),
    ];

    public ValidateOptionsResult Validate(string? name, ServiceLifetimeCheck options)
    {
        List<string>? errors = null;
        foreach (var descriptor in services)
        {
            if (descriptor.Lifetime == ServiceLifetime.Scoped && !descriptor.IsKeyedService && Array.IndexOf(ResolvedOnce, descriptor.ServiceType) >= 0)
            {
                var implementation = descriptor.ImplementationType?.Name ?? "a factory";
                (errors ??= []).Add(
                    $"{descriptor.ServiceType.Name} is registered as scoped ({implementation}), but SecurityKit's services are singletons that resolve it once, " +
                    "so one instance would serve every request. Register it as a singleton; one that needs a scoped service (e.g. a DbContext) " +
                    "can create a scope per call with IServiceScopeFactory.");
            }
        }

        return errors is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
