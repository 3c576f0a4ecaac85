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
    /// <summary>
    /// The most attempts per day SecurityKit's login and OTP lockouts accept from their settings: 1,440, one a minute on
    /// average (see <see cref="SustainedAttemptsPerDay"/>). A 6-digit TOTP code tried that often, two codes per attempt
    /// (one step behind), is found in about 350 days on average; more codes per attempt (an HOTP look-ahead) shorten that
    /// in proportion. NIST SP 800-63B's cap of 100 consecutive failures means little if the count is forgotten minutes
    /// later.
    /// </summary>
    public const int SafeAttemptsPerDay = 1440;

    private double _sustainedAttemptsPerDay = -1;

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

    /// <summary>
    /// Gets the average number of attempts per day an attacker who never succeeds can keep up against one counter under
    /// this rule: runs of <c>k</c> attempts, each as early as the delays allow, each run followed by waiting out
    /// <see cref="FailureWindow"/> so the record expires, for the <c>k</c> (up to <see cref="MaxConsecutiveFailures"/>)
    /// that gives the most. 0 for a <see cref="Permanent"/> rule, which allows <see cref="MaxConsecutiveFailures"/>
    /// attempts in all.
    /// </summary>
    public double SustainedAttemptsPerDay
    {
        get
        {
            // Computed once (a benign race: every thread computes the same value).
            var value = Volatile.Read(ref _sustainedAttemptsPerDay);
            if (value < 0)
            {
                value = ComputeSustainedAttemptsPerDay();
                Volatile.Write(ref _sustainedAttemptsPerDay, value);
            }

            return value;
        }
    }

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

    private double ComputeSustainedAttemptsPerDay()
    {
        if (Permanent)
        {
            return 0;
        }

        var window = FailureWindow.TotalMilliseconds;
        var cap = MaxDelay.TotalMilliseconds;
        var best = 0.0;
        var waited = 0.0; // the delays a run of n attempts waits through: backoff(1) + … + backoff(n − 1)
        for (var n = 1; n <= MaxConsecutiveFailures; n++)
        {
            var delay = n > 1 ? GetDelay(n - 1).TotalMilliseconds : 0;
            waited += delay;
            best = Math.Max(best, n / (waited + window));
            if (delay >= cap)
            {
                // Every later attempt waits the cap: n / (waited + window) is monotonic from here on, so the longest run
                // is the only other candidate (at most FreeAttempts + ~40 steps in all).
                var last = MaxConsecutiveFailures;
                best = Math.Max(best, last / (waited + ((last - n) * cap) + window));
                break;
            }
        }

        return best * TimeSpan.FromDays(1).TotalMilliseconds;
    }
}
