namespace SecurityKit.Stores.RateLimiting;

/// <summary>The counting algorithm of a <see cref="RateLimitRule"/>.</summary>
public enum RateLimitAlgorithm
{
    /// <summary>
    /// Generic cell rate algorithm (a token bucket stored as one "theoretical arrival time"): a burst of up
    /// to <see cref="RateLimitRule.Limit"/> permits, refilled evenly at <c>Limit</c> per <c>Window</c>.
    /// The safe default: no boundary burst, one number of state.
    /// </summary>
    TokenBucket = 0,

    /// <summary>
    /// At most <see cref="RateLimitRule.Limit"/> permits per aligned window. Cheapest; allows up to twice the
    /// limit across a window boundary.
    /// </summary>
    FixedWindow = 1,

    /// <summary>
    /// Sliding window approximated from the current and previous fixed windows (the previous count weighted
    /// by how much of it still overlaps the sliding window). Smooths the fixed-window boundary burst.
    /// </summary>
    SlidingWindow = 2,
}

/// <summary>
/// An immutable rate-limit rule: an algorithm, a number of permits and a window.
/// </summary>
/// <remarks>
/// <para>Create rules once (at startup) and reuse them: stores keep per-key state bound to the algorithm and
/// window of the rule that created it (a key used with another algorithm or window starts over).</para>
/// <para>This type is immutable and thread-safe.</para>
/// </remarks>
public sealed class RateLimitRule
{
    /// <summary>The largest accepted <see cref="Limit"/> (2^24 − 1, the width of the in-memory fixed-window counter).</summary>
    public const int MaxLimit = (1 << 24) - 1;

    /// <summary>The shortest accepted <see cref="Window"/>.</summary>
    public static readonly TimeSpan MinWindow = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest accepted <see cref="Window"/>.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(366);

    /// <summary>Initializes a rule.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="limit">Permits per window (for <see cref="RateLimitAlgorithm.TokenBucket"/>, also the burst size); 1 to <see cref="MaxLimit"/>.</param>
    /// <param name="window">The window (for the token bucket, the time to refill a full bucket); <see cref="MinWindow"/> to <see cref="MaxWindow"/>, whole milliseconds.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its documented range.</exception>
    public RateLimitRule(RateLimitAlgorithm algorithm, int limit, TimeSpan window)
    {
        if (!Enum.IsDefined(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown rate-limit algorithm.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
        if (window < MinWindow || window > MaxWindow || window.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be a whole number of milliseconds between 1 ms and 366 days.");
        }

        Algorithm = algorithm;
        Limit = limit;
        Window = window;
    }

    /// <summary>Gets the algorithm.</summary>
    public RateLimitAlgorithm Algorithm { get; }

    /// <summary>Gets the number of permits per window (the burst size of a token bucket).</summary>
    public int Limit { get; }

    /// <summary>Gets the window.</summary>
    public TimeSpan Window { get; }

    /// <summary>Creates a token-bucket (GCRA) rule.</summary>
    /// <param name="limit">The burst size and the permits refilled per window.</param>
    /// <param name="window">The time to refill a full bucket.</param>
    /// <returns>The rule.</returns>
    public static RateLimitRule TokenBucket(int limit, TimeSpan window) => new(RateLimitAlgorithm.TokenBucket, limit, window);

    /// <summary>Creates a fixed-window rule.</summary>
    /// <param name="limit">The permits per window.</param>
    /// <param name="window">The window.</param>
    /// <returns>The rule.</returns>
    public static RateLimitRule FixedWindow(int limit, TimeSpan window) => new(RateLimitAlgorithm.FixedWindow, limit, window);

    /// <summary>Creates a sliding-window rule.</summary>
    /// <param name="limit">The permits per sliding window.</param>
    /// <param name="window">The window.</param>
    /// <returns>The rule.</returns>
    public static RateLimitRule SlidingWindow(int limit, TimeSpan window) => new(RateLimitAlgorithm.SlidingWindow, limit, window);

    /// <summary>Returns a copy of this rule with the limit scaled by <paramref name="factor"/> (at least 1), e.g. a stricter fallback.</summary>
    /// <param name="factor">The factor, greater than 0 and at most 1.</param>
    /// <returns>The scaled rule.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is not in (0, 1].</exception>
    public RateLimitRule WithLimitFactor(double factor)
    {
        if (!(factor > 0 && factor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be greater than 0 and at most 1.");
        }

        return new RateLimitRule(Algorithm, Math.Max(1, (int)(Limit * factor)), Window);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Algorithm} {Limit}/{Window}";
}
