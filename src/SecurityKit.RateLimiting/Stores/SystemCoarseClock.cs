namespace SecurityKit.RateLimiting.Stores;

/// <summary>
/// A process-wide copy of <see cref="TimeProvider.System"/>'s timestamp, refreshed every millisecond by one timer,
/// so hot-path checks read a field instead of the OS clock. Used only by stores built on <see cref="TimeProvider.System"/>.
/// </summary>
/// <remarks>
/// The copy is at most one timer period behind (longer under thread-pool starvation) and never goes backwards. A lag
/// makes windows roll over a little later, but a token bucket charged under a lagging reading refills that much earlier
/// once the copy catches up (up to lag ÷ interval extra permits).
/// </remarks>
internal static class SystemCoarseClock
{
    private static readonly Lock Gate = new();
    private static long s_timestamp;
    private static ITimer? s_timer;

    public static long Timestamp => Volatile.Read(ref s_timestamp);

    public static void EnsureStarted()
    {
        if (Volatile.Read(ref s_timer) is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (s_timer is null)
            {
                Refresh(null);
                Volatile.Write(ref s_timer, TimeProvider.System.CreateTimer(Refresh, null, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1)));
            }
        }
    }

    private static void Refresh(object? state)
    {
        var now = TimeProvider.System.GetTimestamp();
        var seen = Volatile.Read(ref s_timestamp);
        while (now > seen)
        {
            var previous = Interlocked.CompareExchange(ref s_timestamp, now, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
