using SecurityKit.RateLimiting.Stores;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting;

/// <summary>Options of <c>AddRateLimiting</c>: named policies, the store timeout and the in-memory bounds.</summary>
public sealed class RateLimitingOptions
{
    /// <summary>Gets the named policies used by <see cref="SecurityRateLimiter"/>.</summary>
    public Dictionary<string, RateLimitPolicy> Policies { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets how long a store operation may take before the policy's failure policy applies (a check still
    /// queued in a remote store, such as the Redis store's batching queue, is then withdrawn, never sent).</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the bounds of the in-memory store (the default store and the fallback store).</summary>
    /// <value>The default value is 100,000 entries, swept every minute.</value>
    public InMemoryRateLimitStoreOptions InMemory { get; set; } = new();

    /// <summary>Adds (or replaces) a named policy.</summary>
    /// <param name="name">The policy name.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="failurePolicy">What to do when the store fails.</param>
    /// <param name="fallbackLimitFactor">The limit factor of the in-memory fallback.</param>
    /// <returns>These options.</returns>
    public RateLimitingOptions AddPolicy(string name, RateLimitRule rule, StoreFailurePolicy failurePolicy = StoreFailurePolicy.FallbackToMemory, double fallbackLimitFactor = 0.5)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Policies[name] = new RateLimitPolicy(rule, failurePolicy, fallbackLimitFactor);
        return this;
    }
}
