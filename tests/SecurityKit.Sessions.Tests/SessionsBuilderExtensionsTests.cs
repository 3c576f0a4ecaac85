using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Fingerprinting.Devices;
using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions.Tests;

public sealed class SessionsBuilderExtensionsTests
{
    [Fact]
    public async Task AddSessions_RegistersOnce_Works()
    {
        var services = new ServiceCollection();
        var builder = services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddSessions(o => o.IdleTimeout = TimeSpan.FromMinutes(10));
        var count = services.Count;
        builder.AddSessions();
        services.Count.Should().Be(count);
        services.Count(d => d.ServiceType == typeof(ISessionStore)).Should().Be(1);

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetRequiredService<ISessionStore>().Should().BeOfType<InMemorySessionStore>();
        provider.GetRequiredService<DeviceFingerprinter>().Should().NotBeNull();
        var manager = provider.GetRequiredService<SessionManager>();
        var created = await manager.CreateAsync("alice");
        created.Session!.ExpiresAt.Should().Be(created.Session.CreatedAt.AddMinutes(10));
        (await manager.ValidateAsync(created.Token)).IsValid.Should().BeTrue();
    }

    [Fact]
    public void AddSessions_InvalidOptions_FailAtStartup()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddSessions(o => o.TouchInterval = TimeSpan.FromHours(1));
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*TouchInterval*");
    }

    [Fact]
    public void AddSessions_InvalidInMemoryStoreOptions_FailAtStartup()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddSessions();
        services.Configure<InMemorySessionStoreOptions>(o => o.MaxSessions = 0);
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*MaxSessions*");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(86_401)]
    [InlineData(double.PositiveInfinity)]
    public void AddSessions_SweepIntervalOutOfRange_FailsAtStartup(double seconds)
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddSessions();
        services.Configure<InMemorySessionStoreOptions>(o => o.SweepInterval = double.IsInfinity(seconds) ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds));
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*SweepInterval is *; set 1 second to 1 day*");
    }

    [Fact]
    public void AddSessions_WithoutKey_FailsAtStartupNamingFeature()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddSessions();
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*SecurityKit.Sessions*");
    }
}
