namespace SecurityKit.Stores.RateLimiting;

/// <summary>The outcome of one rate-limit check.</summary>
/// <param name="IsAllowed">Whether the permits were granted (and counted).</param>
/// <param name="Remaining">Permits still available right after this check (0 when denied or exhausted).</param>
/// <param name="RetryAfter">When denied, how long until the requested permits could be granted; <see cref="TimeSpan.Zero"/> when allowed.</param>
/// <remarks>A denied check changes no state: denied requests are not counted.</remarks>
public readonly record struct RateLimitDecision(bool IsAllowed, long Remaining, TimeSpan RetryAfter)
{
    /// <summary>Gets whether the decision was made without the configured store (its failure policy applied).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IsDegraded { get; init; }
}
