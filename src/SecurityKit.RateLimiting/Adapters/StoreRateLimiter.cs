using System.Threading.RateLimiting;

namespace SecurityKit.RateLimiting.Adapters;

/// <summary>One partition of a policy as a <see cref="RateLimiter"/>. Does not queue.</summary>
/// <remarks>Disposing frees nothing (the state lives in the store), and a disposed adapter keeps working: the runtime's
/// partitioned limiter (ASP.NET Core's <c>RateLimitPartition.Get</c>) disposes a partition idle for 10 s while a request
/// may already hold it, and throwing <see cref="ObjectDisposedException"/> there, as the built-in limiters do
/// (dotnet/runtime#99865), turned that race into failed requests (tried and reverted in review).</remarks>
internal sealed class StoreRateLimiter(SecurityRateLimiter owner, string policyName, RateLimitPolicy policy, string key) : RateLimiter
{
    private long _lastUsed = owner.Time.GetTimestamp();

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
        Interlocked.Exchange(ref _lastUsed, owner.Time.GetTimestamp());
        var pending = owner.AcquireCoreAsync(policyName, policy, key, permitCount, CancellationToken.None);

        // A remote store answers asynchronously; the synchronous API has to wait (bounded by the store timeout).
        var decision = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return StoreRateLimitLease.From(decision);
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, owner.Time.GetTimestamp());
        return StoreRateLimitLease.From(await owner.AcquireCoreAsync(policyName, policy, key, permitCount, cancellationToken).ConfigureAwait(false));
    }
}
