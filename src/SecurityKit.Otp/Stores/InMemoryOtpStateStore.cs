using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp.Stores;

/// <summary>
/// An in-process <see cref="IOtpStateStore"/> for a single instance, tests and development.
/// </summary>
/// <remarks>
/// <para>Thread-safe: every operation runs under one lock, so <see cref="TryAcceptAsync"/> is atomic.
/// Entries expire by the injected <see cref="TimeProvider"/>. Memory is bounded: at most
/// <c>maxEntries</c> entries (counters plus failure counts); when full, expired entries are purged and then
/// the entries closest to expiry are evicted (a tenth of the capacity at a time).</para>
/// <para><b>Security:</b> state is lost on restart and is not shared between instances, so a code accepted by
/// one instance can be replayed on another; use the Redis store when more than one instance verifies codes.
/// Evicting an HOTP counter (no expiry) under a flood makes that credential fail closed
/// (<see cref="OtpVerificationStatus.CounterLost"/>: the user enrolls again), and evicting a TOTP step lets its code be
/// accepted once more within its window; size the store for your users.</para>
/// </remarks>
public sealed class InMemoryOtpStateStore : IOtpStateStore
{
    /// <summary>The default capacity (100 000 entries).</summary>
    public const int DefaultMaxEntries = 100_000;

    private const string FailureCounter = "";
    private readonly Lock _lock = new();
    private readonly Dictionary<(string User, string Counter), Entry> _entries = new();
    private readonly TimeProvider _timeProvider;
    private readonly int _maxEntries;

    /// <summary>Initializes the store.</summary>
    /// <param name="timeProvider">The clock used for expiry.</param>
    /// <param name="maxEntries">The capacity, 10 to 10 000 000.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEntries"/> is out of range.</exception>
    public InMemoryOtpStateStore(TimeProvider timeProvider, int maxEntries = DefaultMaxEntries)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxEntries, 10_000_000);
        _timeProvider = timeProvider;
        _maxEntries = maxEntries;
    }

    /// <summary>Gets the number of entries held, including expired ones not yet purged.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<OtpAcceptOutcome> TryAcceptAsync(string userId, string counterName, long value, TimeSpan? retention, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        StoreArguments.CounterName(counterName);
        StoreArguments.AcceptedValue(value);
        StoreArguments.Retention(retention);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // Read under the lock: a reading taken before waiting for it could shorten an expiry a later caller set.
            var now = _timeProvider.GetUtcNow().UtcTicks;
            long? previous = _entries.TryGetValue((userId, counterName), out var entry) && entry.ExpiresAt > now ? entry.Value : null;
            if (previous >= value)
            {
                return ValueTask.FromResult(new OtpAcceptOutcome(false, previous));
            }

            Set((userId, counterName), new Entry(value, retention is { } r ? ExpiryAfter(now, r) : long.MaxValue), now);
            return ValueTask.FromResult(new OtpAcceptOutcome(true, previous));
        }
    }

    /// <inheritdoc />
    public ValueTask<long?> GetLastAcceptedAsync(string userId, string counterName, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        StoreArguments.CounterName(counterName);
        var now = _timeProvider.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            return ValueTask.FromResult<long?>(_entries.TryGetValue((userId, counterName), out var entry) && entry.ExpiresAt > now ? entry.Value : null);
        }
    }

    /// <inheritdoc />
    public ValueTask RemoveCounterAsync(string userId, string counterName, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        StoreArguments.CounterName(counterName);
        lock (_lock)
        {
            _entries.Remove((userId, counterName));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<int> GetFailureCountAsync(string userId, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        var now = _timeProvider.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            return ValueTask.FromResult((int)LiveFailures(userId, now));
        }
    }

    /// <inheritdoc />
    public ValueTask<int> RecordFailureAsync(string userId, TimeSpan window, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        StoreArguments.Retention(window);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow().UtcTicks; // under the lock, as above
            var count = LiveFailures(userId, now);
            count = Math.Min(count + 1, int.MaxValue);
            Set((userId, FailureCounter), new Entry(count, ExpiryAfter(now, window)), now);
            return ValueTask.FromResult((int)count);
        }
    }

    /// <inheritdoc />
    public ValueTask<OtpFailureRecord> RecordFailureBelowLimitAsync(string userId, TimeSpan window, int limit, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        StoreArguments.Retention(window);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow().UtcTicks; // under the lock, as above
            var count = LiveFailures(userId, now);
            if (count >= limit)
            {
                return ValueTask.FromResult(new OtpFailureRecord(false, (int)Math.Min(count, int.MaxValue))); // window untouched
            }

            count++;
            Set((userId, FailureCounter), new Entry(count, ExpiryAfter(now, window)), now);
            return ValueTask.FromResult(new OtpFailureRecord(true, (int)count));
        }
    }

    /// <summary>The user's failure count still inside its window at <paramref name="now"/>; call under the lock.</summary>
    private long LiveFailures(string userId, long now) =>
        _entries.TryGetValue((userId, FailureCounter), out var entry) && entry.ExpiresAt > now ? entry.Value : 0;

    /// <inheritdoc />
    public ValueTask ResetFailuresAsync(string userId, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        lock (_lock)
        {
            _entries.Remove((userId, FailureCounter));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The expiry <paramref name="span"/> after <paramref name="now"/> (ticks), saturating: a huge retention or
    /// window (<see cref="TimeSpan.MaxValue"/>) means "never", not an overflow into the past that forgets the entry at
    /// once (which would let a just-accepted code be accepted again and keep every failure count at 1).</summary>
    private static long ExpiryAfter(long now, TimeSpan span) => span.Ticks > long.MaxValue - now ? long.MaxValue : now + span.Ticks;

    private void Set((string, string) key, Entry entry, long now)
    {
        if (_entries.Count >= _maxEntries && !_entries.ContainsKey(key))
        {
            Evict(now);
        }

        _entries[key] = entry;
    }

    private void Evict(long now)
    {
        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                _entries.Remove(pair.Key);
            }
        }

        // Make room for a tenth of the capacity per scan. Returning as soon as one expired entry was purged meant that a
        // store full of entries expiring one or two at a time (replay steps, failure counts) scanned every entry, under
        // the lock every verification takes, on nearly every new key (found in review).
        var target = _maxEntries - Math.Max(1, _maxEntries / 10);
        if (_entries.Count <= target)
        {
            return;
        }

        var victims = _entries.OrderBy(p => p.Value.ExpiresAt).Take(_entries.Count - target).Select(p => p.Key).ToList();
        foreach (var key in victims)
        {
            _entries.Remove(key);
        }
    }

    private readonly record struct Entry(long Value, long ExpiresAt);
}
