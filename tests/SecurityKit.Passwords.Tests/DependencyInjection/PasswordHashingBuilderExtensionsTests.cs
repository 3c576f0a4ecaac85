using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Keys;
using SecurityKit.Passwords.DangerZone;

namespace SecurityKit.Passwords.Tests.DependencyInjection;

public class PasswordHashingBuilderExtensionsTests
{
    private static void Cheap(PasswordHasherOptions o)
    {
        o.AllowWeakParameters();
        o.Argon2MemoryKiB = 256;
        o.Argon2Iterations = 1;
    }

    [Fact]
    public void AddPasswordHashing_Resolves_SingletonThatHashes()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddPasswordHashing(Cheap);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();

        var hasher = provider.GetRequiredService<IPasswordHasher>();
        hasher.Should().BeSameAs(provider.GetRequiredService<PasswordHasher>());
        hasher.Verify("password", hasher.Hash("password")).Should().Be(PasswordVerificationResult.Success);
    }

    [Fact]
    public void AddPasswordHashing_Twice_RegistersOnceAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        var builder = services.AddSecurityKitCore();
        builder.AddPasswordHashing(Cheap).AddPasswordHashing(o => o.Argon2Iterations = 2);

        services.Count(d => d.ServiceType == typeof(IPasswordHasher)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(PasswordHasher)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<PasswordHasherOptions>)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IPasswordHasher>().Hash("password").Should().Contain("t=2,");
    }

    [Fact]
    public void AddPasswordHashing_BelowFloor_StartupFailsSayingWhatToSet()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddPasswordHashing(o => o.Argon2MemoryKiB = 1024);
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*Argon2MemoryKiB*19456*");
    }

    [Fact]
    public void AddPasswordHashing_PepperWithoutKey_StartupFails()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddPasswordHashing(o => { Cheap(o); o.UsePepper = true; });
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*password-pepper*");
    }

    [Fact]
    public void AddPasswordHashing_PepperFromAnEphemeralKey_StartupFails()
    {
        // The pepper would change on every restart: no stored hash would verify again (found in review).
        var services = new ServiceCollection();
        services.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey()).AddPasswordHashing(o => { Cheap(o); o.UsePepper = true; });
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        act.Should().Throw<OptionsValidationException>().WithMessage("*UsePepper*AddEphemeralRootKey()*restart*");

        var unpeppered = new ServiceCollection();
        unpeppered.AddSecurityKitCore().ConfigureKeys(k => k.AddEphemeralRootKey()).AddPasswordHashing(Cheap);
        using var fine = unpeppered.BuildServiceProvider();
        fine.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void AddPasswordHashing_PepperFromKeyRing_RecordsKeyId()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore()
            .ConfigureKeys(k => k.AddKey(KeyPurposes.PasswordPepper, "pep1", TestHashers.Key(3)))
            .AddPasswordHashing(o => { Cheap(o); o.UsePepper = true; });
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var hasher = provider.GetRequiredService<IPasswordHasher>();
        var hash = hasher.Hash("password");
        hash.Should().Contain(",keyid=cGVwMQ$");
        hasher.Verify("password", hash).Should().Be(PasswordVerificationResult.Success);
    }

    [Theory]
    [InlineData(nameof(PasswordHasherOptions.Argon2Parallelism), 0)]
    [InlineData(nameof(PasswordHasherOptions.Argon2SaltLength), 8)]
    [InlineData(nameof(PasswordHasherOptions.Argon2HashLength), 8)]
    [InlineData(nameof(PasswordHasherOptions.BCryptWorkFactor), 9)]
    [InlineData(nameof(PasswordHasherOptions.MaxPasswordBytes), 10)]
    [InlineData(nameof(PasswordHasherOptions.MaxVerificationMemoryKiB), 1000)]
    [InlineData(nameof(PasswordHasherOptions.MaxVerificationIterations), 1)]
    [InlineData(nameof(PasswordHasherOptions.MaxVerificationBCryptWorkFactor), 11)]
    [InlineData(nameof(PasswordHasherOptions.MaxVerificationPbkdf2Iterations), 10)]
    [InlineData(nameof(PasswordHasherOptions.MaxConcurrentHashes), 0)]
    [InlineData(nameof(PasswordHasherOptions.MaxQueuedHashes), -1)]
    public void Validator_OutOfRange_NamesTheProperty(string property, int value)
    {
        var options = new PasswordHasherOptions();
        typeof(PasswordHasherOptions).GetProperty(property)!.SetValue(options, value);
        var result = new PasswordHasherOptionsValidator().Validate(null, options);
        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain(property);
    }

    [Theory]
    [InlineData(nameof(PasswordHasherOptions.Argon2Parallelism), 16, 17)]
    [InlineData(nameof(PasswordHasherOptions.Argon2SaltLength), 64, 65)]
    [InlineData(nameof(PasswordHasherOptions.Argon2HashLength), 64, 65)]
    [InlineData(nameof(PasswordHasherOptions.MaxPasswordBytes), 65536, 65537)]
    [InlineData(nameof(PasswordHasherOptions.MaxVerificationMemoryKiB), 4194304, 4194305)]
    [InlineData(nameof(PasswordHasherOptions.MaxVerificationIterations), 64, 65)]
    [InlineData(nameof(PasswordHasherOptions.MaxVerificationBCryptWorkFactor), 31, 32)]
    [InlineData(nameof(PasswordHasherOptions.MaxVerificationPbkdf2Iterations), 100_000_000, 100_000_001)]
    [InlineData(nameof(PasswordHasherOptions.MaxConcurrentHashes), 1024, 1025)]
    [InlineData(nameof(PasswordHasherOptions.MaxQueuedHashes), 100_000, 100_001)]
    [InlineData(nameof(PasswordHasherOptions.MaxPasswordBytes), 256, 255)]
    [InlineData(nameof(PasswordHasherOptions.BCryptWorkFactor), 10, 9)]
    public void Validator_AtTheBound_Accepted_OnePast_RefusedNamingTheProperty(string property, int bound, int past)
    {
        var options = new PasswordHasherOptions();
        var setter = typeof(PasswordHasherOptions).GetProperty(property)!;

        setter.SetValue(options, bound);
        var accepted = new PasswordHasherOptionsValidator().Validate(null, options);
        accepted.Succeeded.Should().BeTrue(accepted.FailureMessage);

        setter.SetValue(options, past);
        var refused = new PasswordHasherOptionsValidator().Validate(null, options);
        refused.Failed.Should().BeTrue();
        refused.FailureMessage.Should().Contain(property);
    }

    [Theory]
    [InlineData(47104, 1, true)]
    [InlineData(47103, 1, false)]
    [InlineData(19456, 2, true)]
    [InlineData(19455, 2, false)]
    [InlineData(12288, 3, true)]
    [InlineData(12287, 3, false)]
    [InlineData(9216, 4, true)]
    [InlineData(9215, 4, false)]
    [InlineData(7168, 5, true)]
    [InlineData(7167, 5, false)]
    public void Validator_OwaspArgon2Floor_ExactAtEachPair(int memoryKiB, int iterations, bool accepted)
    {
        var options = new PasswordHasherOptions { Argon2MemoryKiB = memoryKiB, Argon2Iterations = iterations };

        var result = new PasswordHasherOptionsValidator().Validate(null, options);

        result.Succeeded.Should().Be(accepted, result.FailureMessage);
        if (!accepted)
        {
            result.FailureMessage.Should().Contain("below OWASP's floor");
        }
    }

    [Fact]
    public void Validator_Defaults_Succeed()
    {
        new PasswordHasherOptionsValidator().Validate(null, new PasswordHasherOptions()).Succeeded.Should().BeTrue();
    }
}
