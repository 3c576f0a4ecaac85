using SecurityKit.Events;

namespace SecurityKit.Otp;

/// <summary>The steps TOTP and HOTP verification share: state checks before the code, the limiter, and the success tail.</summary>
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

    /// <summary>Records the attempt with the limiter (before the code is checked).</summary>
    /// <returns>The attempt, and the locked-out result when it may not proceed.</returns>
    internal static async ValueTask<(OtpAttempt Attempt, OtpVerificationResult? Refused)> BeginAttemptAsync(IOtpFailureLimiter limiter, SecurityEventPublisher events, string userId, CancellationToken cancellationToken)
    {
        var attempt = await limiter.BeginAttemptAsync(userId, cancellationToken).ConfigureAwait(false);
        if (attempt.Allowed)
        {
            return (attempt, null);
        }

        events.Publish(OtpEventNames.LockedOut, SecurityEventSeverity.Warning, userId: userId, reason: "locked_out");
        return (attempt, new OtpVerificationResult(OtpVerificationStatus.LockedOut, ConsecutiveFailures: attempt.PreviousFailures) { RetryAfter = attempt.RetryAfter });
    }

    /// <summary>The wrong-code result, with its event.</summary>
    internal static OtpVerificationResult Invalid(SecurityEventPublisher events, string userId, OtpAttempt attempt)
    {
        events.Publish(OtpEventNames.VerifyFailed, SecurityEventSeverity.Warning, userId: userId, reason: "invalid_code");
        return new OtpVerificationResult(OtpVerificationStatus.InvalidCode, ConsecutiveFailures: attempt.PreviousFailures);
    }

    /// <summary>The replayed-code result, with its event.</summary>
    internal static OtpVerificationResult Replayed(SecurityEventPublisher events, string userId, long matched, int drift, OtpAttempt attempt)
    {
        events.Publish(OtpEventNames.ReplayRejected, SecurityEventSeverity.Warning, userId: userId, reason: "replayed");
        return new OtpVerificationResult(OtpVerificationStatus.Replayed, matched, drift, attempt.PreviousFailures);
    }

    /// <summary>
    /// After an accepted code: forgives the failures, re-protects the secret when it is confirmed now or was protected
    /// under an old key, and publishes the confirmation or <paramref name="verifiedEvent"/>.
    /// </summary>
    internal static async ValueTask<OtpVerificationResult> SucceedAsync(
        IOtpFailureLimiter limiter,
        OtpSecretProtector protector,
        SecurityEventPublisher events,
        string userId,
        OtpCredential credential,
        bool confirming,
        DateTimeOffset now,
        string verifiedEvent,
        string reason,
        long matched,
        int drift,
        OtpAttempt attempt,
        CancellationToken cancellationToken)
    {
        await limiter.RecordSuccessAsync(userId, cancellationToken).ConfigureAwait(false);
        string? renewed = null;
        if (confirming)
        {
            renewed = protector.Protect(userId, OtpEnrollmentHelpers.WithState(credential, confirmed: true, now));
            events.Publish(OtpEventNames.EnrollmentConfirmed, SecurityEventSeverity.Information, userId: userId, reason: reason);
        }
        else
        {
            if (protector.IsStale(credential))
            {
                renewed = protector.Protect(userId, credential);
            }

            events.Publish(verifiedEvent, SecurityEventSeverity.Information, userId: userId, reason: reason);
        }

        return new OtpVerificationResult(OtpVerificationStatus.Success, matched, drift, attempt.PreviousFailures, renewed);
    }
}
