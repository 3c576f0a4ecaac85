using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Stores.Otp;
using SecurityKit.Stores.RateLimiting;
using SecurityKit.Stores.Sessions;
using SecurityKit.Stores.Tokens;

namespace SecurityKit.Redis.Tests;

public sealed class UseRedisTests
{
    private static readonly Type[] StoreContracts =
    [
        typeof(IOtpStateStore),
        typeof(IBackupCodeStore),
        typeof(IRateLimitStore),
        typeof(ISessionStore),
        typeof(RefreshTokenStore),
        typeof(TokenVersionStore),
    ];

    private static void AssertEveryStoreIsRedis(IServiceCollection services)
    {
        foreach (var contract in StoreContracts)
        {
            var registrations = services.Where(d => d.ServiceType == contract).ToList();
            registrations.Should().ContainSingle($"{contract.Name} must be registered exactly once");
            var implementation = registrations[0].ImplementationType ?? registrations[0].ImplementationFactory?.Method.ReturnType;
            implementation!.Namespace.Should().StartWith("SecurityKit.Redis", $"{contract.Name} must use Redis");
        }
    }

    [Fact]
    public void UseRedis_AfterAddSecurityKit_ReplacesEveryInMemoryStore()
    {
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o => o.Configuration = "127.0.0.1:1,abortConnect=false");
        AssertEveryStoreIsRedis(services);
    }

    [Fact]
    public void UseRedis_KeyedRegistrationsOfTheHost_NeitherBlockNorGetRemoved()
    {
        // A keyed store is another service of the host (an "audit" limiter, a second token store): it used to count as the
        // host's replacement, so the unkeyed default stayed in memory and counters became per instance, silently.
        var audit = new SecurityKit.Sessions.InMemorySessionStore(new SecurityKit.Sessions.InMemorySessionStoreOptions(), TimeProvider.System);
        foreach (var keyedFirst in new[] { true, false })
        {
            var services = new ServiceCollection();
            if (keyedFirst)
            {
                services.AddKeyedSingleton<ISessionStore>("audit", audit);
                services.AddKeyedSingleton<IRateLimitStore>("audit", (_, _) => new SecurityKit.RateLimiting.Stores.InMemoryRateLimitStore());
            }

            services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o => o.Configuration = "127.0.0.1:1,abortConnect=false");
            if (!keyedFirst)
            {
                services.AddKeyedSingleton<ISessionStore>("audit", audit);
                services.AddKeyedSingleton<IRateLimitStore>("audit", (_, _) => new SecurityKit.RateLimiting.Stores.InMemoryRateLimitStore());
            }

            IServiceCollection unkeyed = new ServiceCollection();
            foreach (var d in services.Where(d => !d.IsKeyedService))
            {
                unkeyed.Add(d);
            }

            AssertEveryStoreIsRedis(unkeyed);
            services.Where(d => d.IsKeyedService && d.ServiceType == typeof(ISessionStore)).Should().ContainSingle();
            using var provider = services.BuildServiceProvider();
            provider.GetRequiredKeyedService<ISessionStore>("audit").Should().BeSameAs(audit);
        }
    }

    [Fact]
    public void UseRedis_HostsOwnStore_KeptWhateverTheOrder()
    {
        // A host with its own (say EF-backed) session store and Redis for the rest: UseRedis used to remove the host's
        // store when it was registered first.
        var own = new SecurityKit.Sessions.InMemorySessionStore(new SecurityKit.Sessions.InMemorySessionStoreOptions(), TimeProvider.System);
        var before = new ServiceCollection();
        before.AddSingleton<ISessionStore>(own);
        before.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o => o.Configuration = "127.0.0.1:1,abortConnect=false");
        var after = new ServiceCollection();
        after.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o => o.Configuration = "127.0.0.1:1,abortConnect=false");
        after.AddSingleton<ISessionStore>(_ => own); // a factory of the host's, this time

        // A factory registered first, from an assembly whose name starts with "SecurityKit." like this test project's (or
        // the sample's): a prefix test took it for SecurityKit's own in-memory default and removed it (found in review).
        var factoryBefore = new ServiceCollection();
        factoryBefore.AddSingleton<ISessionStore>(_ => own);
        factoryBefore.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o => o.Configuration = "127.0.0.1:1,abortConnect=false");
        typeof(UseRedisTests).Assembly.GetName().Name.Should().StartWith("SecurityKit.");

        foreach (var services in new[] { before, after, factoryBefore })
        {
            using var provider = services.BuildServiceProvider();
            provider.GetRequiredService<ISessionStore>().Should().BeSameAs(own);
            provider.GetRequiredService<IOtpStateStore>().Should().BeOfType<SecurityKit.Redis.Otp.RedisOtpStateStore>("the other stores still move to Redis");
        }
    }

    [Fact]
    public void UseRedis_BeforeTheFeatures_StillWins()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().UseRedis(o => o.Configuration = "127.0.0.1:1,abortConnect=false");
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey());
        AssertEveryStoreIsRedis(services);
    }

    [Fact]
    public void UseRedis_Resolves_WithoutConnectingAtStartup()
    {
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o => o.Configuration = "127.0.0.1:1,abortConnect=false");
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        foreach (var contract in StoreContracts)
        {
            provider.GetRequiredService(contract).GetType().Namespace.Should().StartWith("SecurityKit.Redis");
        }
    }

    [Fact]
    public void UseRedis_NoConnection_FailsAtStartupWithInstructions()
    {
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(_ => { });
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*Configuration*");
    }
}
