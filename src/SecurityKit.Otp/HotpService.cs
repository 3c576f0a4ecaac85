using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Otp.Stores;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp;

/// <summary>
/// HOTP (RFC 4226) enrollment, verification with a look-ahead window, and resynchronisation, with the same
/// replay rule as TOTP: a counter is accepted only when it is greater than the last accepted one.
/// </summary>
/// <remarks>
/// <para>The counter lives in the <see cref="IOtpStateStore"/> under a name derived from the credential id inside
/// the protected secret (so re-enrolling starts a fresh counter). Use a durable store: a confirmed credential whose
/// counter is lost fails closed (<see cref="OtpVerificationStatus.CounterLost"/>, not counted as a failed guess) and the
/// user must enroll again. Once a pending enrollment is confirmed, delete the pending protected secret: confirming it
/// again (within its lifetime) after the counter was lost would start at counter 0 again.</para>
/// <para><b>Security:</b> as for <see cref="TotpService"/>. Resynchronisation needs two consecutive codes (RFC 4226 §7.4).</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class HotpService
{
    private readonly HotpOptions _options;
    private readonly OtpSecretProtector _protector;
    private readonly IOtpStateStore _store;
    private readonly IOtpFailureLimiter _limiter;
    private readonly TimeProvider _timeProvider;
    private readonly SecurityEventPublisher _events;

    /// <summary>Initializes the service (also usable without DI).</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="keyRing">The key ring holding the <see cref="KeyPurposes.OtpSecretProtection"/> key.</param>
    /// <param name="store">The counter and failure state.</param>
    /// <param name="failureLimiter">The failure limiter.</param>
    /// <param name="timeProvider">The clock (enrollment expiry).</param>
    /// <param name="events">The event publisher, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public HotpService(HotpOptions options, ISecretKeyRing keyRing, IOtpStateStore store, IOtpFailureLimiter failureLimiter, TimeProvider timeProvider, SecurityEventPublisher? events = null)
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

    internal HotpService(IOptions<HotpOptions> options, ISecretKeyRing keyRing, IOtpStateStore store, IOtpFailureLimiter failureLimiter, TimeProvider timeProvider, SecurityEventPublisher events)
        : this(options.Value, keyRing, store, failureLimiter, timeProvider, events)
    {
    }

    /// <summary>Starts an enrollment: draws a new secret and returns it protected (pending) with its key URI (counter 0).</summary>
    /// <param name="userId">The user id, 1 to 256 characters.</param>
    /// <param name="accountName">The account shown in the app; 1 to 256 characters. A colon (the Key Uri Format's issuer separator) is shown as U+A789 "꞉" and leading spaces are dropped, so a user name such as <c>corp:alice</c> enrolls rather than throwing.</param>
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
                Kind = OtpKind.Hotp,
                Confirmed = false,
                Algorithm = _options.Algorithm,
                Digits = _options.Digits,
                PeriodSeconds = 0,
                CreatedAt = now,
                CredentialId = RandomNumberGenerator.GetBytes(8),
                Secret = secret,
                KeyId = string.Empty,
            };
            var enrollment = new OtpEnrollment
            {
                KeyUri = OtpAuthUri.CreateHotp(_options.Issuer, OtpEnrollmentHelpers.DisplayAccountName(accountName), secret, 0, _options.Algorithm, _options.Digits),
                ManualEntryKey = OtpEnrollmentHelpers.Group(Base32.Encode(secret)),
                ProtectedSecret = _protector.Protect(userId, credential),
                ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()) + _options.EnrollmentLifetime,
            };
            _events.Publish(OtpEventNames.EnrollmentStarted, SecurityEventSeverity.Information, userId: userId, reason: "hotp");
            return enrollment;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Confirms a pending HOTP enrollment with the app's first code.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="pendingProtectedSecret">The pending protected secret.</param>
    /// <param name="code">The code.</param>
    /// <param name="cancellationToken">Cancels the store operations.</param>
    /// <returns>The result; on success <see cref="OtpVerificationResult.ProtectedSecret"/> is the confirmed secret to persist.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    public ValueTask<OtpVerificationResult> ConfirmEnrollmentAsync(string userId, string? pendingProtectedSecret, string? code, CancellationToken cancellationToken = default) =>
        VerifyCoreAsync(userId, pendingProtectedSecret, code, null, confirming: true, cancellationToken);

    /// <summary>Verifies a code against the counters after the last accepted one, up to <see cref="HotpOptions.LookAhead"/> further.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="protectedSecret">The confirmed protected secret.</param>
    /// <param name="code">The code.</param>
    /// <param name="cancellationToken">Cancels the store operations.</param>
    /// <returns>The result; never throws for bad input.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    public ValueTask<OtpVerificationResult> VerifyAsync(string userId, string? protectedSecret, string? code, CancellationToken cancellationToken = default) =>
        VerifyCoreAsync(userId, protectedSecret, code, null, confirming: false, cancellationToken);

    /// <summary>
    /// Resynchronises a counter that ran ahead of the look-ahead window: two consecutive codes must match
    /// consecutive counters within <see cref="HotpOptions.ResynchronizationWindow"/>; the second becomes the last accepted.
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="protectedSecret">The confirmed protected secret.</param>
    /// <param name="firstCode">The first code.</param>
    /// <param name="secondCode">The next code from the same token.</param>
    /// <param name="cancellationToken">Cancels the store operations.</param>
    /// <returns>The result; <see cref="OtpVerificationResult.MatchedValue"/> is the counter of the second code.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    public ValueTask<OtpVerificationResult> ResynchronizeAsync(string userId, string? protectedSecret, string? firstCode, string? secondCode, CancellationToken cancellationToken = default) =>
        VerifyCoreAsync(userId, protectedSecret, firstCode, secondCode ?? string.Empty, confirming: false, cancellationToken);

    /// <summary>
    /// Forgets the counter of an HOTP credential the user removed or replaced. HOTP counters never expire by
    /// themselves (the counter is the credential's state), so without this each re-enrollment leaves one behind.
    /// </summary>
    /// <remarks>Call it only once the protected secret is deleted, the confirmed one and any pending one of the same
    /// enrollment (they share the credential id, so the counter is the same): verification of a credential whose counter
    /// is forgotten fails closed (<see cref="OtpVerificationStatus.CounterLost"/>), but a pending secret could still be
    /// confirmed within its lifetime, starting at counter 0 again.</remarks>
    /// <param name="userId">The user id.</param>
    /// <param name="protectedSecret">The credential's protected secret (confirmed or pending).</param>
    /// <param name="cancellationToken">Cancels the store operation.</param>
    /// <returns><see langword="false"/> when the protected secret is not a valid HOTP credential of this user (nothing removed).</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    public async ValueTask<bool> RemoveCredentialAsync(string userId, string? protectedSecret, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        if (!_protector.TryUnprotect(userId, protectedSecret, out var credential))
        {
            return false;
        }

        try
        {
            if (credential.Kind != OtpKind.Hotp)
            {
                return false;
            }

            await _store.RemoveCounterAsync(userId, credential.CounterName, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(credential.Secret);
        }
    }

    private async ValueTask<OtpVerificationResult> VerifyCoreAsync(string userId, string? protectedSecret, string? code, string? secondCode, bool confirming, CancellationToken cancellationToken)
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
            if (OtpCredentialState.Check(credential, OtpKind.Hotp, confirming, now, _options.EnrollmentLifetime, _events, userId) is { } refused)
            {
                return refused;
            }

            var second = 0;
            if (!OtpCore.TryParseCode(code, credential.Digits, out var value)
                || (secondCode is not null && !OtpCore.TryParseCode(secondCode, credential.Digits, out second)))
            {
                return new OtpVerificationResult(OtpVerificationStatus.MalformedCode);
            }

            var counterName = credential.CounterName;
            var last = await _store.GetLastAcceptedAsync(userId, counterName, cancellationToken).ConfigureAwait(false);
            if (last is null && !confirming)
            {
                // Confirmation records the first counter, so a confirmed credential without one lost its state. Starting
                // again at 0 would let every code the device ever showed (e.g. captured by a phishing proxy) be replayed
                // in order; fail closed instead, for verification and resynchronisation alike. Decided before the attempt
                // is counted: no code is checked, and the user who retries must not lock themselves out of the backup
                // codes that share the failure count (found in review).
                _events.Publish(OtpEventNames.HotpCounterLost, SecurityEventSeverity.Critical, userId: userId, reason: "counter_lost");
                return new OtpVerificationResult(OtpVerificationStatus.CounterLost);
            }

            var (attempt, lockedOut) = await OtpCredentialState.BeginAttemptAsync(_limiter, _events, userId, cancellationToken).ConfigureAwait(false);
            if (lockedOut is { } refusal)
            {
                return refusal;
            }

            var expected = last is { } l ? OtpCore.SaturatingAdd(l, 1) : 0; // never wraps to a negative (replayable) counter
            long matched;
            bool found;
            if (secondCode is null)
            {
                found = OtpCore.TryMatch(credential.Secret, value, expected, OtpCore.SaturatingAdd(expected, _options.LookAhead), credential.Algorithm, credential.Digits, out matched);
            }
            else
            {
                found = TryMatchPair(credential, value, second, expected, _options.ResynchronizationWindow, out matched);
            }

            if (!found)
            {
                return OtpCredentialState.Invalid(_events, userId, attempt);
            }

            var drift = (int)(matched - expected);
            var outcome = await _store.TryAcceptAsync(userId, counterName, matched, retention: null, cancellationToken).ConfigureAwait(false);
            if (!outcome.Accepted)
            {
                return OtpCredentialState.Replayed(_events, userId, matched, drift, attempt);
            }

            var verifiedEvent = secondCode is null ? OtpEventNames.Verified : OtpEventNames.HotpResynchronized;
            return await OtpCredentialState.SucceedAsync(_limiter, _protector, _events, userId, credential, confirming, now, verifiedEvent, "hotp", matched, drift, attempt, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(credential.Secret);
        }
    }

    private static bool TryMatchPair(OtpCredential credential, int first, int second, long start, int window, out long matchedSecond)
    {
        // Every counter of the window is computed; the comparison does not branch on the codes.
        long found = -1;
        var any = 0;
        var previous = OtpCore.Compute(credential.Secret, start, credential.Algorithm, credential.Digits);
        var steps = OtpCore.SaturatingAdd(start, window) - start; // the window, cut short at long.MaxValue (no wrap)
        for (long i = 1; i <= steps; i++)
        {
            var counter = start + i;
            var current = OtpCore.Compute(credential.Secret, counter, credential.Algorithm, credential.Digits);
            var equal = (((previous ^ first) | (current ^ second)) - 1) >>> 31;
            var mask = -(long)equal;
            found = (found & ~mask) | (counter & mask);
            any |= equal;
            previous = current;
        }

        matchedSecond = found;
        return any != 0;
    }
}
