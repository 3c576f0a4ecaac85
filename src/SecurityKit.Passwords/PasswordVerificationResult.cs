namespace SecurityKit.Passwords;

/// <summary>The outcome of <see cref="IPasswordHasher.Verify"/>.</summary>
/// <remarks>
/// <b>Security:</b> the zero value is <see cref="Failed"/>, so a default or uninitialised result never
/// signs anybody in. Treat every value other than <see cref="Success"/> and
/// <see cref="SuccessRehashNeeded"/> as a failure.
/// </remarks>
public enum PasswordVerificationResult
{
    /// <summary>The password does not match, or the stored hash is malformed, unsupported or above the verification limits.</summary>
    Failed = 0,

    /// <summary>The password matches and the stored hash meets the current policy.</summary>
    Success = 1,

    /// <summary>The password matches, but the stored hash is below the current policy (algorithm, cost, pepper key): store <see cref="IPasswordHasher.Hash"/> of the password now.
    /// Never returned when <see cref="IPasswordHasher.Hash"/> could not store this password (BCrypt configured and the
    /// normalised password over 72 bytes): that is <see cref="Success"/>.</summary>
    SuccessRehashNeeded = 2,
}

/// <summary>The algorithm <see cref="PasswordHasher"/> uses for new hashes.</summary>
public enum PasswordHashAlgorithm
{
    /// <summary>Argon2id (RFC 9106) in a PHC string: memory-hard, the recommended choice.</summary>
    Argon2id = 0,

    /// <summary>BCrypt (<c>$2b$</c>), for systems that must stay BCrypt; passwords are limited to 72 UTF-8 bytes and no pepper.</summary>
    BCrypt = 1,
}
