using System.Security.Cryptography;
using System.Runtime.InteropServices;
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

    /// <summary>
    /// The partition of a resource. Keys usually come from the request (a header, a claim), so a bad one must not fail the
    /// request: a null or empty key is the one shared partition "" (resources without a key are limited together), and a
    /// key longer than 256 characters is replaced by <c>#</c> + base64url(SHA-256 of its UTF-16 code units), distinct per key
    /// (hashing the code units, not a UTF-8 transcoding, keeps keys that differ only in lone surrogates apart). A short key
    /// that itself starts with <c>#</c> is hashed the same way, so no request-supplied key can equal the hashed form of
    /// another (found in review: "#" + the hash of a long key shared its counter), and so is a key with a lone surrogate
    /// (hashing the code units keeps such keys apart in every store, Redis's UTF-8 keys included).
    /// </summary>
    private string PartitionOf(TResource resource)
    {
        var partition = selector(resource);
        if (string.IsNullOrEmpty(partition))
        {
            return string.Empty;
        }

        // Lone surrogates too: Redis keys are UTF-8, where every lone surrogate becomes U+FFFD, so "x\uD800" and "x\uDC00"
        // would share one Redis counter while the in-memory store keeps them apart.
        return partition.Length <= SecurityRateLimiter.MaxPartitionLength && partition[0] != '#' && SecurityKit.Primitives.WellFormedText.IsWellFormedUtf16(partition)
            ? partition
            : "#" + System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(MemoryMarshal.AsBytes(partition.AsSpan())));
    }
}
