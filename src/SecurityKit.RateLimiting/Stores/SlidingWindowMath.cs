using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Stores;

/// <summary>
/// The sliding-window estimate shared by the in-memory store and mirrored by the Redis script:
/// <c>estimate = previous · (1 − elapsed / window) + current</c>.
/// </summary>
internal static class SlidingWindowMath
{
    public static RateLimitDecision Decide(long previous, long current, int limit, int permits, long window, long elapsed)
    {
        // The same expressions, in the same order, as the Redis script (so both round alike). With no previous count the
        // estimate is the current count in both (0 · x = 0), so the division is skipped.
        double estimate = previous == 0 ? current : (previous * (1 - ((double)elapsed / window))) + current;
        int needed = Math.Max(permits, 1);
        bool allowed = estimate + needed <= limit + 1e-9;
        if (allowed && permits > 0)
        {
            return new RateLimitDecision(true, Math.Max(0, (long)Math.Floor(limit - estimate - permits + 1e-9)), TimeSpan.Zero);
        }

        long remaining = Math.Max(0, (long)Math.Floor(limit - estimate + 1e-9));
        if (allowed)
        {
            return new RateLimitDecision(true, remaining, TimeSpan.Zero);
        }

        double wait;
        if (current + needed > limit)
        {
            // Only the next window, with this window's count as its "previous", can make room.
            double f = current == 0 ? 0 : 1 - ((double)(limit - needed) / current);
            wait = (window - elapsed) + (Math.Max(0, f) * window);
        }
        else
        {
            double f = 1 - ((double)(limit - needed - current) / previous);
            wait = (f * window) - elapsed;
        }

        return new RateLimitDecision(false, remaining, TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling(wait))));
    }
}
