using System.Threading.RateLimiting;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Adapters;

/// <summary>A lease carrying <see cref="MetadataName.RetryAfter"/> when refused. Nothing to release: store permits replenish by time.</summary>
internal sealed class StoreRateLimitLease : RateLimitLease
{
    private static readonly StoreRateLimitLease Granted = new(true, null);
    private static readonly string[] RetryAfterNames = [MetadataName.RetryAfter.Name];

    private readonly TimeSpan? _retryAfter;

    private StoreRateLimitLease(bool isAcquired, TimeSpan? retryAfter)
    {
        IsAcquired = isAcquired;
        _retryAfter = retryAfter;
    }

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => _retryAfter is null ? [] : RetryAfterNames;

    public static RateLimitLease From(RateLimitDecision decision) =>
        decision.IsAllowed ? Granted : new StoreRateLimitLease(false, decision.RetryAfter);

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is { } retryAfter && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = retryAfter;
            return true;
        }

        metadata = null;
        return false;
    }
}
