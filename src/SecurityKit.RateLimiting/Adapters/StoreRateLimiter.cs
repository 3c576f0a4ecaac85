using System.Threading.RateLimiting;

namespace SecurityKit.RateLimiting.Adapters;

/// <summary>One partition of a policy as a <see cref="RateLimiter"/>. Does not queue.</summary>
internal sealed class StoreRateLimiter(SecurityRateLimiter owner, string policyName, RateLimitPolicy policy, string key) : RateLimiter
{
    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var pending = owner.AcquireCoreAsync(policyName, policy, key, permitCount, CancellationToken.None);

        // A remote store answers asynchronously; the synchronous API has to wait (bounded by the store timeout).
        var decision = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return StoreRateLimitLease.From(decision);
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        StoreRateLimitLease.From(await owner.AcquireCoreAsync(policyName, policy, key, permitCount, cancellationToken).ConfigureAwait(false));
}
