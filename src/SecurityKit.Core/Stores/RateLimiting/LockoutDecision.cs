namespace SecurityKit.Stores.RateLimiting;

/// <summary>The outcome of registering one attempt on a lockout counter.</summary>
/// <param name="IsAllowed">Whether the attempt may proceed; when allowed it has been counted as a failure until the counter is reset.</param>
/// <param name="Failures">The consecutive recorded attempts after this call.</param>
/// <param name="RetryAfter">When denied, how long until the next attempt is accepted (<see cref="TimeSpan.MaxValue"/> for a permanent lock); when allowed, the delay now required before the next attempt.</param>
public readonly record struct LockoutDecision(bool IsAllowed, int Failures, TimeSpan RetryAfter)
{
    /// <summary>Gets whether the decision was made without the configured store (its failure policy applied).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IsDegraded { get; init; }
}
