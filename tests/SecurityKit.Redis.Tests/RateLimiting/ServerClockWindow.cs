namespace SecurityKit.Redis.Tests.RateLimiting;

/// <summary>
/// Redis fixed and sliding windows start at multiples of the window since the Unix epoch on the server's clock, so a
/// test that counts exactly in one such window fails when a boundary falls between its checks and its count (a CI run
/// once counted 100 where 98 were expected). Tests call this first: it returns at once unless the current window has
/// less than <see cref="Room"/> left, and then waits for the next one. Every server the tests start runs on this host,
/// so the host's clock is the server's.
/// </summary>
internal static class ServerClockWindow
{
    /// <summary>How much of the window must be left for the counting part of a test (each takes well under a second).</summary>
    public static readonly TimeSpan Room = TimeSpan.FromSeconds(30);

    /// <summary>Returns when the current <paramref name="window"/> (longer than <see cref="Room"/>) has at least <see cref="Room"/> left.</summary>
    public static Task StartWithRoomAsync(TimeSpan window) => StartWithRoomAsync(window, TimeProvider.System);

    /// <summary>As <see cref="StartWithRoomAsync(TimeSpan)"/>, on the given clock (for the helper's own tests).</summary>
    public static async Task<TimeSpan> StartWithRoomAsync(TimeSpan window, TimeProvider time)
    {
        if (window <= Room)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be longer than the room a test needs in it.");
        }

        var sinceEpoch = time.GetUtcNow() - DateTimeOffset.UnixEpoch;
        var left = window - TimeSpan.FromTicks(sinceEpoch.Ticks % window.Ticks);
        if (left >= Room)
        {
            return TimeSpan.Zero;
        }

        // A little past the boundary: the server reads its own clock, microseconds after ours.
        var wait = left + TimeSpan.FromMilliseconds(50);
        await Task.Delay(wait, time);
        return wait;
    }
}
