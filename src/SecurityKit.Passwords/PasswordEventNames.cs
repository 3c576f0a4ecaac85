namespace SecurityKit.Passwords;

/// <summary>The stable names of the security events SecurityKit.Passwords publishes.</summary>
/// <remarks>Events never carry the password or the stored hash. This type is thread-safe.</remarks>
public static class PasswordEventNames
{
    /// <summary>A password verified against a hash below the current policy (Information); the caller should store a new hash. Reason: <see cref="PasswordReasonCodes"/>.</summary>
    public const string RehashNeeded = "password.rehash_needed";

    /// <summary>A stored hash could not be read or is outside the verification limits (Warning); verification failed.</summary>
    public const string MalformedHash = "password.malformed_hash";

    /// <summary>A stored hash names a pepper key id the key ring does not hold (Warning); verification failed.</summary>
    public const string UnknownPepperKey = "password.unknown_pepper_key";

    /// <summary>A stored hash carries no pepper while <see cref="PasswordHasherOptions.RequirePepperedHashes"/> is set (Warning); verification failed.</summary>
    public const string UnpepperedHashRefused = "password.unpeppered_hash_refused";

    /// <summary>The concurrency gate's queue was full and a hash was refused (Warning).</summary>
    public const string GateRejected = "password.gate_rejected";

    /// <summary>A password was refused before hashing: empty, too long, or not valid Unicode (Information).</summary>
    public const string PasswordRejected = "password.password_rejected";
}

/// <summary>Stable reason codes carried by SecurityKit.Passwords events (<c>SecurityEvent.Reason</c>).</summary>
public static class PasswordReasonCodes
{
    /// <summary>The stored hash does not parse (bad prefix, base64, field, length).</summary>
    public const string MalformedHash = "malformed_hash";

    /// <summary>The stored hash carries no pepper and <see cref="PasswordHasherOptions.RequirePepperedHashes"/> is set.</summary>
    public const string UnpepperedHash = "unpeppered_hash";

    /// <summary>The stored hash uses an unsupported format or variant (<c>$2x$</c>, <c>$argon2i$</c>, unknown prefix).</summary>
    public const string UnsupportedAlgorithm = "unsupported_algorithm";

    /// <summary>The Argon2 version is missing or not 19.</summary>
    public const string UnsupportedVersion = "unsupported_version";

    /// <summary>A cost in the stored hash (memory, passes, BCrypt cost, PBKDF2 iterations) is above the verification limit.</summary>
    public const string CostAboveLimit = "cost_above_limit";

    /// <summary>The pepper key id recorded in the hash is not in the key ring.</summary>
    public const string UnknownPepperKey = "unknown_pepper_key";

    /// <summary>The password is empty.</summary>
    public const string PasswordEmpty = "password_empty";

    /// <summary>The password is longer than the configured byte limit (or 72 bytes for BCrypt).</summary>
    public const string PasswordTooLong = "password_too_long";

    /// <summary>The password is not valid UTF-16 (a lone surrogate) or contains U+0000.</summary>
    public const string PasswordInvalidUnicode = "password_invalid_unicode";

    /// <summary>Rehash: the hash uses another algorithm than the configured one.</summary>
    public const string AlgorithmChanged = "algorithm_changed";

    /// <summary>Rehash: a cost parameter is below the policy.</summary>
    public const string CostBelowPolicy = "cost_below_policy";

    /// <summary>Rehash: the pepper key id differs from the active one (or pepper was enabled or disabled).</summary>
    public const string PepperKeyChanged = "pepper_key_changed";

    /// <summary>Rehash: the password matched only in its raw (not normalised) form.</summary>
    public const string NotNormalized = "not_normalized";

    /// <summary>Gate: the queue of waiting hashes was full.</summary>
    public const string QueueFull = "queue_full";
}
