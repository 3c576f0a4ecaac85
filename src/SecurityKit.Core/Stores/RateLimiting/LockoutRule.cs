namespace SecurityKit.Stores.RateLimiting;

/// <summary>
/// The progressive-lockout curve of one attempt counter: free failures, then an exponentially growing
/// delay, then a hard stop at <see cref="MaxConsecutiveFailures"/>.
/// </summary>
/// <remarks>
/// <para>After <c>n</c> consecutive recorded attempts, the next attempt is accepted no earlier than
/// <c>last + backoff(n)</c> where <c>backoff(n) = 0</c> for <c>n &lt; FreeAttempts</c>,
/// <c>min(InitialDelay · 2^(n − FreeAttempts), MaxDelay)</c> below <see cref="MaxConsecutiveFailures"/>, and from
/// <see cref="MaxConsecutiveFailures"/> on: until the record expires (<see cref="FailureWindow"/> after the last
/// attempt) or, with <see cref="Permanent"/>, until it is reset explicitly.</para>
/// <para>This type is immutable and thread-safe.</para>
/// </remarks>
public sealed class LockoutRule
{
    /// <summary>Initializes a rule.</summary>
    /// <param name="freeAttempts">Consecutive failures accepted without delay; 1 to 1000.</param>
    /// <param name="initialDelay">The first delay; 1 ms to 1 day, whole milliseconds.</param>
    /// <param name="maxDelay">The delay cap; at least <paramref name="initialDelay"/>, at most 30 days.</param>
    /// <param name="maxConsecutiveFailures">The hard stop; greater than <paramref name="freeAttempts"/>, at most 1,000,000.</param>
    /// <param name="failureWindow">How long the record lives after the last attempt; at least <paramref name="maxDelay"/>, at most 366 days.</param>
    /// <param name="permanent">Whether reaching <paramref name="maxConsecutiveFailures"/> locks until an explicit reset.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its documented range.</exception>
    public LockoutRule(int freeAttempts, TimeSpan initialDelay, TimeSpan maxDelay, int maxConsecutiveFailures, TimeSpan failureWindow, bool permanent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(freeAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(freeAttempts, 1000);
        if (initialDelay < TimeSpan.FromMilliseconds(1) || initialDelay > TimeSpan.FromDays(1) || initialDelay.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(initialDelay), initialDelay, "The initial delay must be whole milliseconds between 1 ms and 1 day.");
        }

        if (maxDelay < initialDelay || maxDelay > TimeSpan.FromDays(30) || maxDelay.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDelay), maxDelay, "The maximum delay must be whole milliseconds between the initial delay and 30 days.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxConsecutiveFailures, freeAttempts);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxConsecutiveFailures, 1_000_000);
        if (failureWindow < maxDelay || failureWindow > TimeSpan.FromDays(366) || failureWindow.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(failureWindow), failureWindow, "The failure window must be whole milliseconds between the maximum delay and 366 days.");
        }

        FreeAttempts = freeAttempts;
        InitialDelay = initialDelay;
        MaxDelay = maxDelay;
        MaxConsecutiveFailures = maxConsecutiveFailures;
        FailureWindow = failureWindow;
        Permanent = permanent;
    }

    /// <summary>Gets the consecutive failures accepted without delay.</summary>
    public int FreeAttempts { get; }

    /// <summary>Gets the delay after the first non-free failure; it doubles with each further failure.</summary>
    public TimeSpan InitialDelay { get; }

    /// <summary>Gets the delay cap.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Gets the number of consecutive failures after which no attempt is accepted until the record expires or is reset.</summary>
    public int MaxConsecutiveFailures { get; }

    /// <summary>Gets how long a failure record lives after its last attempt.</summary>
    public TimeSpan FailureWindow { get; }

    /// <summary>Gets whether reaching <see cref="MaxConsecutiveFailures"/> locks until an explicit reset (the record never expires).</summary>
    public bool Permanent { get; }

    /// <summary>Computes the delay required after <paramref name="failures"/> consecutive recorded attempts, below the hard stop.</summary>
    /// <param name="failures">The number of recorded attempts.</param>
    /// <returns>The delay, <see cref="TimeSpan.Zero"/> while attempts are free.</returns>
    public TimeSpan GetDelay(int failures)
    {
        if (failures < FreeAttempts)
        {
            return TimeSpan.Zero;
        }

        var exponent = failures - FreeAttempts;
        if (exponent >= 40)
        {
            return MaxDelay;
        }

        var ms = InitialDelay.TotalMilliseconds * (1L << exponent);
        return ms >= MaxDelay.TotalMilliseconds ? MaxDelay : TimeSpan.FromMilliseconds(ms);
    }
}
