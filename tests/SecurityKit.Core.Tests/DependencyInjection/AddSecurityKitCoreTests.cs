using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
