namespace SecurityKit.Otp;

/// <summary>The outcome of an OTP verification or enrollment confirmation. The zero value is a failure.</summary>
public enum OtpVerificationStatus
{
    /// <summary>The code did not match (counted as a failure).</summary>
    InvalidCode = 0,

    /// <summary>The code matched and was accepted.</summary>
    Success = 1,

    /// <summary>The code matched a time step or counter that was already accepted (RFC 6238 §5.2).</summary>
    Replayed = 2,

    /// <summary>The user reached the consecutive-failure limit; the code was not checked.</summary>
    LockedOut = 3,

    /// <summary>The input was not a code: null, not digits, wrong length or too long. Not counted as a guess.</summary>
    MalformedCode = 4,

    /// <summary>The protected secret could not be read: corrupt, tampered, another user's, or its key is no longer in the key ring.</summary>
    InvalidSecret = 5,

    /// <summary>The protected secret is a pending enrollment that was never confirmed, or of the wrong kind.</summary>
    NotConfirmed = 6,

    /// <summary>The enrollment was not confirmed within its lifetime; start a new one.</summary>
    EnrollmentExpired = 7,

    /// <summary>The enrollment being confirmed is already confirmed.</summary>
    AlreadyConfirmed = 8,

    /// <summary>HOTP only: the store has no counter for this confirmed credential (every confirmation records one), so
    /// its state was lost (a Redis restart without persistence, a failover, eviction, or an in-memory store after a
    /// restart). Refused without checking the code: starting again at counter 0 would accept every code the device ever
    /// showed. The user must enroll again.</summary>
    CounterLost = 9,
}

/// <summary>The result of verifying a one-time password or confirming an enrollment.</summary>
/// <param name="Status">What happened.</param>
/// <param name="MatchedValue">The time step (TOTP) or counter (HOTP) that matched, if any.</param>
/// <param name="Drift">For TOTP, matched step minus current step (−1 = the previous step); for HOTP, matched counter minus expected counter.</param>
/// <param name="ConsecutiveFailures">The user's consecutive failures before this attempt, as the limiter counted them.</param>
/// <param name="ProtectedSecret">
/// When not <see langword="null"/>, persist this string in place of the one passed in: the confirmed secret
/// after a confirmation, or the secret re-protected under the active key after a key rotation.
/// </param>
/// <remarks><b>Security:</b> show users one generic message for every failure status; the status is for logs and flow control.</remarks>
public readonly record struct OtpVerificationResult(OtpVerificationStatus Status, long? MatchedValue = null, int Drift = 0, int ConsecutiveFailures = 0, string? ProtectedSecret = null)
{
    /// <summary>Gets, for <see cref="OtpVerificationStatus.LockedOut"/>, how long until the limiter accepts the next attempt when it knows (zero otherwise).</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary>Gets whether the code was accepted.</summary>
    public bool Succeeded => Status == OtpVerificationStatus.Success;

    /// <summary>Gets the stable reason code, e.g. <c>replayed</c>.</summary>
    public string ReasonCode => Reason(Status);

    internal static string Reason(OtpVerificationStatus status) => status switch
    {
        OtpVerificationStatus.Success => "success",
        OtpVerificationStatus.Replayed => "replayed",
        OtpVerificationStatus.LockedOut => "locked_out",
        OtpVerificationStatus.MalformedCode => "malformed_code",
        OtpVerificationStatus.InvalidSecret => "invalid_secret",
        OtpVerificationStatus.NotConfirmed => "not_confirmed",
        OtpVerificationStatus.EnrollmentExpired => "enrollment_expired",
        OtpVerificationStatus.AlreadyConfirmed => "already_confirmed",
        OtpVerificationStatus.CounterLost => "counter_lost",
        _ => "invalid_code",
    };

    /// <summary>Describes the result without secrets.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"OtpVerificationResult({ReasonCode}, matched={MatchedValue}, drift={Drift}, failures={ConsecutiveFailures})";
}

/// <summary>A started enrollment: what to show the user once, and the pending protected secret to keep until confirmation.</summary>
/// <remarks>
/// <para><b>Security:</b> <see cref="KeyUri"/> and <see cref="ManualEntryKey"/> contain the raw secret. Show them
/// once to the authenticated user; never log or cache them. Persist only <see cref="ProtectedSecret"/>.
/// <see cref="ToString"/> leaves the secret out.</para>
/// </remarks>
public sealed class OtpEnrollment
{
    /// <summary>Gets the pending protected secret: persist it (e.g. on the user) until the user confirms.</summary>
    public required string ProtectedSecret { get; init; }

    /// <summary>Gets the <c>otpauth://</c> URI to show as a QR code. <b>Security:</b> contains the secret.</summary>
    public required string KeyUri { get; init; }

    /// <summary>Gets the secret in base32, grouped by four, for typing into an app. <b>Security:</b> it is the secret.</summary>
    public required string ManualEntryKey { get; init; }

    /// <summary>Gets when the enrollment stops being confirmable.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Describes the enrollment without its secret.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"OtpEnrollment(expires={ExpiresAt:O})";
}
