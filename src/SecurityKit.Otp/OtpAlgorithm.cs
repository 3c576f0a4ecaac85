namespace SecurityKit.Otp;

/// <summary>The HMAC hash function of an HOTP/TOTP credential (RFC 6238 §1.2).</summary>
/// <remarks>
/// SHA-1 is the default because every authenticator app supports it; HMAC-SHA-1 is not affected by the
/// collision attacks on SHA-1 (RFC 4226 Appendix A.1). Google Authenticator ignores the
/// <c>algorithm</c> parameter on some platforms, so choose SHA-256/512 only when the users' apps honour it.
/// </remarks>
public enum OtpAlgorithm
{
    /// <summary>HMAC-SHA-1 (20-byte MAC, 20-byte secret by default). The default.</summary>
    Sha1 = 0,

    /// <summary>HMAC-SHA-256 (32-byte MAC, 32-byte secret by default).</summary>
    Sha256 = 1,

    /// <summary>HMAC-SHA-512 (64-byte MAC, 64-byte secret by default).</summary>
    Sha512 = 2,
}
