using System.Threading.RateLimiting;

namespace SecurityKit.RateLimiting.Adapters;

/// <summary>A policy as a <see cref="PartitionedRateLimiter{TResource}"/>. Does not queue.</summary>
internal sealed class StorePartitionedRateLimiter<TResource>(SecurityRateLimiter owner, string policyName, RateLimitPolicy policy, Func<TResource, string> selector)
    : PartitionedRateLimiter<TResource>
{
    public override RateLimiterStatistics? GetStatistics(TResource resource) => null;

    protected override RateLimitLease AttemptAcquireCore(TResource resource, int permitCount)
    {
        var pending = owner.AcquirePartitionAsync(policyName, policy, PartitionOf(resource), permitCount, CancellationToken.None);
        var decision = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return StoreRateLimitLease.From(decision);
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(TResource resource, int permitCount, CancellationToken cancellationToken) =>
        StoreRateLimitLease.From(await owner.AcquirePartitionAsync(policyName, policy, PartitionOf(resource), permitCount, cancellationToken).ConfigureAwait(false));

    private string PartitionOf(TResource resource)
    {
        var partition = selector(resource);
        SecurityRateLimiter.ValidatePartition(partition, nameof(resource));
        return partition;
    }
}
