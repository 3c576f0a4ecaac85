using Microsoft.Extensions.Options;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp;

/// <summary>
/// Limits failed second-factor verifications per user. The default, <see cref="StoreOtpFailureLimiter"/>,
/// counts consecutive failures in the <see cref="IOtpStateStore"/>; <see cref="ProgressiveOtpFailureLimiter"/>
/// (<c>UseProgressiveOtpLockout</c>, the default of <c>AddSecurityKit</c>) uses the rate-limit store's lockout curve.
/// </summary>
/// <remarks>
/// An attempt is counted as a failure <em>before</em> the code is checked and forgiven on success, so
/// concurrent guesses cannot exceed the limit. Implementations must be thread-safe.
/// </remarks>
public interface IOtpFailureLimiter
{
    /// <summary>Counts an attempt (provisionally as a failure) and says whether it may proceed.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the attempt may proceed, and the failures counted before it.</returns>
    ValueTask<OtpAttempt> BeginAttemptAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Forgives the user's failures after a successful verification.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the count is cleared.</returns>
    ValueTask RecordSuccessAsync(string userId, CancellationToken cancellationToken = default);
}

/// <summary>The decision of <see cref="IOtpFailureLimiter.BeginAttemptAsync"/>.</summary>
/// <param name="Allowed">Whether the code may be checked.</param>
/// <param name="PreviousFailures">The consecutive failures counted before this attempt.</param>
public readonly record struct OtpAttempt(bool Allowed, int PreviousFailures)
{
    /// <summary>Gets how long to wait before the next attempt can be accepted, when known (<see cref="TimeSpan.Zero"/> otherwise).</summary>
    public TimeSpan RetryAfter { get; init; }
}

/// <summary>
/// Counts consecutive failed verifications per user in the <see cref="IOtpStateStore"/> and refuses
/// attempts once <see cref="OtpLockoutOptions.MaxConsecutiveFailures"/> is reached, until
/// <see cref="OtpLockoutOptions.FailureWindow"/> passes after the last counted failure or a verification succeeds.
/// Refused attempts are not counted, so they do not prolong the lock.
/// </summary>
/// <remarks>
/// <para><b>Security:</b> a lockout keyed by user id lets anyone who knows the id lock the second factor
/// for the window (a denial of service); keep the window short and rate-limit by client IP as well.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class StoreOtpFailureLimiter : IOtpFailureLimiter
{
    private readonly IOtpStateStore _store;
    private readonly OtpLockoutOptions _options;

    /// <summary>Initializes the limiter.</summary>
    /// <param name="store">The store holding the counts.</param>
    /// <param name="options">The limits.</param>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public StoreOtpFailureLimiter(IOtpStateStore store, OtpLockoutOptions options)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone(); // validated and kept: later changes to the host's instance cannot bypass the check
        OtpOptionsValidator.ThrowIfInvalid(OtpOptionsValidator.Check(options), nameof(options));
        _store = store;
        _options = options;
    }

    /// <summary>Initializes the limiter from DI.</summary>
    /// <param name="store">The store holding the counts.</param>
    /// <param name="options">The limits.</param>
    public StoreOtpFailureLimiter(IOtpStateStore store, IOptions<OtpLockoutOptions> options)
        : this(store, (options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <inheritdoc />
    public async ValueTask<OtpAttempt> BeginAttemptAsync(string userId, CancellationToken cancellationToken = default)
    {
        // One atomic step: counted when below the limit, otherwise nothing is written. Recording refused attempts restarted
        // the window, so one request per window from anyone who knows the user id kept the lock forever (found in review).
        var record = await _store.RecordFailureBelowLimitAsync(userId, _options.FailureWindow, _options.MaxConsecutiveFailures, cancellationToken).ConfigureAwait(false);
        return record.Recorded ? new OtpAttempt(true, record.Count - 1) : new OtpAttempt(false, record.Count);
    }

    /// <inheritdoc />
    public ValueTask RecordSuccessAsync(string userId, CancellationToken cancellationToken = default) =>
        _store.ResetFailuresAsync(userId, cancellationToken);
}
