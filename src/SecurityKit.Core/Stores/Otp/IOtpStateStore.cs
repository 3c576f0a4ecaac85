namespace SecurityKit.Stores.Otp;

/// <summary>
/// The state a one-time-password verifier keeps per user: the last accepted time step or counter of
/// each credential (the replay guard) and the number of consecutive failed verifications.
/// </summary>
/// <remarks>
/// <para>Every method is one atomic operation; implementations must be thread-safe and, for shared
/// backends, safe across processes. <see cref="TryAcceptAsync"/> is the replay guard of RFC 6238 §5.2
/// and RFC 4226 §7.2: it must accept a value only when it is strictly greater than the last accepted
/// value of the same counter, so that of many concurrent verifications of one code exactly one wins.</para>
/// <para>User ids are passed through as the host gives them (at most <see cref="MaxUserIdLength"/>
/// characters); counter names are 1–64 characters of <c>[a-z0-9._-]</c>.</para>
/// </remarks>
public interface IOtpStateStore
{
    /// <summary>The largest accepted user id length, in UTF-16 code units.</summary>
    const int MaxUserIdLength = 256;

    /// <summary>
    /// Accepts <paramref name="value"/> for the counter <paramref name="counterName"/> of
    /// <paramref name="userId"/> only when no value was accepted before or the value is strictly
    /// greater than the last accepted one; records it in the same atomic step.
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="counterName">The counter, e.g. <c>totp</c> or <c>hotp.3f9a…</c>.</param>
    /// <param name="value">The time step (TOTP) or counter (HOTP) that matched; 0 to 2^53.</param>
    /// <param name="retention">How long the accepted value must be remembered; <see langword="null"/> keeps it until removed.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the value was accepted, and the last accepted value before this call.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative or above 2^53, or
    /// <paramref name="retention"/> is not positive.</exception>
    ValueTask<OtpAcceptOutcome> TryAcceptAsync(string userId, string counterName, long value, TimeSpan? retention, CancellationToken cancellationToken = default);

    /// <summary>Gets the last accepted value of a counter.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="counterName">The counter name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The last accepted value, or <see langword="null"/> when none is remembered.</returns>
    ValueTask<long?> GetLastAcceptedAsync(string userId, string counterName, CancellationToken cancellationToken = default);

    /// <summary>Forgets a counter (the credential was removed or replaced).</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="counterName">The counter name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the counter is gone.</returns>
    ValueTask RemoveCounterAsync(string userId, string counterName, CancellationToken cancellationToken = default);

    /// <summary>Gets the number of consecutive failed verifications still inside their window.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The failure count, 0 when none.</returns>
    ValueTask<int> GetFailureCountAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds one failed verification and (re)starts its window: the count is forgotten
    /// <paramref name="window"/> after the last failure.
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="window">How long the count lives after this failure.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The failure count after this failure.</returns>
    ValueTask<int> RecordFailureAsync(string userId, TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds one failed verification and (re)starts its window, unless the count has already reached
    /// <paramref name="limit"/>: then nothing changes, so attempts refused at the limit neither count nor prolong it.
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="window">How long the count lives after this failure.</param>
    /// <param name="limit">The count at which failures stop being recorded, at least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether this failure was recorded, and the count after the call.</returns>
    /// <remarks>The shipped stores do this in one atomic step. The default implementation, for stores written before
    /// this member, reads the count and then calls <see cref="RecordFailureAsync"/>: concurrent calls at the last free
    /// slot may then all be recorded (each past the limit is still reported as not within it by its count).</remarks>
    async ValueTask<OtpFailureRecord> RecordFailureBelowLimitAsync(string userId, TimeSpan window, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var current = await GetFailureCountAsync(userId, cancellationToken).ConfigureAwait(false);
        if (current >= limit)
        {
            return new OtpFailureRecord(false, current);
        }

        var count = await RecordFailureAsync(userId, window, cancellationToken).ConfigureAwait(false);
        return new OtpFailureRecord(count <= limit, count);
    }

    /// <summary>Clears the failure count (after a successful verification or an administrator's reset).</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the count is cleared.</returns>
    ValueTask ResetFailuresAsync(string userId, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of <see cref="IOtpStateStore.RecordFailureBelowLimitAsync"/>.</summary>
/// <param name="Recorded"><see langword="true"/> when this failure was counted within the limit.</param>
/// <param name="Count">The failure count after the call.</param>
public readonly record struct OtpFailureRecord(bool Recorded, int Count);

/// <summary>The outcome of <see cref="IOtpStateStore.TryAcceptAsync"/>.</summary>
/// <param name="Accepted"><see langword="true"/> when the value was greater than the last accepted one and is now recorded.</param>
/// <param name="PreviousValue">The last accepted value before the call, or <see langword="null"/> when none was remembered.</param>
public readonly record struct OtpAcceptOutcome(bool Accepted, long? PreviousValue);
