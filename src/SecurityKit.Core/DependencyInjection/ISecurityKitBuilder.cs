using Microsoft.Extensions.DependencyInjection;

namespace SecurityKit;

/// <summary>
/// Returned by <c>AddSecurityKitCore()</c> and <c>AddSecurityKit()</c>; the packages add their
/// primitives to it (<c>AddPasswordHashing</c>, <c>AddTotp</c>, <c>UseRedis</c>…).
/// </summary>
public interface ISecurityKitBuilder
{
    /// <summary>Gets the service collection being configured.</summary>
    IServiceCollection Services { get; }
}

internal sealed class SecurityKitBuilder(IServiceCollection services) : ISecurityKitBuilder
{
    public IServiceCollection Services { get; } = services;
}

/// <summary>Marks a service collection on which <c>AddSecurityKitCore()</c> already ran.</summary>
internal sealed class SecurityKitMarkerService;
