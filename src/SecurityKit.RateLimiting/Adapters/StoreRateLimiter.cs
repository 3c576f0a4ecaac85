using System.Threading.RateLimiting;

namespace SecurityKit.RateLimiting.Adapters;

/// <summary>One partition of a policy as a <see cref="RateLimiter"/>. Does not queue.</summary>
internal sealed class StoreRateLimiter(SecurityRateLimiter owner, string policyName, RateLimitPolicy policy, string key) : RateLimiter
{
    private long _lastUsed = owner.Time.GetTimestamp();
    private int _disposed;

    /// <summary>
    /// The time since the last acquire. The state lives in the store, so the limiter itself may be dropped whenever it is
    /// idle: <see cref="PartitionedRateLimiter"/>'s partitions (ASP.NET Core's <c>RateLimitPartition.Get</c>) remove a
    /// limiter only when this is not null, and <c>null</c> ("never idle") kept one limiter per request-derived key forever
    /// (found in review).
    /// </summary>
    public override TimeSpan? IdleDuration => owner.Time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        // Like the built-in limiters: a disposed limiter refuses to be used rather than go on charging the store (the
        // state lives in the store, so a limiter kept after Dispose would have spent the budget silently; found in review).
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Interlocked.Exchange(ref _lastUsed, owner.Time.GetTimestamp());
        var pending = owner.AcquireCoreAsync(policyName, policy, key, permitCount, CancellationToken.None);

        // A remote store answers asynchronously; the synchronous API has to wait (bounded by the store timeout).
        var decision = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return StoreRateLimitLease.From(decision);
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Interlocked.Exchange(ref _lastUsed, owner.Time.GetTimestamp());
        return StoreRateLimitLease.From(await owner.AcquireCoreAsync(policyName, policy, key, permitCount, cancellationToken).ConfigureAwait(false));
    }

    // DisposeAsync ends with Dispose(false), so this covers both.
    protected override void Dispose(bool disposing)
    {
        Volatile.Write(ref _disposed, 1);
        base.Dispose(disposing);
    }
}
