/*
 * In-memory state, one Entry per key (ConcurrentDictionary<string, Entry>, ordinal keys).
 * Time is the injected TimeProvider's monotonic timestamp, converted to 100 ns ticks since the store was
 * created ("now"). Windows are aligned to that epoch. With TimeProvider.System, rate-limit checks read
 * SystemCoarseClock (a copy refreshed every millisecond) instead of the OS clock; lockout counters always
 * read the provider.
 *
 *   TokenBucket (GCRA)  State = IEEE-754 bits of the theoretical arrival time (TAT, ticks, double).
 *                       Lock-free: one Interlocked.CompareExchange per granted check.
 *                       Expired when TAT <= now (the bucket is full again).
 *   FixedWindow         State = (windowIndex << 24) | count, windowIndex = now / window (40 bits), count < 2^24.
 *                       Lock-free: one Interlocked.CompareExchange per granted check.
 *                       Expired when (windowIndex + 1) * window <= now.
 *   SlidingWindow       State as for the fixed window (the window the key is in, and its count); Previous =
 *                       (windowIndex << 24) | count of the window before windowIndex, raised (never lowered) before
 *                       the compare-and-swap that moves State into windowIndex. Lock-free: one compare-and-swap per
 *                       granted check, two at most once per window. Expired when (windowIndex + 2) * window <= now.
 *   Lockout             Failures, Last (ticks), Lifetime under a per-entry monitor.
 *                       Expired when Last + Lifetime <= now unless permanently locked.
 *
 * Removal (reset, sweep, eviction) first marks the entry dead (State = long.MinValue, or Dead = true under
 * its monitor) and only then removes it, so an operation racing with the removal never counts into an entry
 * that is no longer in the dictionary: it sees the mark, helps remove the entry and retries on a fresh one.
 */
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Stores;

/// <summary>
/// The in-memory <see cref="IRateLimitStore"/>: exact under concurrency, expiring by <see cref="TimeProvider"/>,
/// bounded by <see cref="InMemoryRateLimitStoreOptions.MaxEntries"/>.
/// </summary>
/// <remarks>
/// <para>Checks on an existing key allocate nothing and are lock-free (one compare-and-swap per granted check; a
/// sliding window moving into a new window, two); lockout counters take a per-key monitor. With
/// <see cref="TimeProvider.System"/>, rate-limit checks read a process-wide timestamp refreshed every millisecond
/// (one timer per process) rather than the OS clock. A lag makes windows slightly stricter, but a token bucket charged
/// under a lagging reading refills that much earlier: up to lag ÷ (window / limit) extra permits (≈1 ms normally).</para>
/// <para><b>Eviction:</b> when a new key would exceed <see cref="InMemoryRateLimitStoreOptions.MaxEntries"/>, expired
/// entries are removed, then (if still full) the 10% of the entries holding the least of their limit (a key that used 1
/// request of 1,000 before one that used 900, a lockout counter with one failure before one past its free attempts;
/// at equal weight rate-limit entries before lockout counters, then soonest expiry first; permanent locks last).
/// A flood of distinct keys can therefore shorten the memory of other keys, never grow memory without bound
/// (the bound can be exceeded by at most the number of concurrent callers).</para>
/// <para><b>Security:</b> state is per process: several instances behind a load balancer each count on their
/// own; use SecurityKit.Redis there. This type is thread-safe.</para>
/// </remarks>
public sealed class InMemoryRateLimitStore : IRateLimitStore
{
    private const long Dead = long.MinValue;
    private const int CountBits = 24;
    private const long CountMask = (1L << CountBits) - 1;

    // The default comparer (ordinal) lets ConcurrentDictionary use its fast non-randomized string hashing,
    // switching to randomized hashing by itself if it detects a collision flood.
    private readonly ConcurrentDictionary<string, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _entriesBySpan;
    private readonly TimeProvider _timeProvider;
    private readonly long _epoch;
    private readonly double _ticksPerTimestamp;
    private readonly bool _coarse;
    private readonly int _maxEntries;
    private readonly long _sweepIntervalTicks;
    private int _count;
    private int _maintenance;
    private long _lastSweep;

    /// <summary>Initializes a store with default bounds and the system clock.</summary>
    public InMemoryRateLimitStore()
        : this(new InMemoryRateLimitStoreOptions(), TimeProvider.System)
    {
    }

    /// <summary>Initializes a store.</summary>
    /// <param name="options">The bounds.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range.</exception>
    public InMemoryRateLimitStore(InMemoryRateLimitStoreOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEntries, InMemoryRateLimitStoreOptions.MinMaxEntries, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxEntries, InMemoryRateLimitStoreOptions.MaxMaxEntries, nameof(options));
        if (options.SweepInterval < InMemoryRateLimitStoreOptions.MinSweepInterval || options.SweepInterval > InMemoryRateLimitStoreOptions.MaxSweepInterval)
        {
            // A full scan per new key (attackers choose new keys) would keep a core busy; a day is plenty.
            throw new ArgumentOutOfRangeException(nameof(options), options.SweepInterval, "SweepInterval must be between 1 second and 1 day.");
        }

        _entriesBySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        _timeProvider = timeProvider;
        _maxEntries = options.MaxEntries;
        _sweepIntervalTicks = options.SweepInterval.Ticks;
        _coarse = ReferenceEquals(timeProvider, TimeProvider.System);
        if (_coarse)
        {
            SystemCoarseClock.EnsureStarted();
        }

        _epoch = _coarse ? SystemCoarseClock.Timestamp : timeProvider.GetTimestamp();
        _ticksPerTimestamp = (double)TimeSpan.TicksPerSecond / timeProvider.TimestampFrequency;
    }

    /// <summary>Gets the number of keys held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Gets the configured maximum number of keys.</summary>
    public int MaxEntries => _maxEntries;

    /// <inheritdoc />
    public ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimitRule rule, int permits = 1, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<RateLimitDecision>(cancellationToken)
            : new(TryAcquire(key, rule, permits));

    /// <inheritdoc />
    public ValueTask<LockoutDecision> RegisterAttemptAsync(string key, LockoutRule rule, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<LockoutDecision>(cancellationToken)
            : new(RegisterAttempt(key, rule));

    /// <inheritdoc />
    public ValueTask ResetAsync(string key, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Reset(key);
        return ValueTask.CompletedTask;
    }

    /// <summary>The synchronous form of <see cref="AcquireAsync"/>: checks and, when allowed, consumes permits atomically.</summary>
    /// <param name="key">The key, 1 to <see cref="IRateLimitStore.MaxKeyLength"/> characters.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="permits">The permits, 0 (report only) to <see cref="RateLimitRule.Limit"/>.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">An argument is not valid.</exception>
    public RateLimitDecision TryAcquire(string key, RateLimitRule rule, int permits = 1)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(rule);
        if ((uint)permits > (uint)rule.Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(permits), permits, "Permits must be between 0 and the rule's limit.");
        }

        var now = CheckNow();
        while (true)
        {
            var entry = GetOrAdd(key, (byte)rule.Algorithm, rule.Window.Ticks, rule.Limit, now);
            if (TryDecide(entry, rule, permits, now, out var decision))
            {
                return decision;
            }

            Remove(key, entry); // a dead entry whose killer has not removed it yet: whoever removes it decrements the count
        }
    }

    /// <summary>
    /// <see cref="TryAcquire(string, RateLimitRule, int)"/> for a key held in a span (e.g. composed on the stack): an
    /// existing key with the same rule is checked without allocating; only a new key allocates its string.
    /// </summary>
    /// <param name="key">The key, 1 to <see cref="IRateLimitStore.MaxKeyLength"/> characters.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="permits">The permits to consume, 0 to the rule's limit.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">An argument is not valid.</exception>
    internal RateLimitDecision TryAcquire(ReadOnlySpan<char> key, RateLimitRule rule, int permits)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (key.IsEmpty || key.Length > IRateLimitStore.MaxKeyLength || (uint)permits > (uint)rule.Limit
            || !_entriesBySpan.TryGetValue(key, out var entry) || entry.Kind != (byte)rule.Algorithm || entry.WindowTicks != rule.Window.Ticks)
        {
            // New key, another rule, or an argument the string path rejects with its message.
            return TryAcquire(key.ToString(), rule, permits);
        }

        // A dead entry (reset or evicted meanwhile): the string path removes it and starts over.
        return TryDecide(entry, rule, permits, CheckNow(), out var decision) ? decision : TryAcquire(key.ToString(), rule, permits);
    }

    /// <summary>Runs just before a sliding-window check moves a key into a new window (tests: to interleave racing movers).</summary>
    internal Action? BeforeWindowMove { get; set; }

    /// <summary>The time of a rate-limit check: the process-wide coarse clock with <see cref="TimeProvider.System"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long CheckNow() => _coarse ? Math.Max(0, (long)((SystemCoarseClock.Timestamp - _epoch) * _ticksPerTimestamp)) : Now();

    /// <summary>Runs the rule's algorithm on <paramref name="entry"/>; <see langword="false"/> when the entry is dead.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryDecide(Entry entry, RateLimitRule rule, int permits, long now, out RateLimitDecision decision) => rule.Algorithm switch
    {
        RateLimitAlgorithm.TokenBucket => TryGcra(entry, rule, permits, now, out decision),
        RateLimitAlgorithm.FixedWindow => TryFixedWindow(entry, rule, permits, now, out decision),
        _ => TrySlidingWindow(entry, rule, permits, now, out decision),
    };

    /// <summary>The synchronous form of <see cref="RegisterAttemptAsync"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="rule">The lockout curve.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">An argument is not valid.</exception>
    public LockoutDecision RegisterAttempt(string key, LockoutRule rule)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(rule);
        var now = Now();
        while (true)
        {
            var entry = GetOrAdd(key, Entry.LockoutKind, 0, 1, now);
            lock (entry)
            {
                if (!entry.IsDead)
                {
                    return RegisterAttemptLocked(entry, rule, now);
                }
            }

            Remove(key, entry); // a dead entry whose killer has not removed it yet: whoever removes it decrements the count
        }
    }

    /// <summary>The synchronous form of <see cref="ResetAsync"/>.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="ArgumentException">The key is not valid.</exception>
    public void Reset(string key)
    {
        ValidateKey(key);
        if (_entries.TryGetValue(key, out var entry))
        {
            Kill(entry);
            Remove(key, entry);
        }
    }

    /// <summary>The eviction weight of a key now (tests): the share of its limit it holds; -1 when the key is absent.</summary>
    internal double WeightOf(string key) =>
        _entries.TryGetValue(key, out var entry) ? entry.Weight(entry.Kind == Entry.LockoutKind ? Now() : CheckNow()) : -1;

    /// <summary>Kills a key's entry without removing it, as a racing reset or eviction leaves it for a moment (tests).</summary>
    /// <param name="key">The key.</param>
    internal void KillWithoutRemoving(string key)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            Kill(entry);
        }
    }

    private static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > IRateLimitStore.MaxKeyLength)
        {
            throw new ArgumentException($"Rate-limit keys are at most {IRateLimitStore.MaxKeyLength} characters.", nameof(key));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Now() => (long)((_timeProvider.GetTimestamp() - _epoch) * _ticksPerTimestamp);

    // "Remaining" is floor((tau − ahead) / interval); a value within a millionth of a permit below an integer counts as
    // that integer, so the rounding of doubles (here ticks since the store's epoch, in Redis µs since the Unix epoch)
    // never makes two stores disagree by one permit at an exact refill boundary. The Redis script uses the same value.
    private const double GcraRemainingTolerance = 1e-6;

    private static bool TryGcra(Entry entry, RateLimitRule rule, int permits, long now, out RateLimitDecision decision)
    {
        double interval = (double)rule.Window.Ticks / rule.Limit;
        double tau = rule.Window.Ticks;
        while (true)
        {
            var state = Volatile.Read(ref entry.State);
            if (state == Dead)
            {
                decision = default;
                return false;
            }

            // Work on "ahead" (TAT − now), a small number, so rounding never loses a permit.
            double ahead = Math.Max(BitConverter.Int64BitsToDouble(state) - now, 0);
            double newAhead = ahead + (permits * interval);
            if (permits == 0 || newAhead - tau > 0.5)
            {
                long remaining = Math.Max(0, (long)Math.Floor(((tau - ahead) / interval) + GcraRemainingTolerance));
                decision = permits == 0
                    ? new RateLimitDecision(remaining >= 1, remaining, remaining >= 1 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling(ahead + interval - tau))))
                    : new RateLimitDecision(false, remaining, TimeSpan.FromTicks(Math.Max(1, (long)Math.Ceiling(newAhead - tau))));
                return true;
            }

            double newTat = now + newAhead;
            if (Interlocked.CompareExchange(ref entry.State, BitConverter.DoubleToInt64Bits(newTat), state) == state)
            {
                long remaining = (long)Math.Floor(((tau - newAhead) / interval) + GcraRemainingTolerance);
                decision = new RateLimitDecision(true, Math.Max(0, remaining), TimeSpan.Zero);
                return true;
            }
        }
    }

    private static bool TryFixedWindow(Entry entry, RateLimitRule rule, int permits, long now, out RateLimitDecision decision)
    {
        long window = rule.Window.Ticks;
        long index = now / window;
        while (true)
        {
            var state = Volatile.Read(ref entry.State);
            if (state == Dead)
            {
                decision = default;
                return false;
            }

            // A caller whose clock reading is older than the entry's window (it read the clock, then another caller
            // moved the key to the next window) is decided in that window: a key's window never moves back.
            long stored = state >>> CountBits;
            long at = stored > index ? stored : index;
            long count = stored == at ? state & CountMask : 0;
            long left = rule.Limit - count;
            if (permits == 0 || permits > left)
            {
                bool allowed = permits == 0 && left >= 1;
                decision = new RateLimitDecision(allowed, Math.Max(0, left), allowed ? TimeSpan.Zero : TimeSpan.FromTicks(((at + 1) * window) - Math.Max(now, at * window)));
                return true;
            }

            if (Interlocked.CompareExchange(ref entry.State, (at << CountBits) | (count + permits), state) == state)
            {
                decision = new RateLimitDecision(true, left - permits, TimeSpan.Zero);
                return true;
            }
        }
    }

    private bool TrySlidingWindow(Entry entry, RateLimitRule rule, int permits, long now, out RateLimitDecision decision)
    {
        long window = rule.Window.Ticks;
        long index = now / window;
        while (true)
        {
            // State first, then the previous window's count: a check that moves the key into a new window raises
            // Previous before its compare-and-swap on State, so this order never sees a State without its Previous.
            var state = Volatile.Read(ref entry.State);
            if (state == Dead)
            {
                decision = default;
                return false;
            }

            long previousState = Volatile.Read(ref entry.Previous);
            long stored = state >>> CountBits;

            // A caller whose clock reading is older than the key's window (it read the clock, then another caller moved
            // the key on, or is moving it: Previous is already tagged with the newer window) is decided at the start of
            // that window, where the previous window weighs fully: a key's window never moves back.
            long at = Math.Max(index, Math.Max(stored, previousState >>> CountBits));
            long elapsed = at == index ? now - (index * window) : 0;
            long current, previous;
            if (stored == at)
            {
                current = state & CountMask;
                previous = previousState & CountMask; // tagged with this window (see above)
            }
            else
            {
                current = 0;
                previous = stored == at - 1 ? state & CountMask : 0;
            }

            decision = SlidingWindowMath.Decide(previous, current, rule.Limit, permits, window, elapsed);
            if (!decision.IsAllowed || permits == 0)
            {
                return true; // like the Redis script, only a granted check writes
            }

            if (stored != at)
            {
                // Moving into window `at`: record the count of window `at` − 1 first. Racing movers may have read an
                // older count of it (a caller still in that window can add to it until one mover's compare-and-swap
                // below succeeds), so Previous only ever grows: tagged with the window, then the count. The mover
                // whose compare-and-swap succeeds read the final count, and wrote it here first.
                BeforeWindowMove?.Invoke();
                RaiseTo(ref entry.Previous, (at << CountBits) | previous);
            }

            if (Interlocked.CompareExchange(ref entry.State, (at << CountBits) | (current + permits), state) == state)
            {
                return true;
            }
        }
    }

    private static void RaiseTo(ref long location, long value)
    {
        long seen = Volatile.Read(ref location);
        while (seen < value)
        {
            long was = Interlocked.CompareExchange(ref location, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    private static LockoutDecision RegisterAttemptLocked(Entry entry, LockoutRule rule, long now)
    {
        entry.Lifetime = rule.FailureWindow.Ticks;
        entry.Scale = rule.FreeAttempts;
        if (entry.Failures > 0)
        {
            // A reading older than the last recorded attempt (taken before waiting for the monitor) counts as that
            // attempt's time: the last attempt's time never moves back, so a lock never ends early.
            now = Math.Max(now, entry.Last);
            bool hardStop = entry.Failures >= rule.MaxConsecutiveFailures;
            if (hardStop && rule.Permanent)
            {
                return new LockoutDecision(false, entry.Failures, TimeSpan.MaxValue);
            }

            long expires = entry.Last + rule.FailureWindow.Ticks;
            if (now >= expires)
            {
                entry.Failures = 0;
            }
            else
            {
                long lockEnd = hardStop ? expires : entry.Last + rule.GetDelay(entry.Failures).Ticks;
                if (now < lockEnd)
                {
                    return new LockoutDecision(false, entry.Failures, TimeSpan.FromTicks(lockEnd - now));
                }
            }
        }

        entry.Failures++;
        entry.Last = now;
        entry.Permanent = rule.Permanent && entry.Failures >= rule.MaxConsecutiveFailures;
        var next = entry.Failures >= rule.MaxConsecutiveFailures
            ? (rule.Permanent ? TimeSpan.MaxValue : rule.FailureWindow)
            : rule.GetDelay(entry.Failures);
        return new LockoutDecision(true, entry.Failures, next);
    }

    private Entry GetOrAdd(string key, byte kind, long windowTicks, int scale, long now)
    {
        while (true)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (entry.Kind == kind && entry.WindowTicks == windowTicks)
                {
                    return entry;
                }

                // The key is used with another algorithm or window: start over under the new rule.
                var replacement = new Entry(kind, windowTicks) { Scale = scale };
                if (_entries.TryUpdate(key, replacement, entry))
                {
                    Kill(entry);
                    return replacement;
                }

                continue;
            }

            if (Volatile.Read(ref _count) >= _maxEntries)
            {
                MakeRoom(now, force: true);
            }

            var created = new Entry(kind, windowTicks) { Scale = scale };
            if (_entries.TryAdd(key, created))
            {
                Interlocked.Increment(ref _count);
                if (now - Volatile.Read(ref _lastSweep) >= _sweepIntervalTicks)
                {
                    MakeRoom(now, force: false);
                }

                return created;
            }
        }
    }

    private void Remove(string key, Entry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private static void Kill(Entry entry)
    {
        if (entry.Kind != Entry.LockoutKind)
        {
            Interlocked.Exchange(ref entry.State, Dead);
        }
        else
        {
            lock (entry)
            {
                entry.IsDead = true;
            }
        }
    }

    private static bool TryKillIfExpired(Entry entry, long now)
    {
        switch (entry.Kind)
        {
            case Entry.GcraKind:
            case Entry.FixedKind:
            case Entry.SlidingKind:
                var state = Volatile.Read(ref entry.State);
                return state != Dead && entry.ExpiresAt(state) <= now && Interlocked.CompareExchange(ref entry.State, Dead, state) == state;
            default:
                lock (entry)
                {
                    if (!entry.IsDead && entry.ExpiresAt(0) <= now)
                    {
                        entry.IsDead = true;
                        return true;
                    }

                    return false;
                }
        }
    }

    // One caller at a time; others carry on (the bound may be exceeded by the number of concurrent callers).
    private void MakeRoom(long now, bool force)
    {
        if (Interlocked.CompareExchange(ref _maintenance, 1, 0) != 0)
        {
            return;
        }

        try
        {
            // Judge expiry by the earlier of the two clocks: checks read the coarse clock, which may lag the precise one a
            // lockout insert passes in; a sweep on the precise reading could drop a window the checks are still in and
            // hand them a fresh count (found in review). The earlier reading only keeps entries a little longer.
            now = Math.Min(now, CheckNow());
            Volatile.Write(ref _lastSweep, now);
            foreach (var pair in _entries)
            {
                if (TryKillIfExpired(pair.Value, now))
                {
                    Remove(pair.Key, pair.Value);
                }
            }

            int target = _maxEntries - (_maxEntries / 10);
            if (!force || Volatile.Read(ref _count) <= target)
            {
                return;
            }

            // The entries holding the least of their limit go first (a fresh key's 1 request of 1,000, a lockout counter's
            // first failure), so what a flood of new keys can push out is what is cheapest to lose. At equal weight,
            // rate-limit entries before lockout counters, then soonest expiry first. By expiry alone, a flood of cheap API
            // requests under a long window evicted every 24-hour lockout counter; with every rate-limit entry before any
            // lockout counter, failures against fresh accounts evicted every drained per-address bucket of the login
            // store, and a blocked address had a fresh budget (both found in review).
            var snapshot = _entries.ToArray();
            var expiries = new (double Weight, bool Lockout, long ExpiresAt)[snapshot.Length];
            for (int i = 0; i < snapshot.Length; i++)
            {
                var entry = snapshot[i].Value;
                expiries[i] = entry.Kind == Entry.LockoutKind
                    ? (entry.Weight(now), true, entry.ExpiresAt(0))
                    : (entry.Weight(now), false, entry.ExpiresAt(Volatile.Read(ref entry.State)));
            }

            Array.Sort(expiries, snapshot);
            for (int i = 0; i < snapshot.Length && Volatile.Read(ref _count) > target; i++)
            {
                Kill(snapshot[i].Value);
                Remove(snapshot[i].Key, snapshot[i].Value);
            }
        }
        finally
        {
            Volatile.Write(ref _maintenance, 0);
        }
    }

    private sealed class Entry(byte kind, long windowTicks)
    {
        public const byte GcraKind = (byte)RateLimitAlgorithm.TokenBucket;
        public const byte FixedKind = (byte)RateLimitAlgorithm.FixedWindow;
        public const byte SlidingKind = (byte)RateLimitAlgorithm.SlidingWindow;
        public const byte LockoutKind = 3;

        public readonly byte Kind = kind;
        public readonly long WindowTicks = windowTicks;

        // What a full count is, for eviction only: the rule's limit (fixed and sliding windows; set when the entry is
        // created), or the lockout rule's free attempts (guarded by lock(this), read without it). Approximate when a key's
        // rule changes its limit but not its algorithm or window.
        public int Scale = 1;

        // Lock-free kinds.
        public long State;
        public long Previous; // sliding window: (window index << 24) | count of the window before it

        // Lockout (guarded by lock(this)).
        public bool IsDead;
        public int Failures;
        public long Last;
        public long Lifetime;
        public bool Permanent;

        /// <summary>How much of its limit the entry holds at <paramref name="now"/>: 0 for a fresh key, 1 or more for a key
        /// being refused (a rate limit used up, a lockout counter past its free attempts), infinity for a permanent lock.
        /// Evicting an entry hands its key that much of a fresh budget back.</summary>
        public double Weight(long now)
        {
            switch (Kind)
            {
                case GcraKind:
                    var state = Volatile.Read(ref State);
                    return state == Dead ? 0 : Math.Max(0, BitConverter.Int64BitsToDouble(state) - now) / WindowTicks;
                case FixedKind:
                case SlidingKind:
                    state = Volatile.Read(ref State);
                    if (state == Dead)
                    {
                        return 0;
                    }

                    long index = now / WindowTicks;
                    long stored = state >>> CountBits;
                    double remainingOfWindow = 1 - ((double)(now - (index * WindowTicks)) / WindowTicks);
                    double count = stored >= index ? state & CountMask : 0;
                    if (Kind == SlidingKind)
                    {
                        var previous = Volatile.Read(ref Previous);
                        count = stored >= index
                            ? count + ((previous >>> CountBits) == stored ? (previous & CountMask) * remainingOfWindow : 0)
                            : stored == index - 1 ? (state & CountMask) * remainingOfWindow : 0;
                    }

                    return count / Math.Max(1, Volatile.Read(ref Scale));
                default:
                    return Permanent ? double.PositiveInfinity : (double)Failures / Math.Max(1, Scale);
            }
        }

        public long ExpiresAt(long state) => Kind switch
        {
            GcraKind => (long)Math.Ceiling(BitConverter.Int64BitsToDouble(state)),
            FixedKind => ((state >>> CountBits) + 1) * WindowTicks,
            SlidingKind => ((state >>> CountBits) + 2) * WindowTicks,
            _ => Permanent ? long.MaxValue : Last + Lifetime,
        };
    }
}
