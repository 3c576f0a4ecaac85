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
/// <remarks>
/// After <see cref="TimeoutsToSkip"/> consecutive calls time out, the store is skipped for one <see cref="Timeout"/> (the
/// policy applies at once), then one call at a time probes it while the others keep skipping, until a probe answers:
/// during an outage, when a remote store hangs until the timeout, only the probes wait, not every request. One slow call
/// (a GC pause) does not trip it, and neither do errors that come back fast (a server error on one key): they cost no
/// waiting. Resets are never skipped: they are rare, and a dropped reset would leave a user's failures counted.
/// </remarks>
internal sealed class StoreGuard
{
    /// <summary>Consecutive timed-out calls after which the store is skipped for one timeout.</summary>
    internal const int TimeoutsToSkip = 3;

    private readonly long _eventIntervalTimestampTicks;

    private readonly ConcurrentDictionary<string, long> _lastEvent = new(StringComparer.Ordinal);
    private readonly long _skipTimestampTicks;

    // Closed (long.MinValue): every call goes to the store. Otherwise calls skip the store until this timestamp, then
    // one probe at a time (_probing) goes to it.
    private long _skipUntil = long.MinValue;

    // A store that can answer asynchronously gets a token this guard cancels when it stops waiting (the timeout): a check
    // still queued in the store (the Redis store's batching queue) is then dropped, never sent. Without it, under overload
    // the server spent itself on checks nobody waited for any more (found in review). The in-memory store answers at once.
    private readonly bool _remote;
    private int _probing;
    private int _consecutiveTimeouts;

    public StoreGuard(IRateLimitStore store, InMemoryRateLimitStore fallback, TimeSpan timeout, TimeProvider timeProvider, SecurityEventPublisher events)
    {
        Store = store;
        _remote = store is not InMemoryRateLimitStore;
        Fallback = fallback;
        Timeout = timeout;
        TimeProvider = timeProvider;
        Events = events;
        _skipTimestampTicks = (long)Math.Ceiling(timeout.TotalSeconds * timeProvider.TimestampFrequency);
        _eventIntervalTimestampTicks = 5 * timeProvider.TimestampFrequency;
    }

    public IRateLimitStore Store { get; }

    public InMemoryRateLimitStore Fallback { get; }

    public TimeSpan Timeout { get; }

    public TimeProvider TimeProvider { get; }

    public SecurityEventPublisher Events { get; }

    public ValueTask<RateLimitDecision> AcquireAsync(string limiter, string key, RateLimitRule rule, RateLimitRule fallbackRule, StoreFailurePolicy policy, int permits, CancellationToken cancellationToken)
    {
        if (SkipStore(out var probe))
        {
            return new(Decide(key, fallbackRule, policy, permits));
        }

        ValueTask<RateLimitDecision> pending;
        var abandon = !_remote ? null : cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : new CancellationTokenSource();
        try
        {
            pending = Store.AcquireAsync(key, rule, permits, abandon?.Token ?? cancellationToken);
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            abandon?.Dispose();
            Failed(probe, ex);
            return new(OnFailure(limiter, key, fallbackRule, policy, permits, ex));
        }
        catch
        {
            abandon?.Dispose();
            EndProbe(probe);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            abandon?.Dispose();
            Answered(probe);
            return pending;
        }

        return AwaitAsync(pending, abandon, probe, limiter, key, fallbackRule, policy, permits, cancellationToken);
    }

    public async ValueTask<LockoutDecision> RegisterAttemptAsync(string limiter, string key, LockoutRule rule, LockoutRule fallbackRule, StoreFailurePolicy policy, CancellationToken cancellationToken)
    {
        if (SkipStore(out var probe))
        {
            return Decide(key, fallbackRule, policy);
        }

        try
        {
            var pending = Store.RegisterAttemptAsync(key, rule, cancellationToken);
            var decision = pending.IsCompletedSuccessfully
                ? pending.Result
                : await pending.AsTask().WaitAsync(Timeout, TimeProvider, cancellationToken).ConfigureAwait(false);
            Answered(probe);
            return decision;
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            Failed(probe, ex);
            ReportFailure(limiter, ex, policy);
            return Decide(key, fallbackRule, policy);
        }
        catch
        {
            EndProbe(probe);
            throw;
        }
    }

    /// <summary>Deletes a key in the store (and in the fallback). Never skipped, bounded by the timeout.</summary>
    /// <returns><see langword="true"/> when the store confirmed it; <see langword="false"/> when it failed (reported).</returns>
    public async ValueTask<bool> ResetAsync(string limiter, string key, StoreFailurePolicy policy, CancellationToken cancellationToken)
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

            return true;
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            ReportFailure(limiter, ex, policy);
            return false;
        }
    }

    /// <summary>Whether this call skips the store (it timed out recently); <paramref name="probe"/> when this call is the one
    /// that tries it again.</summary>
    private bool SkipStore(out bool probe)
    {
        probe = false;
        var until = Volatile.Read(ref _skipUntil);
        if (until == long.MinValue)
        {
            return false;
        }

        if (TimeProvider.GetTimestamp() < until || Interlocked.CompareExchange(ref _probing, 1, 0) != 0)
        {
            return true;
        }

        // A failed probe may have re-armed the skip between our read and the flag: then this call is not a probe.
        var current = Volatile.Read(ref _skipUntil);
        if (current != long.MinValue && TimeProvider.GetTimestamp() < current)
        {
            Volatile.Write(ref _probing, 0);
            return true;
        }

        probe = true;
        return false;
    }

    private void Answered(bool probe)
    {
        if (Volatile.Read(ref _consecutiveTimeouts) != 0)
        {
            Volatile.Write(ref _consecutiveTimeouts, 0);
        }

        if (probe)
        {
            Volatile.Write(ref _skipUntil, long.MinValue);
            Volatile.Write(ref _probing, 0);
        }
    }

    private void Failed(bool probe, Exception ex)
    {
        // A failed probe re-arms the skip at once; otherwise only a run of timeouts trips it.
        if (probe || (ex is TimeoutException && Interlocked.Increment(ref _consecutiveTimeouts) >= TimeoutsToSkip))
        {
            Volatile.Write(ref _skipUntil, TimeProvider.GetTimestamp() + _skipTimestampTicks);
        }

        EndProbe(probe);
    }

    private void EndProbe(bool probe)
    {
        if (probe)
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    private RateLimitDecision Decide(string key, RateLimitRule fallbackRule, StoreFailurePolicy policy, int permits) => policy switch
    {
        StoreFailurePolicy.FailOpen => new RateLimitDecision(true, 0, TimeSpan.Zero) { IsDegraded = true },
        StoreFailurePolicy.FailClosed => new RateLimitDecision(false, 0, Timeout) { IsDegraded = true },
        // A request for more permits than the whole (stricter) fallback limit can never fit there: refused until the store
        // is back (it used to be granted while charging only the fallback limit, so large requests kept the primary limit).
        _ when permits > fallbackRule.Limit => new RateLimitDecision(false, 0, Timeout) { IsDegraded = true },
        _ => Fallback.TryAcquire(key, fallbackRule, permits) with { IsDegraded = true },
    };

    private LockoutDecision Decide(string key, LockoutRule fallbackRule, StoreFailurePolicy policy) => policy switch
    {
        StoreFailurePolicy.FailOpen => new LockoutDecision(true, 0, TimeSpan.Zero) { IsDegraded = true },
        StoreFailurePolicy.FailClosed => new LockoutDecision(false, 0, Timeout) { IsDegraded = true },
        _ => Fallback.RegisterAttempt(key, fallbackRule) with { IsDegraded = true },
    };

    private static bool IsStoreFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not (ArgumentException or OutOfMemoryException) && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private async ValueTask<RateLimitDecision> AwaitAsync(ValueTask<RateLimitDecision> pending, CancellationTokenSource? abandon, bool probe, string limiter, string key, RateLimitRule fallbackRule, StoreFailurePolicy policy, int permits, CancellationToken cancellationToken)
    {
        var storeTask = pending.AsTask();
        try
        {
            var decision = await storeTask.WaitAsync(Timeout, TimeProvider, cancellationToken).ConfigureAwait(false);
            Answered(probe);
            return decision;
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            Failed(probe, ex);
            return OnFailure(limiter, key, fallbackRule, policy, permits, ex);
        }
        catch
        {
            EndProbe(probe);
            throw;
        }
        finally
        {
            if (abandon is not null)
            {
                // Whatever ended the wait (the timeout, the caller's cancellation), nobody waits for this check any more:
                // withdraw it if the store has not sent it yet. Cancelled here, before the dispose, because the caller's
                // cancellation may end this wait before the linked source has seen it (a test caught the dispose winning).
                if (!storeTask.IsCompleted)
                {
                    abandon.Cancel();
                }

                abandon.Dispose();
            }
        }
    }

    private RateLimitDecision OnFailure(string limiter, string key, RateLimitRule fallbackRule, StoreFailurePolicy policy, int permits, Exception ex)
    {
        ReportFailure(limiter, ex, policy);
        return Decide(key, fallbackRule, policy, permits);
    }

    private void ReportFailure(string limiter, Exception ex, StoreFailurePolicy policy)
    {
        if (!Events.IsEnabled)
        {
            return;
        }

        var now = TimeProvider.GetTimestamp();
        var last = _lastEvent.GetOrAdd(limiter, long.MinValue);
        if ((last != long.MinValue && now - last < _eventIntervalTimestampTicks) || !_lastEvent.TryUpdate(limiter, now, last))
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
