using System.Collections.Concurrent;
using SecurityKit.Events;
using SecurityKit.RateLimiting.Stores;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting;

/// <summary>
/// Runs store operations under a timeout and applies the caller's <see cref="StoreFailurePolicy"/> when the
/// store throws or does not answer in time. Completed operations (the in-memory store) take a synchronous
/// path that allocates nothing.
/// </summary>
internal sealed class StoreGuard
{
    private static readonly long EventIntervalTicks = TimeSpan.FromSeconds(5).Ticks;

    private readonly ConcurrentDictionary<string, long> _lastEvent = new(StringComparer.Ordinal);

    public StoreGuard(IRateLimitStore store, InMemoryRateLimitStore fallback, TimeSpan timeout, TimeProvider timeProvider, SecurityEventPublisher events)
    {
        Store = store;
        Fallback = fallback;
        Timeout = timeout;
        TimeProvider = timeProvider;
        Events = events;
    }

    public IRateLimitStore Store { get; }

    public InMemoryRateLimitStore Fallback { get; }

    public TimeSpan Timeout { get; }

    public TimeProvider TimeProvider { get; }

    public SecurityEventPublisher Events { get; }

    public ValueTask<RateLimitDecision> AcquireAsync(string limiter, string key, RateLimitRule rule, RateLimitRule fallbackRule, StoreFailurePolicy policy, int permits, CancellationToken cancellationToken)
    {
        ValueTask<RateLimitDecision> pending;
        try
        {
            pending = Store.AcquireAsync(key, rule, permits, cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            return new(OnFailure(limiter, key, fallbackRule, policy, permits, ex));
        }

        return pending.IsCompletedSuccessfully ? pending : AwaitAsync(pending, limiter, key, fallbackRule, policy, permits, cancellationToken);
    }

    public async ValueTask<LockoutDecision> RegisterAttemptAsync(string limiter, string key, LockoutRule rule, LockoutRule fallbackRule, StoreFailurePolicy policy, CancellationToken cancellationToken)
    {
        try
        {
            var pending = Store.RegisterAttemptAsync(key, rule, cancellationToken);
            return pending.IsCompletedSuccessfully
                ? pending.Result
                : await pending.AsTask().WaitAsync(Timeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            ReportFailure(limiter, ex, policy);
            return policy switch
            {
                StoreFailurePolicy.FailOpen => new LockoutDecision(true, 0, TimeSpan.Zero) { IsDegraded = true },
                StoreFailurePolicy.FailClosed => new LockoutDecision(false, 0, Timeout) { IsDegraded = true },
                _ => Fallback.RegisterAttempt(key, fallbackRule) with { IsDegraded = true },
            };
        }
    }

    public async ValueTask ResetAsync(string limiter, string key, StoreFailurePolicy policy, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(Store, Fallback))
        {
            Fallback.Reset(key);
        }

        try
        {
            var pending = Store.ResetAsync(key, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                await pending.AsTask().WaitAsync(Timeout, TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            ReportFailure(limiter, ex, policy);
        }
    }

    private static bool IsStoreFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not (ArgumentException or OutOfMemoryException) && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private async ValueTask<RateLimitDecision> AwaitAsync(ValueTask<RateLimitDecision> pending, string limiter, string key, RateLimitRule fallbackRule, StoreFailurePolicy policy, int permits, CancellationToken cancellationToken)
    {
        try
        {
            return await pending.AsTask().WaitAsync(Timeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            return OnFailure(limiter, key, fallbackRule, policy, permits, ex);
        }
    }

    private RateLimitDecision OnFailure(string limiter, string key, RateLimitRule fallbackRule, StoreFailurePolicy policy, int permits, Exception ex)
    {
        ReportFailure(limiter, ex, policy);
        return policy switch
        {
            StoreFailurePolicy.FailOpen => new RateLimitDecision(true, 0, TimeSpan.Zero) { IsDegraded = true },
            StoreFailurePolicy.FailClosed => new RateLimitDecision(false, 0, Timeout) { IsDegraded = true },
            _ => Fallback.TryAcquire(key, fallbackRule, Math.Min(permits, fallbackRule.Limit)) with { IsDegraded = true },
        };
    }

    private void ReportFailure(string limiter, Exception ex, StoreFailurePolicy policy)
    {
        if (!Events.IsEnabled)
        {
            return;
        }

        var now = TimeProvider.GetUtcNow().UtcTicks;
        var last = _lastEvent.GetOrAdd(limiter, long.MinValue);
        if ((last != long.MinValue && now - last < EventIntervalTicks) || !_lastEvent.TryUpdate(limiter, now, last))
        {
            return;
        }

        // Only the exception type: messages of store clients can carry endpoints or keys.
        Events.Publish(
            RateLimitingEventNames.StoreUnavailable,
            SecurityEventSeverity.Warning,
            reason: ex is TimeoutException ? "timeout" : "store_error",
            properties:
            [
                new("limiter", limiter),
                new("policy", policy.ToString()),
                new("exception", ex.GetType().Name),
            ]);
    }
}
