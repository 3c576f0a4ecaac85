using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Keys;

namespace SecurityKit.Tests;

public sealed class AddSecurityKitTests
{
    [Fact]
    public void AddSecurityKit_CalledTwice_RegistersOnce_AndResolves()
    {
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey());
        var count = services.Count;
        services.AddSecurityKit();
        services.Count.Should().Be(count);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        provider.GetRequiredService<ISecretKeyRing>().Should().NotBeNull();
    }
}
