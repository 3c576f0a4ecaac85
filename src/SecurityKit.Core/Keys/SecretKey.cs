using System.Security.Cryptography;

namespace SecurityKit.Keys;

/// <summary>
/// One symmetric secret of a key ring: a purpose, a key id and at least 256 bits of key material.
/// </summary>
/// <remarks>
/// <para><b>Security:</b> the key material is never part of <see cref="ToString"/>, equality or any
/// exception message. Do not log <see cref="Material"/>.</para>
/// <para>Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class SecretKey
{
    /// <summary>The smallest accepted key size in bytes (256 bits).</summary>
    public const int MinimumSizeInBytes = 32;

    /// <summary>The largest accepted key size in bytes.</summary>
    public const int MaximumSizeInBytes = 1024;

    /// <summary>The largest accepted key id length.</summary>
    public const int MaximumKeyIdLength = 32;

    private readonly byte[] _material;

    /// <summary>Initializes a new key.</summary>
    /// <param name="purpose">The purpose, e.g. <see cref="KeyPurposes.PasswordPepper"/>.</param>
    /// <param name="keyId">The key id: 1–32 characters of <c>[A-Za-z0-9_-]</c>, recorded next to values protected with this key.</param>
    /// <param name="material">The key bytes, 32 to 1024 bytes; copied.</param>
    /// <exception cref="ArgumentException">An argument is not valid; the message says which rule failed.</exception>
    public SecretKey(string purpose, string keyId, ReadOnlySpan<byte> material)
        : this(purpose, keyId, material, isEphemeral: false)
    {
    }

    private SecretKey(string purpose, string keyId, ReadOnlySpan<byte> material, bool isEphemeral)
    {
        ValidatePurpose(purpose);
        ValidateKeyId(keyId);
        if (material.Length < MinimumSizeInBytes)
        {
            throw new ArgumentException($"Key '{keyId}' for purpose '{purpose}' is {material.Length * 8} bits; at least {MinimumSizeInBytes * 8} bits are required.", nameof(material));
        }

        if (material.Length > MaximumSizeInBytes)
        {
            throw new ArgumentException($"Key '{keyId}' for purpose '{purpose}' is longer than {MaximumSizeInBytes} bytes.", nameof(material));
        }

        Purpose = purpose;
        KeyId = keyId;
        IsEphemeral = isEphemeral;
        _material = material.ToArray();
    }

    /// <summary>A key made by <see cref="SecretKeyRingOptions.AddEphemeralRootKey"/>.</summary>
    internal static SecretKey Ephemeral(string purpose, string keyId, ReadOnlySpan<byte> material) => new(purpose, keyId, material, isEphemeral: true);

    /// <summary>Gets whether the key lives only as long as the process (made by
    /// <see cref="SecretKeyRingOptions.AddEphemeralRootKey"/>, or derived from such a key): whatever it protects is lost on
    /// restart and differs from instance to instance.</summary>
    public bool IsEphemeral { get; }

    /// <summary>Gets the purpose of the key.</summary>
    public string Purpose { get; }

    /// <summary>Gets the key id, safe to store and log.</summary>
    public string KeyId { get; }

    /// <summary>Gets the key material. <b>Security:</b> never log or persist it.</summary>
    public ReadOnlySpan<byte> Material => _material;

    /// <summary>Derives a sub-key for another purpose with HKDF-SHA256, keeping this key's id.</summary>
    /// <param name="purpose">The purpose of the derived key (the HKDF info).</param>
    /// <returns>A new 256-bit key.</returns>
    public SecretKey Derive(string purpose)
    {
        ValidatePurpose(purpose);
        Span<byte> derived = stackalloc byte[32];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, _material, derived, salt: "SecurityKit.KeyRing.v1"u8, info: System.Text.Encoding.UTF8.GetBytes(purpose));
            return new SecretKey(purpose, KeyId, derived, IsEphemeral);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    /// <summary>Returns the purpose and key id only, never the key material.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => IsEphemeral ? $"SecretKey(purpose={Purpose}, id={KeyId}, ephemeral)" : $"SecretKey(purpose={Purpose}, id={KeyId})";

    /// <summary>Checks that <paramref name="keyId"/> is a valid key id.</summary>
    /// <param name="keyId">The key id.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidKeyId(string? keyId)
    {
        if (string.IsNullOrEmpty(keyId) || keyId.Length > MaximumKeyIdLength)
        {
            return false;
        }

        foreach (var c in keyId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsValidPurpose(string? purpose)
    {
        if (string.IsNullOrEmpty(purpose) || purpose.Length > 64)
        {
            return false;
        }

        foreach (var c in purpose)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-' || c == '.' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidatePurpose(string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        if (!IsValidPurpose(purpose))
        {
            // The value is not echoed: a purpose and a key value swapped in a custom key ring would put the key into the
            // message (found in review; the options validator says "(invalid)" for the same reason).
            throw new ArgumentException("Key purpose is not valid: use 1–64 characters of [a-z0-9._-].", nameof(purpose));
        }
    }

    private static void ValidateKeyId(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (!IsValidKeyId(keyId))
        {
            throw new ArgumentException("Key id is not valid: use 1–32 characters of [A-Za-z0-9_-].", nameof(keyId));
        }
    }
}
