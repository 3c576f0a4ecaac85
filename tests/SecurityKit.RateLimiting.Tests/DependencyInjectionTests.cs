using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Keys;
using SecurityKit.RateLimiting.Login;
using SecurityKit.RateLimiting.Stores;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task AddLoginProtection_CalledTwice_RegistersOnce_AndResolves()
    {
        var services = new ServiceCollection();
        var builder = services.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey());
        builder.AddRateLimiting(o => o.AddPolicy("api", RateLimitRule.TokenBucket(10, TimeSpan.FromSeconds(1)))).AddLoginProtection();
        var count = services.Count;
        builder.AddRateLimiting().AddLoginProtection();
        services.Count.Should().Be(count);

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();

        provider.GetRequiredService<IRateLimitStore>().Should().BeSameAs(provider.GetRequiredService<InMemoryRateLimitStore>());
        (await provider.GetRequiredService<SecurityRateLimiter>().AcquireAsync("api", "k")).IsAllowed.Should().BeTrue();
        (await provider.GetRequiredService<LoginProtector>().AttemptAsync(new LoginAttempt("a", null), _ => ValueTask.FromResult(true))).Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData("api:v1")]
    [InlineData("login")]
    public void AddRateLimiting_CollidingPolicyName_FailsAtStartup(string name)
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddRateLimiting(o => o.AddPolicy(name, RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1))));
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*must not contain ':'*");
    }

    [Fact]
    public void AddLoginProtection_WithoutKey_FailsAtStartupNamingTheFeature()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddLoginProtection();
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*login protection*");
    }

    [Fact]
    public void AddLoginProtection_AboveNistCeiling_FailsAtStartupSayingWhatToSet()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey()).AddLoginProtection(o => o.MaxConsecutiveFailures = 500);
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*MaxConsecutiveFailures*at most 100*");
    }

    [Fact]
    public void AddRateLimiting_InvalidTimeout_FailsAtStartup()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddRateLimiting(o => o.StoreTimeout = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*StoreTimeout*");
    }
}
