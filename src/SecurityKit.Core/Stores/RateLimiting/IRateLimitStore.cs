namespace SecurityKit.Stores.RateLimiting;

/// <summary>
/// The store contract behind SecurityKit's rate limiters and login protection: every operation is one
/// atomic step on one key.
/// </summary>
/// <remarks>
/// <para>Implementations: the in-memory store of SecurityKit.RateLimiting (one process) and the Redis store of
/// SecurityKit.Redis (shared by every instance). Both pass one conformance suite. Implementations must be
/// thread-safe, must not count denied requests, must expire state on their own, and are registered as singletons
/// (startup refuses a scoped registration).</para>
/// <para><b>Security:</b> keys are stored as given. Do not pass raw e-mail addresses or other personal data:
/// the login protector HMACs its keys with the <c>rate-limit-keys</c> key-ring key first. Keys are 1 to
/// <see cref="MaxKeyLength"/> characters. The Redis store also refuses a key with an unpaired surrogate
/// (<see cref="ArgumentException"/>): Redis keys are UTF-8, where such keys would merge; the limiters hash them first.</para>
/// </remarks>
public interface IRateLimitStore
{
    /// <summary>The longest accepted key, in characters.</summary>
    const int MaxKeyLength = 512;

    /// <summary>Checks and, when allowed, consumes <paramref name="permits"/> permits of <paramref name="key"/> under <paramref name="rule"/>, atomically.</summary>
    /// <param name="key">The limiter key, 1 to <see cref="MaxKeyLength"/> characters.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="permits">The permits to consume, 0 to <see cref="RateLimitRule.Limit"/>; 0 only reports (allowed when at least one permit is left) and changes nothing.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">The key is empty or too long, or <paramref name="permits"/> is out of range.</exception>
    ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimitRule rule, int permits = 1, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers one attempt on the lockout counter <paramref name="key"/>, atomically: refused while the counter's
    /// delay (see <see cref="LockoutRule"/>) has not elapsed, otherwise counted.
    /// </summary>
    /// <param name="key">The counter key, 1 to <see cref="MaxKeyLength"/> characters.</param>
    /// <param name="rule">The lockout curve.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">The key is empty or too long.</exception>
    ValueTask<LockoutDecision> RegisterAttemptAsync(string key, LockoutRule rule, CancellationToken cancellationToken = default);

    /// <summary>Deletes the state of <paramref name="key"/> (a rate-limit key or a lockout counter).</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the state is gone.</returns>
    /// <exception cref="ArgumentException">The key is empty or too long.</exception>
    ValueTask ResetAsync(string key, CancellationToken cancellationToken = default);
}
