namespace SecurityKit.Keys;

/// <summary>
/// Well-known key purposes. A key ring holds keys per purpose so that one leaked or rotated key
/// affects one use only.
/// </summary>
/// <remarks>
/// A purpose with no key of its own falls back to a key derived (HKDF-SHA256, RFC 5869) from the
/// active <see cref="Root"/> key, with the purpose as the HKDF info and the root key's id, so one
/// configured root key is enough for every feature.
/// </remarks>
public static class KeyPurposes
{
    /// <summary>The root key from which purposes without a key of their own are derived.</summary>
    public const string Root = "root";

    /// <summary>The password pepper (Argon2 secret input).</summary>
    public const string PasswordPepper = "password-pepper";

    /// <summary>The HMAC key for backup-code hashes.</summary>
    public const string BackupCodes = "otp-backup-codes";

    /// <summary>The AES-GCM key that protects OTP secrets at rest.</summary>
    public const string OtpSecretProtection = "otp-secret-protection";

    /// <summary>The HMAC key for device fingerprints.</summary>
    public const string Fingerprint = "fingerprint";

    /// <summary>The HMAC key for session-id hashes (refresh tokens are stored as plain SHA-256 of a 256-bit secret).</summary>
    public const string TokenHashing = "token-hashing";

    /// <summary>The HMAC key for rate-limit and lockout keys (so raw identifiers never reach a store).</summary>
    public const string RateLimitKeys = "rate-limit-keys";
}
