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

    [Fact]
    public async Task AddLoginProtection_InMemory_LoginCountersHaveTheirOwnStore_ApiFloodCannotEvictThem()
    {
        // Sharing the API limiter's store, a flood of requests on fresh partitions of a 1-day sliding-window policy
        // (kept up to 2 days) evicted the 1-hour per-address login bucket, and the address had a fresh budget.
        var services = new ServiceCollection();
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey())
            .AddRateLimiting(o =>
            {
                o.InMemory.MaxEntries = InMemoryRateLimitStoreOptions.MinMaxEntries;
                o.AddPolicy("api", RateLimitRule.SlidingWindow(1000, TimeSpan.FromDays(1)));
            })
            .AddLoginProtection(o =>
            {
                o.IpFailureLimit = 2;
                o.NetworkFailureLimit = 2;
                o.IpWindow = TimeSpan.FromHours(1);
            });
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var protector = provider.GetRequiredService<LoginProtector>();
        var limiter = provider.GetRequiredService<SecurityRateLimiter>();
        var ip = System.Net.IPAddress.Parse("203.0.113.9");
        static ValueTask<bool> Wrong(CancellationToken _) => ValueTask.FromResult(false);

        (await protector.AttemptAsync(new LoginAttempt("a1", ip), Wrong)).Status.Should().Be(LoginAttemptStatus.Failed);
        (await protector.AttemptAsync(new LoginAttempt("a2", ip), Wrong)).Status.Should().Be(LoginAttemptStatus.Failed);
        (await protector.AttemptAsync(new LoginAttempt("a3", ip), Wrong)).Status.Should().Be(LoginAttemptStatus.IpBlocked);

        for (var i = 0; i < 5000; i++)
        {
            (await limiter.AcquireAsync("api", "client-" + i)).IsAllowed.Should().BeTrue();
        }

        provider.GetRequiredService<InMemoryRateLimitStore>().Count.Should().BeLessThanOrEqualTo(InMemoryRateLimitStoreOptions.MinMaxEntries);
        (await protector.AttemptAsync(new LoginAttempt("a4", ip), Wrong)).Status.Should().Be(LoginAttemptStatus.IpBlocked, "the flood must not reach the login counters");
    }

    [Theory]
    [InlineData("api:v1")]
    [InlineData("login")]
    [InlineData("OTP-failures")] // the progressive OTP lockout's keys share the store
    public void AddRateLimiting_CollidingPolicyName_FailsAtStartup(string name)
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddRateLimiting(o => o.AddPolicy(name, RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1))));
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*must not contain ':'*");
    }

    [Theory]
    [InlineData(366L * 24 * 3600 * 1000 * 10_000)] // the longest accepted lifetime
    [InlineData(90L * 24 * 3600 * 1000 * 10_000 + 1)] // not whole milliseconds
    public async Task AddLoginProtection_EveryValidTrustedDeviceLifetime_Resolves(long ticks)
    {
        // 400 days passed validation, then building the protector threw (the device counter's window is the lifetime and a
        // lockout window is whole milliseconds up to 366 days): every sign-in failed.
        var services = new ServiceCollection();
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey()).AddLoginProtection(o => o.TrustedDeviceLifetime = TimeSpan.FromTicks(ticks));
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var protector = provider.GetRequiredService<LoginProtector>();
        (await protector.AttemptAsync(new LoginAttempt("a", null), _ => ValueTask.FromResult(true))).Succeeded.Should().BeTrue();
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

    public static TheoryData<Action<RateLimitingOptions>, string> InvalidRateLimitingOptions() => new()
    {
        { o => o.StoreTimeout = TimeSpan.FromMinutes(2), "*StoreTimeout*at most 1 minute*" },
        { o => o.InMemory.MaxEntries = InMemoryRateLimitStoreOptions.MinMaxEntries - 1, "*MaxEntries must be between 1000 and 50000000*" },
        { o => o.InMemory.MaxEntries = InMemoryRateLimitStoreOptions.MaxMaxEntries + 1, "*MaxEntries must be between*" },
        { o => o.InMemory.SweepInterval = TimeSpan.Zero, "*SweepInterval must be between 1 second and 1 day*" },
        { o => o.InMemory.SweepInterval = TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1), "*SweepInterval must be between 1 second and 1 day*" },
        { o => o.InMemory.SweepInterval = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1), "*SweepInterval must be between 1 second and 1 day*" },
        { o => o.AddPolicy(new string('p', 65), RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1))), "*name of 1 to 64 characters*" },
        { o => o.AddPolicy("fine", RateLimitRule.TokenBucket(RateLimitRule.MaxLimit, TimeSpan.FromSeconds(1))), "*'fine'*more than one permit per microsecond*" },
    };

    [Theory]
    [MemberData(nameof(InvalidRateLimitingOptions))]
    public void AddRateLimiting_InvalidOptions_FailAtStartupSayingWhatToSet(Action<RateLimitingOptions> configure, string message)
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddRateLimiting(configure);
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage(message);
    }

    [Fact]
    public void AddRateLimiting_TokenBucketOfOnePermitPerMicrosecond_IsValid()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddRateLimiting(o => o.AddPolicy("edge", RateLimitRule.TokenBucket(1_000, TimeSpan.FromMilliseconds(1))));
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate()).Should().NotThrow();
    }

    public static TheoryData<Action<LoginProtectionOptions>, string> InvalidLoginOptions() => new()
    {
        { o => o.FreeAttempts = 0, "*FreeAttempts must be between 1 and 50*" },
        { o => o.FreeAttempts = 51, "*FreeAttempts must be between 1 and 50*" },
        { o => o.InitialDelay = TimeSpan.FromTicks(5), "*InitialDelay must be whole milliseconds*" },
        { o => o.InitialDelay = TimeSpan.FromMinutes(11), "*InitialDelay must be whole milliseconds between 1 ms and 10 minutes*" },
        { o => o.MaxLockoutDuration = TimeSpan.FromDays(31), "*MaxLockoutDuration must be whole milliseconds between InitialDelay and 30 days*" },
        { o => o.MaxConsecutiveFailures = 5, "*MaxConsecutiveFailures must be greater than FreeAttempts*" },
        { o => o.LockoutThreshold = 101, "*LockoutThreshold must be between FreeAttempts and MaxConsecutiveFailures*" },
        { o => o.FailureWindow = TimeSpan.FromMinutes(1), "*FailureWindow must be whole milliseconds between MaxLockoutDuration and 366 days*" },
        { o => o.IpFailureLimit = 0, "*IpFailureLimit must be between 1 and 100,000*" },
        { o => o.NetworkFailureLimit = 1, "*NetworkFailureLimit between IpFailureLimit and 1,000,000*" },
        { o => o.IpWindow = TimeSpan.FromMilliseconds(500), "*IpWindow must be whole milliseconds between 1 second and 1 day*" },
        { o => { o.IpWindow = TimeSpan.FromSeconds(1); o.WideNetworkFailureLimit = 1_000_001; }, "*IpWindow / WideNetworkFailureLimit must be at least 1 microsecond*" },
        { o => o.FailurePolicy = (StoreFailurePolicy)42, "*FailurePolicy must be FallbackToMemory, FailClosed or FailOpen*" },
        { o => o.FallbackLimitFactor = 1.5, "*FallbackLimitFactor must be greater than 0 and at most 1*" },
        { o => o.FallbackLimitFactor = double.NaN, "*FallbackLimitFactor*" },
        { o => o.MaxAccountIdLength = 0, "*MaxAccountIdLength must be between 1 and 1024*" },
        { o => o.TrustedDeviceLifetime = TimeSpan.FromMinutes(30), "*TrustedDeviceLifetime must be between 1 hour and 366 days*" },
        { o => o.TrustedDeviceLifetime = TimeSpan.FromDays(367), "*TrustedDeviceLifetime*" },
        { o => o.TrustedDeviceLifetime = TimeSpan.FromDays(400), "*TrustedDeviceLifetime*" },
    };

    [Theory]
    [MemberData(nameof(InvalidLoginOptions))]
    public void AddLoginProtection_InvalidOptions_FailAtStartupSayingWhatToSet(Action<LoginProtectionOptions> configure, string message)
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey()).AddLoginProtection(configure);
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage(message);
    }
}
