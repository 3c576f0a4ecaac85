namespace SecurityKit.RateLimiting;

/// <summary>What a limiter does when its store (e.g. Redis) fails or does not answer within the timeout.</summary>
public enum StoreFailurePolicy
{
    /// <summary>
    /// Decide with a process-local in-memory store and a stricter rule (the limit scaled by the fallback
    /// factor). The default: protection stays on and the service stays available.
    /// </summary>
    FallbackToMemory = 0,

    /// <summary>Deny every request while the store is unavailable (safest, an outage becomes a denial of service).</summary>
    FailClosed = 1,

    /// <summary>Allow every request while the store is unavailable (no protection during the outage).</summary>
    FailOpen = 2,
}
