using SecurityKit.Events;

namespace SecurityKit.Otp;

/// <summary>The state checks TOTP and HOTP verification share before looking at the code.</summary>
internal static class OtpCredentialState
{
    /// <summary>Refuses a credential of the wrong kind, an unconfirmed one at sign-in, a second confirmation, or an expired enrollment.</summary>
    /// <returns>The refusal, or <see langword="null"/> when the code may be checked.</returns>
    internal static OtpVerificationResult? Check(OtpCredential credential, OtpKind kind, bool confirming, DateTimeOffset now, TimeSpan enrollmentLifetime, SecurityEventPublisher events, string userId)
    {
        if (credential.Kind != kind || (!confirming && !credential.Confirmed))
        {
            return new OtpVerificationResult(OtpVerificationStatus.NotConfirmed);
        }

        if (confirming && credential.Confirmed)
        {
            return new OtpVerificationResult(OtpVerificationStatus.AlreadyConfirmed);
        }

        if (confirming && now >= credential.CreatedAt + enrollmentLifetime)
        {
            events.Publish(OtpEventNames.EnrollmentExpired, SecurityEventSeverity.Information, userId: userId, reason: "enrollment_expired");
            return new OtpVerificationResult(OtpVerificationStatus.EnrollmentExpired);
        }

        return null;
    }
}
