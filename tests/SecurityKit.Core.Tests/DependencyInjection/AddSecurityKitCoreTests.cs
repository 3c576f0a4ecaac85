using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;
using SecurityKit.Keys;

namespace SecurityKit.Core.Tests.DependencyInjection;

public sealed class AddSecurityKitCoreTests
{
    [Fact]
    public void AddSecurityKitCore_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore();
        var count = services.Count;
        var builder = services.AddSecurityKitCore();
        services.Count.Should().Be(count);
        builder.Services.Should().BeSameAs(services);
        using var provider = services.BuildServiceProvider();
        provider.GetServices<ISecurityEventSink>().Should().HaveCount(2);
    }

    [Fact]
    public void AddSecurityKitCore_RegistersSystemTimeProvider_UnlessHostDid()
    {
        var fake = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(fake);
        services.AddSecurityKitCore();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(fake);

        using var defaults = new ServiceCollection().AddSecurityKitCore().Services.BuildServiceProvider();
        defaults.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public void AddKeysFromConfiguration_BindsKeys()
    {
        var key = Convert.ToBase64String(new byte[32]);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Keys:0:Purpose"] = "root",
            ["Keys:0:KeyId"] = "2026-11",
            ["Keys:0:Value"] = key,
            ["Keys:0:Active"] = "true",
        }).Build();
        using var provider = new ServiceCollection().AddSecurityKitCore().AddKeysFromConfiguration(configuration).Services.BuildServiceProvider();
        provider.GetRequiredService<ISecretKeyRing>().GetActiveKey(KeyPurposes.Fingerprint).KeyId.Should().Be("2026-11");
    }

    private sealed class ScopedSink : ISecurityEventSink
    {
        public void Handle(SecurityEvent securityEvent)
        {
        }
    }

    private sealed class EmptyRing : ISecretKeyRing
    {
        public bool TryGetActiveKey(string purpose, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SecretKey? key)
        {
            key = null;
            return false;
        }

        public bool TryGetKey(string purpose, string keyId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SecretKey? key)
        {
            key = null;
            return false;
        }
    }

    private sealed class ThrowingSink : ISecurityEventSink
    {
        public void Handle(SecurityEvent securityEvent) => throw new InvalidOperationException("user u-secret");
    }

    [Fact]
    public void ValidateOnStart_ScopedSinkOrStore_RefusedWithTheFix()
    {
        // SecurityKit's services are singletons resolving these once: a scoped sink (an audit table through a DbContext)
        // would be one instance for every request (found in review).
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey());
        services.AddScoped<ISecurityEventSink, ScopedSink>();
        services.AddScoped<SecurityKit.Stores.Tokens.TokenVersionStore>(_ => throw new InvalidOperationException());
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>()
            .Where(e => e.Failures.Count() == 2)
            .WithMessage("*ISecurityEventSink is registered as scoped (ScopedSink)*Register it as a singleton*IServiceScopeFactory*")
            .And.Failures.Should().ContainMatch("TokenVersionStore is registered as scoped (a factory)*");

        var singletons = new ServiceCollection();
        singletons.AddSecurityKitCore(k => k.AddEphemeralRootKey());
        singletons.AddSingleton<ISecurityEventSink, ScopedSink>();
        singletons.AddKeyedScoped<ISecurityEventSink, ScopedSink>("other"); // keyed: not resolved by SecurityKit
        using var fine = singletons.BuildServiceProvider();
        fine.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void KeyRing_Ephemeral_LogsAWarningAtStartup()
    {
        var collector = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(collector)));
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).RequireKey(KeyPurposes.Fingerprint, "fingerprints");
        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            collector.GetSnapshot().Should().ContainSingle(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning && r.Message.Contains("ephemeral root key (ephemeral-", StringComparison.Ordinal));
        }

        var durable = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        var configured = new ServiceCollection();
        configured.AddLogging(b => b.AddProvider(new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(durable)));
        configured.AddSecurityKitCore(k => k.AddKey(KeyPurposes.Root, "k1", new byte[32])).RequireKey(KeyPurposes.Fingerprint, "fingerprints");
        using var ok = configured.BuildServiceProvider();
        ok.GetRequiredService<IStartupValidator>().Validate();
        durable.GetSnapshot().Should().NotContain(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public void Publisher_FailingSink_LoggedOnceAMinuteWithTypesOnly()
    {
        // A failing sink was dropped without a trace: a broken audit sink lost every event unnoticed (found in review).
        var time = new FakeTimeProvider();
        var collector = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging(b => b.AddProvider(new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(collector)));
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey());
        services.AddSingleton<ISecurityEventSink, ThrowingSink>();
        using var provider = services.BuildServiceProvider();
        var publisher = provider.GetRequiredService<SecurityEventPublisher>();

        for (var i = 0; i < 5; i++)
        {
            publisher.Publish("session.created", SecurityEventSeverity.Information, userId: "u-secret");
        }

        time.Advance(TimeSpan.FromMinutes(1));
        publisher.Publish("session.created", SecurityEventSeverity.Information, userId: "u-secret");

        var failures = collector.GetSnapshot().Where(r => r.Message.Contains("ThrowingSink", StringComparison.Ordinal)).ToList();
        failures.Should().HaveCount(2, "once, then again after a minute");
        failures.Should().OnlyContain(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning && r.Message.Contains("InvalidOperationException", StringComparison.Ordinal) && !r.Message.Contains("u-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void RequireKey_CustomRingWithoutTheKey_MessageNamesTheRing()
    {
        using var provider = new ServiceCollection().AddSecurityKitCore().UseKeyRing<EmptyRing>()
            .RequireKey(KeyPurposes.Fingerprint, "fingerprints")
            .Services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*EmptyRing (UseKeyRing) has none*TryGetActiveKey*fingerprint*");
    }

    [Fact]
    public void ValidateOnStart_ShortKey_FailsWithFixInstructions()
    {
        using var provider = new ServiceCollection()
            .AddSecurityKitCore(k => k.AddKey("root", "k1", new byte[16]))
            .Services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*at least 256 bits*openssl rand*");
    }

    [Fact]
    public void RequireKey_MissingKey_FailsStartupNamingFeature()
    {
        using var provider = new ServiceCollection().AddSecurityKitCore()
            .RequireKey(KeyPurposes.BackupCodes, "SecurityKit.Otp backup codes")
            .Services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*SecurityKit.Otp backup codes*otp-backup-codes*");

        using var ok = new ServiceCollection().AddSecurityKitCore(k => k.AddEphemeralRootKey())
            .RequireKey(KeyPurposes.BackupCodes, "SecurityKit.Otp backup codes")
            .Services.BuildServiceProvider();
        ok.GetRequiredService<IStartupValidator>().Validate();
    }

    [Theory]
    [InlineData("Token-Signing")]
    [InlineData("token signing")]
    [InlineData("token:signing")]
    public void RequireKey_InvalidPurpose_ThrowsAtRegistration(string purpose)
    {
        var builder = new ServiceCollection().AddSecurityKitCore();
        FluentActions.Invoking(() => builder.RequireKey(purpose, "a feature")).Should().Throw<ArgumentException>().WithMessage("*a-z, 0-9*");
    }

    private sealed class CustomRing : ISecretKeyRing
    {
        public bool TryGetActiveKey(string purpose, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SecretKey? key)
        {
            key = new SecretKey(purpose, "vault", new byte[32]);
            return true;
        }

        public bool TryGetKey(string purpose, string keyId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SecretKey? key) => TryGetActiveKey(purpose, out key);
    }

    [Fact]
    public void UseKeyRing_ReplacesDefault()
    {
        using var provider = new ServiceCollection().AddSecurityKitCore().UseKeyRing<CustomRing>().Services.BuildServiceProvider();
        var ring = provider.GetRequiredService<ISecretKeyRing>();
        ring.GetActiveKey("anything").KeyId.Should().Be("vault");
        ring.GetKeyIds("anything").Should().Equal(["vault"], "a ring that does not list its keys lists its active key");
    }
}
