using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting;

/// <summary>A named limiter: a rule and what to do when the store fails.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class RateLimitPolicy
{
    /// <summary>Initializes a policy.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="failurePolicy">What to do when the store fails or times out.</param>
    /// <param name="fallbackLimitFactor">For <see cref="StoreFailurePolicy.FallbackToMemory"/>: the factor applied to the limit, in (0, 1].</param>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public RateLimitPolicy(RateLimitRule rule, StoreFailurePolicy failurePolicy = StoreFailurePolicy.FallbackToMemory, double fallbackLimitFactor = 0.5)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!Enum.IsDefined(failurePolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(failurePolicy), failurePolicy, "Unknown failure policy.");
        }

        Rule = rule;
        FailurePolicy = failurePolicy;
        FallbackRule = rule.WithLimitFactor(fallbackLimitFactor);
    }

    /// <summary>Gets the rule.</summary>
    public RateLimitRule Rule { get; }

    /// <summary>Gets the failure policy.</summary>
    public StoreFailurePolicy FailurePolicy { get; }

    /// <summary>Gets the stricter rule used with <see cref="StoreFailurePolicy.FallbackToMemory"/>.</summary>
    public RateLimitRule FallbackRule { get; }
}
