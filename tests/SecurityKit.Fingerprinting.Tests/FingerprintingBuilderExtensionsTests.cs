using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Fingerprinting.ClientIp;
using SecurityKit.Fingerprinting.Devices;

namespace SecurityKit.Fingerprinting.Tests;

public sealed class FingerprintingBuilderExtensionsTests
{
    [Fact]
    public void AddFingerprinting_RegistersOnce_AndAppliesOptions()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey())
            .AddFingerprinting(o => o.ClientIp.TrustedProxies.Add("10.0.0.0/8"))
            .AddFingerprinting();
        services.Count(d => d.ServiceType == typeof(ClientIpResolver)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(DeviceFingerprinter)).Should().Be(1);

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var result = provider.GetRequiredService<ClientIpResolver>().Resolve("10.0.0.1", new ForwardedHeaderValues(XForwardedFor: ["198.51.100.7"]));
        result.Address!.ToString().Should().Be("198.51.100.7");
        provider.GetRequiredService<DeviceFingerprinter>().Compute(new DeviceFingerprintInput { UserAgent = "x" }).ToString().Should().StartWith("v2.");
    }

    [Fact]
    public void AddFingerprinting_InvalidProxyOrLimits_FailsAtStartupWithMessage()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddFingerprinting(o =>
        {
            o.ClientIp.TrustedProxies.Add("10.0.0.1/8");
            o.ClientIp.MaxForwardedEntries = 0;
            o.ClientIp.ForwardLimit = 0;
            o.ClientIp.Header = (ForwardedHeader)3;
        });
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().Contain(f => f.Contains("TrustedProxies", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("MaxForwardedEntries", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("ForwardLimit", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("Header must be XForwardedFor, Forwarded or XRealIp", StringComparison.Ordinal));
    }

    [Fact]
    public void TrustedProxies_AtMostMaxEntries_AtStartupAndWhenParsed()
    {
        // A list is walked for every request's forwarded entries: its length is bounded, at startup with a message and
        // in IpNetworkList.Parse for direct callers.
        static IEnumerable<string> Proxies(int count) => Enumerable.Range(0, count).Select(i => $"10.{i / 256}.{i % 256}.1");

        IpNetworkList.Parse(Proxies(IpNetworkList.MaxEntries)).Count.Should().Be(IpNetworkList.MaxEntries);
        FluentActions.Invoking(() => IpNetworkList.Parse(Proxies(IpNetworkList.MaxEntries + 1)))
            .Should().Throw<ArgumentException>().WithMessage($"*At most {IpNetworkList.MaxEntries}*");

        foreach (var (count, fails) in new[] { (IpNetworkList.MaxEntries, false), (IpNetworkList.MaxEntries + 1, true) })
        {
            var services = new ServiceCollection();
            services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddFingerprinting(o =>
            {
                foreach (var proxy in Proxies(count))
                {
                    o.ClientIp.TrustedProxies.Add(proxy);
                }
            });
            using var provider = services.BuildServiceProvider();
            var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
            if (fails)
            {
                act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Contain(f => f.Contains($"at most {IpNetworkList.MaxEntries} entries", StringComparison.Ordinal));
            }
            else
            {
                act.Should().NotThrow();
            }
        }
    }

    [Fact]
    public void AddFingerprinting_WithoutKey_FailsAtStartup()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddFingerprinting();
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*fingerprint*");
    }
}
