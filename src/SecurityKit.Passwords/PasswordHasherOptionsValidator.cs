using Microsoft.Extensions.Options;
using SecurityKit.Keys;

namespace SecurityKit.Passwords;

/// <summary>Validates <see cref="PasswordHasherOptions"/>; every message says what to set.</summary>
/// <remarks>This type is thread-safe.</remarks>
public sealed class PasswordHasherOptionsValidator : IValidateOptions<PasswordHasherOptions>
{
    private readonly ISecretKeyRing? _keyRing;

    /// <summary>Initializes a validator.</summary>
    /// <param name="keyRing">The key ring, to check that a pepper key exists when <see cref="PasswordHasherOptions.UsePepper"/> is set.</param>
    public PasswordHasherOptionsValidator(ISecretKeyRing? keyRing = null) => _keyRing = keyRing;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, PasswordHasherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = GetErrors(options, _keyRing);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static List<string> GetErrors(PasswordHasherOptions o, ISecretKeyRing? keyRing)
    {
        const string Prefix = "SecurityKit.Passwords: ";
        var errors = new List<string>();
        if (!SecurityKit.Primitives.UnicodeNormalization.IsAvailable)
        {
            errors.Add(Prefix + SecurityKit.Primitives.UnicodeNormalization.MissingMessage);
        }

        if (!Enum.IsDefined(o.Algorithm))
        {
            errors.Add(Prefix + "set PasswordHasherOptions.Algorithm to Argon2id or BCrypt.");
        }

        if (o.Argon2Parallelism is < 1 or > 16)
        {
            errors.Add(Prefix + $"Argon2Parallelism is {o.Argon2Parallelism}; set 1 to 16 (1 is OWASP's recommendation).");
        }

        if (o.Argon2Iterations is < 1 or > Argon2.Argon2idPhc.MaxIterations)
        {
            errors.Add(Prefix + $"Argon2Iterations is {o.Argon2Iterations}; set 1 to {Argon2.Argon2idPhc.MaxIterations}.");
        }

        if (o.Argon2MemoryKiB < 8 * Math.Max(1, o.Argon2Parallelism) || o.Argon2MemoryKiB > 4194304)
        {
            errors.Add(Prefix + $"Argon2MemoryKiB is {o.Argon2MemoryKiB}; set 8 × Argon2Parallelism to 4194304 KiB (19456 is OWASP's minimum with t = 2).");
        }

        if (!o.AllowWeakParameters && !MeetsOwaspFloor(o.Argon2MemoryKiB, o.Argon2Iterations))
        {
            errors.Add(Prefix + $"Argon2id m={o.Argon2MemoryKiB} KiB, t={o.Argon2Iterations} is below OWASP's floor; set Argon2MemoryKiB/Argon2Iterations to at least one of " +
                "(47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5), e.g. Argon2MemoryKiB = 19456 and Argon2Iterations = 2.");
        }

        if (o.Argon2SaltLength is < 16 or > Argon2.Argon2idPhc.MaxSaltLength)
        {
            errors.Add(Prefix + $"Argon2SaltLength is {o.Argon2SaltLength}; set 16 to {Argon2.Argon2idPhc.MaxSaltLength} bytes.");
        }

        if (o.Argon2HashLength is < 16 or > Argon2.Argon2idPhc.MaxHashLength)
        {
            errors.Add(Prefix + $"Argon2HashLength is {o.Argon2HashLength}; set 16 to {Argon2.Argon2idPhc.MaxHashLength} bytes (32 recommended).");
        }

        var bcryptFloor = o.AllowWeakParameters ? 4 : PasswordHasherOptions.OwaspBCryptFloor;
        if (o.BCryptWorkFactor < bcryptFloor || o.BCryptWorkFactor > 31)
        {
            errors.Add(Prefix + $"BCryptWorkFactor is {o.BCryptWorkFactor}; set {bcryptFloor} to 31 (OWASP's minimum is 10; 12 is the default).");
        }

        if (o.MaxPasswordBytes is < 256 or > 65536)
        {
            // NIST SP 800-63B asks for at least 64 characters, and a character is up to 4 UTF-8 bytes: a floor of 64 bytes
            // let a 64-character Cyrillic password (128 bytes) be refused (found in review).
            errors.Add(Prefix + $"MaxPasswordBytes is {o.MaxPasswordBytes}; set 256 to 65536 UTF-8 bytes (NIST SP 800-63B asks for at least 64 characters, up to 4 bytes each).");
        }

        if (o.MaxVerificationMemoryKiB < o.Argon2MemoryKiB || o.MaxVerificationMemoryKiB > 4194304)
        {
            errors.Add(Prefix + $"MaxVerificationMemoryKiB is {o.MaxVerificationMemoryKiB}; set it between Argon2MemoryKiB ({o.Argon2MemoryKiB}) and 4194304.");
        }

        if (o.MaxVerificationIterations < o.Argon2Iterations || o.MaxVerificationIterations > Argon2.Argon2idPhc.MaxIterations)
        {
            errors.Add(Prefix + $"MaxVerificationIterations is {o.MaxVerificationIterations}; set it between Argon2Iterations ({o.Argon2Iterations}) and {Argon2.Argon2idPhc.MaxIterations}.");
        }

        if (o.MaxVerificationBCryptWorkFactor < o.BCryptWorkFactor || o.MaxVerificationBCryptWorkFactor > 31)
        {
            errors.Add(Prefix + $"MaxVerificationBCryptWorkFactor is {o.MaxVerificationBCryptWorkFactor}; set it between BCryptWorkFactor ({o.BCryptWorkFactor}) and 31.");
        }

        if (o.MaxVerificationPbkdf2Iterations is < 100_000 or > 100_000_000)
        {
            errors.Add(Prefix + $"MaxVerificationPbkdf2Iterations is {o.MaxVerificationPbkdf2Iterations}; set 100000 to 100000000.");
        }

        if (o.MaxConcurrentHashes is < 1 or > 1024)
        {
            errors.Add(Prefix + $"MaxConcurrentHashes is {o.MaxConcurrentHashes}; set 1 to 1024 (default: the processor count).");
        }

        if (o.MaxQueuedHashes is < 0 or > 100_000)
        {
            errors.Add(Prefix + $"MaxQueuedHashes is {o.MaxQueuedHashes}; set 0 to 100000.");
        }

        if (o.UsePepper && o.Algorithm == PasswordHashAlgorithm.BCrypt)
        {
            errors.Add(Prefix + "UsePepper needs Algorithm = Argon2id (the pepper is the Argon2 secret input; BCrypt has none). Set Algorithm = Argon2id or UsePepper = false.");
        }

        if (o.UsePepper && keyRing is not null && keyRing.TryGetActiveKey(KeyPurposes.PasswordPepper, out var pepper) && pepper.IsEphemeral)
        {
            // The pepper would be a new random key after every restart and on every instance: no stored hash would verify
            // again, and every user would see "wrong password" (found in review).
            errors.Add(Prefix + $"UsePepper is set but the '{KeyPurposes.PasswordPepper}' key comes from AddEphemeralRootKey(), which changes on every restart, " +
                "so no peppered hash would verify again. Configure a durable key (builder.ConfigureKeys(k => k.AddKey(\"password-pepper\", \"p1\", key)) " +
                "from secret storage) or set UsePepper = false.");
        }

        if (o.UsePepper && keyRing is not null && !keyRing.TryGetActiveKey(KeyPurposes.PasswordPepper, out _))
        {
            errors.Add(Prefix + $"UsePepper is set but the key ring has no key for purpose '{KeyPurposes.PasswordPepper}' (nor a root key). " +
                "Configure one with builder.ConfigureKeys(k => k.AddKey(\"password-pepper\", \"p1\", key)) from durable secret storage, or set UsePepper = false.");
        }

        if (o.RequirePepperedHashes && !o.UsePepper)
        {
            errors.Add(Prefix + "RequirePepperedHashes needs UsePepper = true (it refuses every hash without a pepper). Set UsePepper = true or RequirePepperedHashes = false.");
        }

        if (o.UsePepper && keyRing is null)
        {
            errors.Add(Prefix + "UsePepper is set but no key ring was given; pass an ISecretKeyRing (e.g. SecretKeyRing.FromRootKey) or set UsePepper = false.");
        }

        return errors;
    }

    internal static bool MeetsOwaspFloor(int memoryKiB, int iterations)
    {
        foreach (var (m, t) in PasswordHasherOptions.OwaspArgon2idFloors)
        {
            if (memoryKiB >= m && iterations >= t)
            {
                return true;
            }
        }

        return false;
    }
}
