namespace SecurityKit.Otp;

/// <summary>The stable names of the security events SecurityKit.Otp publishes. Events never carry a secret or a code.</summary>
public static class OtpEventNames
{
    /// <summary>An enrollment was started (a pending secret was created).</summary>
    public const string EnrollmentStarted = "otp.enrollment_started";

    /// <summary>An enrollment was confirmed with a valid code.</summary>
    public const string EnrollmentConfirmed = "otp.enrollment_confirmed";

    /// <summary>A confirmation came after the enrollment expired.</summary>
    public const string EnrollmentExpired = "otp.enrollment_expired";

    /// <summary>A one-time password was accepted.</summary>
    public const string Verified = "otp.verified";

    /// <summary>A one-time password did not match.</summary>
    public const string VerifyFailed = "otp.verify_failed";

    /// <summary>A valid code for an already accepted time step or counter was presented again.</summary>
    public const string ReplayRejected = "otp.replay_rejected";

    /// <summary>A verification was refused because the user reached the consecutive-failure limit.</summary>
    public const string LockedOut = "otp.locked_out";

    /// <summary>A protected secret could not be read (corrupt, tampered, another user's, or an unknown key id).</summary>
    public const string SecretInvalid = "otp.secret_invalid";

    /// <summary>An HOTP verification was refused because the store no longer has the credential's counter (state lost;
    /// the user must enroll again).</summary>
    public const string HotpCounterLost = "otp.hotp_counter_lost";

    /// <summary>An HOTP counter was resynchronised with two consecutive codes.</summary>
    public const string HotpResynchronized = "otp.hotp_resynchronized";

    /// <summary>A new set of backup codes was generated (every older code stopped working).</summary>
    public const string BackupCodesGenerated = "otp.backup_codes_generated";

    /// <summary>A backup code was used (and consumed).</summary>
    public const string BackupCodeUsed = "otp.backup_code_used";

    /// <summary>A backup code was not accepted.</summary>
    public const string BackupCodeRejected = "otp.backup_code_rejected";

    /// <summary>A user's backup codes were deleted.</summary>
    public const string BackupCodesRevoked = "otp.backup_codes_revoked";
}
