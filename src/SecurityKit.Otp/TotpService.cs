using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Otp.Stores;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp;

/// <summary>
/// TOTP (RFC 6238) enrollment and verification with a replay guard, failure limits and secrets protected at rest.
/// </summary>
/// <remarks>
/// <para>Flow: <see cref="BeginEnrollment"/> returns a pending protected secret and an <c>otpauth://</c> URI;
/// <see cref="ConfirmEnrollmentAsync"/> checks a first code and returns the confirmed protected secret the
/// host persists; <see cref="VerifyAsync"/> checks sign-in codes against it.</para>
/// <para><b>Security:</b> a time step accepted once for a user is never accepted again (the store's atomic
/// "greater than the last accepted" rule), also under concurrency. Attempts are counted by the
/// <see cref="IOtpFailureLimiter"/> before the code is checked. Protected secrets are bound to the user id:
/// pass the same id to every call. Never log codes, URIs or <see cref="OtpEnrollment.ManualEntryKey"/>.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class TotpService
{
    /// <summary>The widest AllowedStepsBehind or AllowedStepsAhead any instance may be configured with (validated).</summary>
    internal const int MaxWindowSteps = 5;

    private readonly TotpOptions _options;
    private readonly OtpSecretProtector _protector;
    private readonly IOtpStateStore _store;
    private readonly IOtpFailureLimiter _limiter;
    private readonly TimeProvider _timeProvider;
    private readonly SecurityEventPublisher _events;

    /// <summary>Initializes the service (also usable without DI).</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="keyRing">The key ring holding the <see cref="KeyPurposes.OtpSecretProtection"/> key.</param>
    /// <param name="store">The replay and failure state.</param>
    /// <param name="failureLimiter">The failure limiter, e.g. <see cref="StoreOtpFailureLimiter"/>.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="events">The event publisher, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The options are out of range; the message says what to set.</exception>
    public TotpService(TotpOptions options, ISecretKeyRing keyRing, IOtpStateStore store, IOtpFailureLimiter failureLimiter, TimeProvider timeProvider, SecurityEventPublisher? events = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(failureLimiter);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options = options.Clone(); // validated and kept: later changes to the host's instance cannot bypass the check
        OtpOptionsValidator.ThrowIfInvalid(OtpOptionsValidator.Check(options), nameof(options));
        _options = options;
        _protector = new OtpSecretProtector(keyRing);
        _store = store;
        _limiter = failureLimiter;
        _timeProvider = timeProvider;
        _events = events ?? SecurityEventPublisher.None;
    }

    internal TotpService(IOptions<TotpOptions> options, ISecretKeyRing keyRing, IOtpStateStore store, IOtpFailureLimiter failureLimiter, TimeProvider timeProvider, SecurityEventPublisher events)
        : this(options.Value, keyRing, store, failureLimiter, timeProvider, events)
    {
    }

    /// <summary>Gets a copy of the options in force (changing it changes nothing).</summary>
    public TotpOptions Options => _options.Clone();

    /// <summary>Starts an enrollment: draws a new secret and returns it protected (pending) with its key URI.</summary>
    /// <param name="userId">The user id, 1 to 256 characters; the protected secret is bound to it.</param>
    /// <param name="accountName">The account shown in the app, e.g. the e-mail address; 1 to 256 characters. A colon (the Key Uri Format's issuer separator) is shown as U+A789 "꞉" and leading spaces are dropped, so a user name such as <c>corp:alice</c> enrolls rather than throwing.</param>
    /// <returns>The enrollment to show once.</returns>
    /// <exception cref="ArgumentException">An argument is empty or too long, the account name contains a control or bidi character, or the otpauth URI would be longer than <see cref="OtpAuthUri.MaxUriLength"/> (a long non-ASCII issuer and account name together).</exception>
    /// <exception cref="InvalidOperationException">The key ring has no <see cref="KeyPurposes.OtpSecretProtection"/> key.</exception>
    public OtpEnrollment BeginEnrollment(string userId, string accountName)
    {
        StoreArguments.UserId(userId);
        var secret = RandomNumberGenerator.GetBytes(_options.EffectiveSecretLength);
        try
        {
            var now = _timeProvider.GetUtcNow();
            var credential = new OtpCredential
            {
                Kind = OtpKind.Totp,
                Confirmed = false,
                Algorithm = _options.Algorithm,
                Digits = _options.Digits,
                PeriodSeconds = _options.PeriodSeconds,
                CreatedAt = now,
                CredentialId = RandomNumberGenerator.GetBytes(8),
                Secret = secret,
                KeyId = string.Empty,
            };
            var enrollment = new OtpEnrollment
            {
                KeyUri = OtpAuthUri.CreateTotp(_options.Issuer, OtpEnrollmentHelpers.DisplayAccountName(accountName), secret, _options.Algorithm, _options.Digits, _options.PeriodSeconds),
                ManualEntryKey = OtpEnrollmentHelpers.Group(Base32.Encode(secret)),
                ProtectedSecret = _protector.Protect(userId, credential),
                ExpiresAt = TruncateToSeconds(now) + _options.EnrollmentLifetime,
            };
            _events.Publish(OtpEventNames.EnrollmentStarted, SecurityEventSeverity.Information, userId: userId, reason: "totp");
            return enrollment;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// Confirms a pending enrollment with a code from the user's app. On success
    /// <see cref="OtpVerificationResult.ProtectedSecret"/> holds the confirmed secret to persist.
    /// </summary>
    /// <param name="userId">The user id the enrollment was started for.</param>
    /// <param name="pendingProtectedSecret">The pending protected secret from <see cref="BeginEnrollment"/>.</param>
    /// <param name="code">The code; malformed input gives <see cref="OtpVerificationStatus.MalformedCode"/>.</param>
    /// <param name="cancellationToken">Cancels the store operations.</param>
    /// <returns>The result; never throws for bad input.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    public ValueTask<OtpVerificationResult> ConfirmEnrollmentAsync(string userId, string? pendingProtectedSecret, string? code, CancellationToken cancellationToken = default) =>
        VerifyCoreAsync(userId, pendingProtectedSecret, code, confirming: true, cancellationToken);

    /// <summary>Verifies a sign-in code against a confirmed protected secret.</summary>
    /// <param name="userId">The user id the secret was enrolled for.</param>
    /// <param name="protectedSecret">The confirmed protected secret.</param>
    /// <param name="code">The code; malformed input gives <see cref="OtpVerificationStatus.MalformedCode"/>.</param>
    /// <param name="cancellationToken">Cancels the store operations.</param>
    /// <returns>The result; never throws for bad input. Persist <see cref="OtpVerificationResult.ProtectedSecret"/> when it is set.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    public ValueTask<OtpVerificationResult> VerifyAsync(string userId, string? protectedSecret, string? code, CancellationToken cancellationToken = default) =>
        VerifyCoreAsync(userId, protectedSecret, code, confirming: false, cancellationToken);

    private async ValueTask<OtpVerificationResult> VerifyCoreAsync(string userId, string? protectedSecret, string? code, bool confirming, CancellationToken cancellationToken)
    {
        StoreArguments.UserId(userId);
        if (!_protector.TryUnprotect(userId, protectedSecret, out var credential))
        {
            _events.Publish(OtpEventNames.SecretInvalid, SecurityEventSeverity.Warning, userId: userId, reason: "invalid_secret");
            return new OtpVerificationResult(OtpVerificationStatus.InvalidSecret);
        }

        try
        {
            var now = _timeProvider.GetUtcNow();
            if (OtpCredentialState.Check(credential, OtpKind.Totp, confirming, now, _options.EnrollmentLifetime, _events, userId) is { } refused)
            {
                return refused;
            }

            if (!OtpCore.TryParseCode(code, credential.Digits, out var value))
            {
                return new OtpVerificationResult(OtpVerificationStatus.MalformedCode);
            }

            var (attempt, lockedOut) = await OtpCredentialState.BeginAttemptAsync(_limiter, _events, userId, cancellationToken).ConfigureAwait(false);
            if (lockedOut is { } refusal)
            {
                return refusal;
            }

            var step = Totp.GetTimeStep(now, credential.PeriodSeconds);
            if (!OtpCore.TryMatch(credential.Secret, value, step - _options.AllowedStepsBehind, step + _options.AllowedStepsAhead, credential.Algorithm, credential.Digits, out var matched))
            {
                return OtpCredentialState.Invalid(_events, userId, attempt);
            }

            var drift = (int)(matched - step);
            if (!_options.ReplayProtectionDisabled)
            {
                // A step stays verifiable until AllowedStepsBehind steps after it; remember it two steps longer. The
                // store expires it on its own clock (Redis: the server's) while each instance judges steps on its own:
                // with one spare step, instances whose clocks were more than one period apart in total (one fast, one
                // slow) could accept the same code again after it expired (found in review); now that takes more than
                // two periods (60 s by default) of skew. The window is the widest any instance may use (5 + 5 steps),
                // not this instance's: instances sharing a store with different windows (a rolling configuration change,
                // a web app and an API on one Redis) would otherwise accept a code again once the narrower instance's
                // retention ran out (found in review). 13 periods: 6.5 minutes by default.
                var retention = TimeSpan.FromSeconds((double)credential.PeriodSeconds * ((2 * MaxWindowSteps) + 3));
                var outcome = await _store.TryAcceptAsync(userId, credential.CounterName, matched, retention, cancellationToken).ConfigureAwait(false);
                if (!outcome.Accepted)
                {
                    return OtpCredentialState.Replayed(_events, userId, matched, drift, attempt);
                }
            }

            return await OtpCredentialState.SucceedAsync(_limiter, _protector, _events, userId, credential, confirming, now, OtpEventNames.Verified, "totp", matched, drift, attempt, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(credential.Secret);
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}

internal static class OtpEnrollmentHelpers
{
    /// <summary>The account label an authenticator app shows: a colon (which apps read as the issuer separator, literal or
    /// encoded) becomes U+A789 MODIFIER LETTER COLON, and leading spaces (padding after the separator) are dropped. The
    /// label is display text only; user data such as "corp:alice" must not make enrollment throw (found in review).</summary>
    public static string DisplayAccountName(string accountName)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        var shown = accountName.Replace(':', '\uA789').TrimStart(' ');
        return shown.Length == 0 ? accountName : shown;
    }

    public static string Group(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length + (text.Length / 4));
        for (var i = 0; i < text.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                sb.Append(' ');
            }

            sb.Append(text[i]);
        }

        return sb.ToString();
    }

    public static OtpCredential WithState(OtpCredential credential, bool confirmed, DateTimeOffset now) => new()
    {
        Kind = credential.Kind,
        Confirmed = confirmed,
        Algorithm = credential.Algorithm,
        Digits = credential.Digits,
        PeriodSeconds = credential.PeriodSeconds,
        CreatedAt = now,
        CredentialId = credential.CredentialId,
        Secret = credential.Secret,
        KeyId = credential.KeyId,
    };
}
