using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Otp.Stores;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp.Tests;

public sealed class DependencyInjectionTests
{
    private static ServiceProvider Build(Action<ISecurityKitBuilder> configure, bool withKey = true)
    {
        var services = new ServiceCollection();
        var builder = services.AddSecurityKitCore();
        if (withKey)
        {
            builder.ConfigureKeys(k => k.AddKey("root", "k1", OtpTestContext.RootKey1));
        }

        configure(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task AddTotpAndBackupCodes_ResolveAndRunTheFlow()
    {
        using var provider = Build(b => b.AddTotp(o => o.Issuer = "Acme").AddBackupCodes(o => o.Count = 5));
        provider.GetRequiredService<IStartupValidator>().Validate();
        var totp = provider.GetRequiredService<TotpService>();
        totp.Options.Issuer.Should().Be("Acme");
        var enrollment = totp.BeginEnrollment("u", "a@b.c");
        var confirm = await totp.ConfirmEnrollmentAsync("u", enrollment.ProtectedSecret, Totp.ComputeCode(OtpTestContext.SecretOf(enrollment), TimeProvider.System.GetUtcNow()));
        confirm.Succeeded.Should().BeTrue();
        (await provider.GetRequiredService<BackupCodeService>().GenerateAsync("u")).Codes.Should().HaveCount(5);
        provider.GetRequiredService<HotpService>().Should().NotBeNull();
        provider.GetRequiredService<IOtpStateStore>().Should().BeOfType<InMemoryOtpStateStore>();
        provider.GetRequiredService<IBackupCodeStore>().Should().BeOfType<InMemoryBackupCodeStore>();
        provider.GetRequiredService<IOtpFailureLimiter>().Should().BeOfType<StoreOtpFailureLimiter>();
    }

    [Fact]
    public void AddTotp_Twice_RegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddTotp().AddBackupCodes();
        var count = services.Count;
        services.AddSecurityKitCore().AddTotp().AddBackupCodes().ConfigureOtpLockout(o => o.MaxConsecutiveFailures = 5);
        services.Count.Should().Be(count + 2, "only the configure action (and the marker that it was configured) is added");
        services.Count(d => d.ServiceType == typeof(TotpService)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IOtpStateStore)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(BackupCodeService)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<TotpOptions>)).Should().Be(1);
    }

    [Fact]
    public void AddTotp_NoKey_StartupFailsNamingThePurpose()
    {
        using var provider = Build(b => b.AddTotp().AddBackupCodes(), withKey: false);
        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*otp-secret-protection*");
    }

    [Fact]
    public void AddTotp_InvalidOptions_StartupFailsWithWhatToSet()
    {
        using var provider = Build(b => b.AddTotp(o => o.AllowedStepsBehind = 9).ConfigureOtpLockout(o => o.MaxConsecutiveFailures = 1000));
        var act = FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate());
        act.Should().Throw<AggregateException>().Which.ToString().Should().Contain("AllowedStepsBehind").And.Contain("MaxConsecutiveFailures");
    }

    [Fact]
    public void AddBackupCodes_InvalidOptions_StartupFails()
    {
        using var provider = Build(b => b.AddBackupCodes(o => o.Length = 6));
        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*BackupCodeOptions.Length*");
    }

    [Fact]
    public void CustomStoreRegisteredFirst_IsKept()
    {
        var services = new ServiceCollection();
        var custom = new InMemoryOtpStateStore(TimeProvider.System, 10);
        services.AddSingleton<IOtpStateStore>(custom);
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddKey("root", "k1", OtpTestContext.RootKey1)).AddTotp();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IOtpStateStore>().Should().BeSameAs(custom);
    }
}
