using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions;

/// <summary>Options of <see cref="InMemorySessionStore"/>.</summary>
public sealed class InMemorySessionStoreOptions
{
    /// <summary>Gets or sets the most session records kept (active and revoked-but-not-yet-expired); at capacity, expired records are swept and, if still full, new sessions are refused.</summary>
    /// <value>The default value is 100 000 (1 to 10 000 000).</value>
    public int MaxSessions { get; set; } = 100_000;

    /// <summary>Gets or sets the most active sessions one user may hold when the caller gives no limit; beyond it the oldest are evicted.</summary>
    /// <value>The default value is 1 000.</value>
    public int MaxSessionsPerUser { get; set; } = 1_000;

    /// <summary>The longest <see cref="SweepInterval"/> accepted (1 day).</summary>
    public static readonly TimeSpan MaxSweepInterval = TimeSpan.FromDays(1);

    /// <summary>Gets or sets how often expired records are swept during writes.</summary>
    /// <value>The default value is 1 minute (1 second to <see cref="MaxSweepInterval"/>).</value>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Validates <see cref="InMemorySessionStoreOptions"/> at startup.</summary>
internal sealed class InMemorySessionStoreOptionsValidator : IValidateOptions<InMemorySessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, InMemorySessionStoreOptions options)
    {
        var errors = new List<string>();
        if (options.MaxSessions is < 1 or > 10_000_000)
        {
            errors.Add("InMemorySessionStoreOptions.MaxSessions must be between 1 and 10 000 000 (memory grows with it; use the Redis store beyond one instance).");
        }

        if (options.MaxSessionsPerUser < 1)
        {
            errors.Add("InMemorySessionStoreOptions.MaxSessionsPerUser must be at least 1.");
        }

        if (options.SweepInterval < TimeSpan.FromSeconds(1) || options.SweepInterval > InMemorySessionStoreOptions.MaxSweepInterval)
        {
            errors.Add($"InMemorySessionStoreOptions.SweepInterval is {options.SweepInterval}; set 1 second to 1 day (default: 1 minute). Sweeping cannot be turned off: it is what frees expired records.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>
/// The default <see cref="ISessionStore"/>: process memory, bounded and expiring. For a single instance;
/// use the Redis store (SecurityKit.Redis) when several instances share sessions.
/// </summary>
/// <remarks>
/// <para>Thread-safe: every operation on a user's sessions runs under that user's lock, and reads take
/// the same lock, so <see cref="RevokeAllAsync"/> is linearizable with <see cref="GetAsync"/>.</para>
/// <para>Bounded: at most <see cref="InMemorySessionStoreOptions.MaxSessions"/> records. Records are removed
/// once expired (idle or absolute, revoked ones included) by a sweep that runs during writes at most
/// every <see cref="InMemorySessionStoreOptions.SweepInterval"/> (or at once after the clock steps back). When the store is full, the oldest revoked records
/// (kept only so presenting them reports "revoked") are dropped first, 1 % of the capacity at a time, then expired
/// records are swept (at most once a second). When full of live sessions, new sessions fail with
/// <see cref="SessionStoreStatus.StoreFull"/> rather than signing other users out.</para>
/// </remarks>
public sealed class InMemorySessionStore : ISessionStore
{
    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UserState> _users = new(StringComparer.Ordinal);

    // Revoked records in revocation order. They are kept until they would have expired so presenting them reports
    // "revoked"; when the store is full they are the first to go (a revoked session fails validation either way), so
    // one account that signs in and out in a loop cannot fill the store with tombstones and lock everyone else out.
    private readonly ConcurrentQueue<Entry> _tombstones = new();
    private readonly int _maxSessions;
    private readonly int _maxPerUser;
    private readonly TimeSpan _sweepInterval;
    private readonly TimeProvider _timeProvider;
    private int _count;
    private long _nextSweepTicks;
    private long _nextFullSweepTicks;
    private int _sweeping;

    /// <summary>Initializes the store.</summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock used to schedule sweeps.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public InMemorySessionStore(InMemorySessionStoreOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSessions, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxSessions, 10_000_000, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSessionsPerUser, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SweepInterval, TimeSpan.FromSeconds(1), nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.SweepInterval, InMemorySessionStoreOptions.MaxSweepInterval, nameof(options));
        _maxSessions = options.MaxSessions;
        _maxPerUser = options.MaxSessionsPerUser;
        _sweepInterval = options.SweepInterval;
        _timeProvider = timeProvider;
    }

    /// <summary>Initializes the store from DI.</summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock.</param>
    public InMemorySessionStore(IOptions<InMemorySessionStoreOptions> options, TimeProvider timeProvider)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, timeProvider)
    {
    }

    /// <summary>Gets the number of records held (active and revoked-not-yet-expired).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc />
    public ValueTask<SessionStoreResult> CreateAsync(SessionRecord session, int? maxSessionsPerUser, SessionLimitMode limitMode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(session.UserId, nameof(session));
        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(session.UserId, nameof(session));
        if (maxSessionsPerUser is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(requested, 1, nameof(maxSessionsPerUser)); // 0 would evict every session
        }

        cancellationToken.ThrowIfCancellationRequested();
        MaybeSweep();
        if (!TryReserve())
        {
            return ValueTask.FromResult(new SessionStoreResult(SessionStoreStatus.StoreFull, 0, []));
        }

        var limit = Math.Min(maxSessionsPerUser ?? _maxPerUser, _maxPerUser);
        var mode = maxSessionsPerUser is null ? SessionLimitMode.EvictOldest : limitMode;
        while (true)
        {
            var user = _users.GetOrAdd(session.UserId, static id => new UserState(id));
            lock (user)
            {
                if (user.Dead)
                {
                    continue;
                }

                var active = user.Sessions.Where(e => IsCurrent(e, user, now)).OrderBy(e => e.Record.CreatedAt).ToList();
                List<string>? evicted = null;
                if (active.Count >= limit)
                {
                    if (mode == SessionLimitMode.RefuseNew)
                    {
                        Release();
                        return ValueTask.FromResult(new SessionStoreResult(SessionStoreStatus.LimitReached, user.Version, []));
                    }

                    evicted = [];
                    foreach (var victim in active.Take(active.Count - limit + 1))
                    {
                        victim.Record = victim.Record with { RevokedAt = now };
                        _tombstones.Enqueue(victim);
                        user.Sessions.Remove(victim);
                        evicted.Add(victim.Record.IdHash);
                    }
                }

                var entry = new Entry(session with { TokenVersion = user.Version, RevokedAt = null, ReplacedBy = null }, user);
                if (!_sessions.TryAdd(session.IdHash, entry))
                {
                    Release();
                    return ValueTask.FromResult(new SessionStoreResult(SessionStoreStatus.Duplicate, user.Version, []));
                }

                user.Sessions.Add(entry);
                return ValueTask.FromResult(new SessionStoreResult(SessionStoreStatus.Succeeded, user.Version, evicted ?? (IReadOnlyList<string>)[]));
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<SessionLookup> GetAsync(string partition, string idHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(idHash);
        if (_sessions.TryGetValue(idHash, out var entry))
        {
            lock (entry.User)
            {
                if (!entry.Removed && string.Equals(entry.Record.Partition, partition, StringComparison.Ordinal))
                {
                    return ValueTask.FromResult(new SessionLookup(entry.Record, entry.User.Version));
                }
            }
        }

        return ValueTask.FromResult(new SessionLookup(null, 0));
    }

    /// <inheritdoc />
    public ValueTask<bool> TouchAsync(string partition, string idHash, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Touch(partition, idHash, expectedLastUsedAt: null, lastUsedAt));

    /// <inheritdoc />
    public ValueTask<bool> TouchIfUnchangedAsync(string partition, string idHash, DateTimeOffset expectedLastUsedAt, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Touch(partition, idHash, expectedLastUsedAt, lastUsedAt));

    /// <summary>Records a later last use on an active session; with <paramref name="expectedLastUsedAt"/>, only while the
    /// stored last use is still that value (compare-and-set).</summary>
    private bool Touch(string partition, string idHash, DateTimeOffset? expectedLastUsedAt, DateTimeOffset lastUsedAt)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(idHash);
        if (_sessions.TryGetValue(idHash, out var entry))
        {
            lock (entry.User)
            {
                if (!entry.Removed && string.Equals(entry.Record.Partition, partition, StringComparison.Ordinal) &&
                    (expectedLastUsedAt is null || entry.Record.LastUsedAt == expectedLastUsedAt) &&
                    IsCurrent(entry, entry.User, lastUsedAt) && lastUsedAt > entry.Record.LastUsedAt)
                {
                    entry.Record = entry.Record with { LastUsedAt = lastUsedAt };
                    return true;
                }
            }
        }

        return false;
    }

    /// <inheritdoc />
    public ValueTask<SessionStoreResult> RotateAsync(string partition, string oldIdHash, string newIdHash, DateTimeOffset now, string? ipAddress, string? fingerprint, string? deviceSummary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(oldIdHash);
        ArgumentNullException.ThrowIfNull(newIdHash);
        MaybeSweep();
        if (!_sessions.TryGetValue(oldIdHash, out var old))
        {
            return ValueTask.FromResult(new SessionStoreResult(SessionStoreStatus.NotActive, 0, []));
        }

        if (!TryReserve())
        {
            return ValueTask.FromResult(new SessionStoreResult(SessionStoreStatus.StoreFull, 0, []));
        }

        var user = old.User;
        lock (user)
        {
            if (old.Removed || !string.Equals(old.Record.Partition, partition, StringComparison.Ordinal) || !IsCurrent(old, user, now))
            {
                Release();
                return ValueTask.FromResult(new SessionStoreResult(SessionStoreStatus.NotActive, user.Version, []));
            }

            var record = old.Record with
            {
                IdHash = newIdHash,
                ReplacedBy = null,
                LastUsedAt = now > old.Record.LastUsedAt ? now : old.Record.LastUsedAt, // never moves back (a stale reading)
                IpAddress = ipAddress ?? old.Record.IpAddress,
                Fingerprint = fingerprint ?? old.Record.Fingerprint,
                DeviceSummary = deviceSummary ?? old.Record.DeviceSummary,
            };
            var entry = new Entry(record, user);
            if (!_sessions.TryAdd(newIdHash, entry))
            {
                Release();
                return ValueTask.FromResult(new SessionStoreResult(SessionStoreStatus.Duplicate, user.Version, []));
            }

            old.Record = old.Record with { RevokedAt = now, ReplacedBy = newIdHash };
            _tombstones.Enqueue(old);
            // Keeps its place: among sessions created at the same instant, the first created is the oldest. (A sweep with a
            // later clock reading may already have pruned the old entry from the list as expired: then it is appended.)
            var place = user.Sessions.IndexOf(old);
            if (place >= 0)
            {
                user.Sessions[place] = entry;
            }
            else
            {
                user.Sessions.Add(entry);
            }

            return ValueTask.FromResult(new SessionStoreResult(SessionStoreStatus.Succeeded, user.Version, []));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RevokeAsync(string partition, string idHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(idHash);
        if (_sessions.TryGetValue(idHash, out var entry))
        {
            lock (entry.User)
            {
                if (!entry.Removed && entry.Record.RevokedAt is null && string.Equals(entry.Record.Partition, partition, StringComparison.Ordinal))
                {
                    // Marked even when it looks expired now (a clock stepped back would otherwise revive it); counted
                    // only when it was active, as in Redis.
                    var wasActive = IsCurrent(entry, entry.User, now);
                    entry.Record = entry.Record with { RevokedAt = now };
                    _tombstones.Enqueue(entry);
                    entry.User.Sessions.Remove(entry);
                    return ValueTask.FromResult(wasActive);
                }
            }
        }

        return ValueTask.FromResult(false);
    }

    /// <inheritdoc />
    public ValueTask<int> RevokeAllAsync(string partition, string userId, string? exceptIdHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(userId);
        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(userId, nameof(userId));
        while (_users.TryGetValue(userId, out var user))
        {
            lock (user)
            {
                if (user.Dead)
                {
                    continue;
                }

                var count = 0;
                var version = user.Version + 1;
                foreach (var entry in user.Sessions.ToArray())
                {
                    if (!IsCurrent(entry, user, now))
                    {
                        user.Sessions.Remove(entry);
                        continue;
                    }

                    if (exceptIdHash is not null && string.Equals(entry.Record.IdHash, exceptIdHash, StringComparison.Ordinal))
                    {
                        entry.Record = entry.Record with { TokenVersion = version };
                    }
                    else
                    {
                        entry.Record = entry.Record with { RevokedAt = now };
                        _tombstones.Enqueue(entry);
                        user.Sessions.Remove(entry);
                        count++;
                    }
                }

                user.Version = version;
                return ValueTask.FromResult(count);
            }
        }

        return ValueTask.FromResult(0);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SessionRecord>> ListAsync(string partition, string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(userId);
        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(userId, nameof(userId));
        if (_users.TryGetValue(userId, out var user))
        {
            lock (user)
            {
                IReadOnlyList<SessionRecord> list = user.Sessions.Where(e => IsCurrent(e, user, now)).Select(e => e.Record).OrderBy(r => r.CreatedAt).ToList();
                return ValueTask.FromResult(list);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<SessionRecord>>([]);
    }

    /// <summary>Removes every expired record now (normally done during writes).</summary>
    /// <returns>The number of records removed.</returns>
    public int Sweep()
    {
        var now = _timeProvider.GetUtcNow();
        var removed = 0;
        foreach (var (idHash, entry) in _sessions)
        {
            if (entry.Record.ExpiresAt > now)
            {
                continue;
            }

            var user = entry.User;
            lock (user)
            {
                if (entry.Removed || entry.Record.ExpiresAt > now)
                {
                    continue;
                }

                RemoveLocked(idHash, entry);
                removed++;
            }
        }

        while (_tombstones.TryPeek(out var head) && head.Removed)
        {
            // DropTombstones (a creation on a full store) may take the removed head between the peek and this dequeue:
            // then what comes out is the next, live tombstone. Discarding it left its record unreclaimable by "revoked
            // records give way first" until it expired (found in review); put it back instead, at the back of the queue
            // (only in this race: it then gives way after the tombstones queued meanwhile, not before them).
            if (_tombstones.TryDequeue(out var taken) && !taken.Removed)
            {
                _tombstones.Enqueue(taken);
                break;
            }
        }

        return removed;
    }

    /// <summary>Gets the number of revoked records kept to report "revoked" (they give way first when the store is full).</summary>
    internal int TombstoneCount => _tombstones.Count(e => !e.Removed);

    // Caller holds entry.User's lock.
    private void RemoveLocked(string idHash, Entry entry)
    {
        var user = entry.User;
        entry.Removed = true;
        user.Sessions.Remove(entry);
        _sessions.TryRemove(new KeyValuePair<string, Entry>(idHash, entry));
        Interlocked.Decrement(ref _count);
        if (user.Sessions.Count == 0)
        {
            // Marked dead under its lock so concurrent writers retry with a fresh state: the
            // version can restart because no session issued under the old one remains.
            user.Dead = true;
            _users.TryRemove(new KeyValuePair<string, UserState>(user.UserId, user));
        }
    }

    /// <summary>Removes up to <paramref name="max"/> of the oldest revoked records; returns how many went.</summary>
    private int DropTombstones(int max)
    {
        var dropped = 0;
        while (dropped < max && _tombstones.TryDequeue(out var entry))
        {
            lock (entry.User)
            {
                if (!entry.Removed && entry.Record.RevokedAt is not null)
                {
                    RemoveLocked(entry.Record.IdHash, entry);
                    dropped++;
                }
            }
        }

        return dropped;
    }

    private static bool IsCurrent(Entry entry, UserState user, DateTimeOffset now) =>
        entry.Record.IsActiveAt(now) && entry.Record.TokenVersion >= user.Version;

    private bool TryReserve()
    {
        if (Interlocked.Increment(ref _count) <= _maxSessions)
        {
            return true;
        }

        Interlocked.Decrement(ref _count);

        // Full: first give up revoked records (cheap, oldest first, 1 % of the capacity at a time), then at most one
        // full sweep for expired records per second — a flood of sign-ins against a store full of live sessions is
        // refused without scanning it on every attempt.
        if (DropTombstones(Math.Max(1, _maxSessions / 100)) == 0)
        {
            var now = _timeProvider.GetUtcNow().UtcTicks;
            var next = Volatile.Read(ref _nextFullSweepTicks);
            // A next time more than its interval ahead means the clock stepped back (NTP, a VM restore): due now, or no
            // sweep would run until the clock caught up, and a full store of expired records refused every sign-in (found
            // in review).
            if ((now >= next || next - now > TimeSpan.TicksPerSecond) && Interlocked.CompareExchange(ref _nextFullSweepTicks, now + TimeSpan.TicksPerSecond, next) == next)
            {
                RunSweep();
            }
        }

        if (Interlocked.Increment(ref _count) <= _maxSessions)
        {
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }

    private void Release() => Interlocked.Decrement(ref _count);

    private void MaybeSweep()
    {
        var now = _timeProvider.GetUtcNow().UtcTicks;
        var next = Volatile.Read(ref _nextSweepTicks);
        if (now >= next || next - now > _sweepInterval.Ticks)
        {
            RunSweep(); // due, or the clock stepped back (see TryReserve)
        }
    }

    private void RunSweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            Volatile.Write(ref _nextSweepTicks, (_timeProvider.GetUtcNow() + _sweepInterval).UtcTicks);
            Sweep();
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private sealed class UserState(string userId)
    {
        public string UserId { get; } = userId;

        public long Version { get; set; }

        public bool Dead { get; set; }

        public List<Entry> Sessions { get; } = [];
    }

    private sealed class Entry(SessionRecord record, UserState user)
    {
        public SessionRecord Record { get; set; } = record;

        public UserState User { get; } = user;

        public bool Removed { get; set; }
    }
}
