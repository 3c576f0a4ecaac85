using System.Collections.Concurrent;
using System.Security.Cryptography;
using SecurityKit.Stores.Tokens;

namespace SecurityKit.Tokens.RefreshTokens;

/// <summary>
/// The in-memory <see cref="RefreshTokenStore"/>: for single-instance hosts, development and tests.
/// </summary>
/// <remarks>
/// <para>Bounded: at most <see cref="MaxFamilies"/> families. When full, creating a family first drops
/// expired families and, if fewer than 1 % of the capacity were expired, the least recently used ones up to 1 % (their
/// users must sign in again), so one scan makes room for many creations. Revoked families
/// are kept until they expire so reuse of their tokens is still reported as revoked. Each family keeps
/// the hashes of its last <see cref="RefreshTokenStore.MaxRememberedTokens"/> earlier tokens for reuse detection.</para>
/// <para>Rotation is atomic: a per-family lock. Thread-safe. State is lost when the process stops; use
/// the Redis store for several instances.</para>
/// </remarks>
public sealed class InMemoryRefreshTokenStore : RefreshTokenStore
{
    private readonly ConcurrentDictionary<string, Entry> _families = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HashSet<string>> _users = new(StringComparer.Ordinal);
    private readonly Lock _evictionLock = new();

    /// <summary>Initializes a store.</summary>
    /// <param name="maxFamilies">The largest number of families kept; 16 to 10 000 000.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxFamilies"/> is out of range.</exception>
    public InMemoryRefreshTokenStore(int maxFamilies = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFamilies, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFamilies, 10_000_000);
        MaxFamilies = maxFamilies;
    }

    /// <summary>Gets or sets a test hook run between finding a user's family set and locking it (null in production).</summary>
    internal Action<string>? AfterUserSetLookup { get; set; }

    /// <summary>Tells whether the store still holds a family's protected successor (a test hook).</summary>
    /// <param name="familyId">The family id.</param>
    /// <returns><see langword="true"/> when a successor is stored.</returns>
    internal bool HoldsSuccessor(string familyId)
    {
        if (!_families.TryGetValue(familyId, out var entry))
        {
            return false;
        }

        lock (entry)
        {
            return entry.Successor is not null;
        }
    }

    /// <summary>Gets the largest number of families kept.</summary>
    public int MaxFamilies { get; }

    /// <summary>Gets the number of families currently kept (active, revoked or not yet swept).</summary>
    public int Count => _families.Count;

    /// <inheritdoc />
    protected override ValueTask<bool> CreateFamilyCoreAsync(RefreshTokenFamilyCreation family, CancellationToken cancellationToken)
    {
        if (_families.Count >= MaxFamilies)
        {
            MakeRoom(family.CreatedAt);
        }

        var entry = new Entry(family);
        if (!_families.TryAdd(family.FamilyId, entry))
        {
            return ValueTask.FromResult(false);
        }

        while (true)
        {
            var set = _users.GetOrAdd(family.UserId, static _ => new HashSet<string>(StringComparer.Ordinal));
            AfterUserSetLookup?.Invoke(family.UserId);
            lock (set)
            {
                // Remove() drops an emptied set from _users under this lock; adding to a dropped set would hide the
                // family from "revoke all of a user" (sign out everywhere), so retry with the live set.
                if (_users.TryGetValue(family.UserId, out var live) && ReferenceEquals(live, set))
                {
                    set.Add(family.FamilyId);
                    return ValueTask.FromResult(true);
                }
            }
        }
    }

    /// <inheritdoc />
    protected override ValueTask<RefreshTokenRotationResult> RotateCoreAsync(RefreshTokenRotation rotation, CancellationToken cancellationToken)
    {
        if (!_families.TryGetValue(rotation.FamilyId, out var entry))
        {
            return ValueTask.FromResult(new RefreshTokenRotationResult(RefreshTokenRotationStatus.NotFound, null, default));
        }

        lock (entry)
        {
            var presented = rotation.PresentedHash.Span;
            var isCurrent = CryptographicOperations.FixedTimeEquals(presented, entry.Current);
            var isPrevious = entry.Previous is not null && CryptographicOperations.FixedTimeEquals(presented, entry.Previous);
            var isOlder = !isCurrent && !isPrevious && entry.RemembersOlder(presented);

            // A time older than the last rotation (read before a racing rotation won the lock) counts as that rotation's
            // time: stored times never move back, and with no grace window a racing reuse is never a grace replay.
            var now = rotation.Now > entry.RotatedAt ? rotation.Now : entry.RotatedAt;
            if (entry.Successor is not null && now >= entry.SuccessorExpiresAt)
            {
                // Past the window it was kept for: drop it, whatever this call decides, an unknown secret's NotFound included
                // (that answer used to return first and leave it in memory until the family was removed; found in review).
                entry.Successor = null;
            }

            if (!isCurrent && !isPrevious && !isOlder)
            {
                return ValueTask.FromResult(new RefreshTokenRotationResult(RefreshTokenRotationStatus.NotFound, null, default));
            }

            if (entry.Revoked)
            {
                return Result(RefreshTokenRotationStatus.Revoked, entry);
            }

            if (entry.Snapshot().IsExpired(now))
            {
                return Result(RefreshTokenRotationStatus.Expired, entry);
            }

            if (isCurrent)
            {
                if (entry.Previous is not null)
                {
                    entry.RememberOlder(entry.Previous);
                }

                entry.Previous = entry.Current;
                entry.Current = rotation.NewHash.ToArray();
                entry.RotatedAt = now;
                // The successor is kept only for the grace window (none without one): after it, nobody may get it again.
                entry.Successor = rotation.GraceWindow > TimeSpan.Zero ? rotation.ProtectedSuccessor.ToArray() : null;
                entry.SuccessorExpiresAt = now + rotation.GraceWindow;
                entry.LastUsedAt = now > entry.LastUsedAt ? now : entry.LastUsedAt;
                entry.Generation++;
                return Result(RefreshTokenRotationStatus.Rotated, entry);
            }

            if (isPrevious && now < entry.RotatedAt + rotation.GraceWindow && entry.Successor is not null)
            {
                return ValueTask.FromResult(new RefreshTokenRotationResult(RefreshTokenRotationStatus.GraceReplay, entry.Snapshot(), entry.Successor.ToArray()));
            }

            entry.Revoked = true;
            entry.Successor = null;
            return Result(RefreshTokenRotationStatus.ReuseDetected, entry);
        }
    }

    /// <inheritdoc />
    protected override ValueTask<RefreshTokenFamily?> GetFamilyCoreAsync(string familyId, CancellationToken cancellationToken)
    {
        if (!_families.TryGetValue(familyId, out var entry))
        {
            return ValueTask.FromResult<RefreshTokenFamily?>(null);
        }

        lock (entry)
        {
            return ValueTask.FromResult<RefreshTokenFamily?>(entry.Snapshot());
        }
    }

    /// <inheritdoc />
    protected override ValueTask<bool> RevokeFamilyCoreAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_families.TryGetValue(familyId, out var entry) && Revoke(entry, now));

    /// <inheritdoc />
    protected override ValueTask<int> RevokeUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var familyId in UserFamilyIds(userId))
        {
            if (_families.TryGetValue(familyId, out var entry) && Revoke(entry, now))
            {
                count++;
            }
        }

        return ValueTask.FromResult(count);
    }

    /// <inheritdoc />
    protected override ValueTask<IReadOnlyList<RefreshTokenFamily>> ListUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var list = new List<RefreshTokenFamily>();
        foreach (var familyId in UserFamilyIds(userId))
        {
            if (_families.TryGetValue(familyId, out var entry))
            {
                RefreshTokenFamily snapshot;
                lock (entry)
                {
                    snapshot = entry.Snapshot();
                }

                if (!snapshot.IsRevoked && !snapshot.IsExpired(now))
                {
                    list.Add(snapshot);
                }
            }
        }

        list.Sort(static (a, b) => a.CreatedAt.CompareTo(b.CreatedAt) is var c && c != 0 ? c : string.CompareOrdinal(a.FamilyId, b.FamilyId));
        return ValueTask.FromResult<IReadOnlyList<RefreshTokenFamily>>(list);
    }

    private static ValueTask<RefreshTokenRotationResult> Result(RefreshTokenRotationStatus status, Entry entry) =>
        ValueTask.FromResult(new RefreshTokenRotationResult(status, entry.Snapshot(), default));

    private static bool Revoke(Entry entry, DateTimeOffset now)
    {
        lock (entry)
        {
            if (entry.Revoked)
            {
                return false;
            }

            // An expired family is marked too (a lagging clock elsewhere could still find it alive) but not counted.
            entry.Revoked = true;
            entry.Successor = null;
            return !entry.Snapshot().IsExpired(now);
        }
    }

    private string[] UserFamilyIds(string userId)
    {
        if (!_users.TryGetValue(userId, out var set))
        {
            return [];
        }

        lock (set)
        {
            // Revoked families leave the user's set (they stay in the store until they expire, so their tokens are still
            // reported as revoked): listing and revoke-all then cost the user's live families, not every sign-in of the
            // last absolute lifetime.
            set.RemoveWhere(id => !_families.TryGetValue(id, out var entry) || entry.Revoked);
            return [.. set];
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        lock (_evictionLock)
        {
            if (_families.Count < MaxFamilies)
            {
                return;
            }

            // One scan frees expired families and, if that is not enough, 1 % (at least one): revoked families first (they
            // only remember that their tokens are dead), then the least recently used live ones:
            // the next ~1 % of creations then find room without scanning, so a flood of sign-ins at capacity costs
            // O(n log k) per k creations instead of O(n) each.
            var evictCount = Math.Max(1, MaxFamilies / 100);
            var oldest = new PriorityQueue<RefreshTokenFamily, DateTimeOffset>(evictCount + 1, Comparer<DateTimeOffset>.Create(static (a, b) => b.CompareTo(a)));
            var freed = 0;
            foreach (var (id, entry) in _families)
            {
                RefreshTokenFamily snapshot;
                lock (entry)
                {
                    snapshot = entry.Snapshot();
                }

                if (now >= snapshot.AbsoluteExpiresAt || (!snapshot.IsRevoked && snapshot.IsExpired(now)))
                {
                    Remove(id, snapshot.UserId);
                    freed++;
                }
                else
                {
                    oldest.Enqueue(snapshot, snapshot.IsRevoked ? DateTimeOffset.MinValue : snapshot.LastUsedAt);
                    if (oldest.Count > evictCount)
                    {
                        oldest.Dequeue(); // drops the most recently used of the candidates
                    }
                }
            }

            if (freed < evictCount)
            {
                // The heap yields the most recently used candidate first (that is what it drops while scanning): evict from
                // the other end. Dequeuing in heap order evicted live families before revoked ones whenever the scan had
                // freed some expired families but fewer than evictCount (found in review).
                var candidates = new RefreshTokenFamily[oldest.Count];
                for (var i = 0; oldest.TryDequeue(out var candidate, out _); i++)
                {
                    candidates[i] = candidate;
                }

                for (var i = candidates.Length - 1; i >= 0 && freed < evictCount; i--)
                {
                    Remove(candidates[i].FamilyId, candidates[i].UserId);
                    freed++;
                }
            }
        }
    }

    private void Remove(string familyId, string userId)
    {
        _families.TryRemove(familyId, out _);
        if (_users.TryGetValue(userId, out var set))
        {
            lock (set)
            {
                set.Remove(familyId);
                if (set.Count == 0)
                {
                    _users.TryRemove(new KeyValuePair<string, HashSet<string>>(userId, set));
                }
            }
        }
    }

    private sealed class Entry(RefreshTokenFamilyCreation creation)
    {
        public string FamilyId { get; } = creation.FamilyId;

        public string UserId { get; } = creation.UserId;

        public string? SessionId { get; } = creation.SessionId;

        public DateTimeOffset CreatedAt { get; } = creation.CreatedAt;

        public DateTimeOffset AbsoluteExpiresAt { get; } = creation.AbsoluteExpiresAt;

        public TimeSpan IdleTimeout { get; } = creation.IdleTimeout;

        public DateTimeOffset LastUsedAt { get; set; } = creation.CreatedAt;

        public byte[] Current { get; set; } = creation.TokenHash.ToArray();

        public byte[]? Previous { get; set; }

        public DateTimeOffset RotatedAt { get; set; }

        public byte[]? Successor { get; set; }

        public DateTimeOffset SuccessorExpiresAt { get; set; }

        /// <summary>
        /// The earlier tokens before <see cref="Previous"/>, at most <see cref="RefreshTokenStore.MaxRememberedTokens"/>, as the
        /// first 128 bits of each hash in a ring that grows by doubling: 16 bytes a token, 4 KiB for a full history. The
        /// hashes were kept as 64-character hex strings in a set and a queue, ~50 KB a family once full (256 rotations:
        /// about 64 hours of 15-minute refreshes), so 100,000 families could hold ~5 GB (found in review). 128 bits of a
        /// SHA-256 of a 256-bit secret still tell one token from another with certainty for any practical purpose.
        /// </summary>
        private UInt128[] _older = [];

        private int _olderCount;

        private int _olderNext;

        public void RememberOlder(ReadOnlySpan<byte> hash)
        {
            var fingerprint = Fingerprint(hash);
            if (_olderCount < _older.Length)
            {
                _older[_olderCount++] = fingerprint;
                return;
            }

            if (_older.Length < MaxRememberedTokens)
            {
                Array.Resize(ref _older, Math.Min(Math.Max(_older.Length * 2, 4), MaxRememberedTokens));
                _older[_olderCount++] = fingerprint;
                return;
            }

            // Full: overwrite the oldest.
            _older[_olderNext] = fingerprint;
            _olderNext = (_olderNext + 1) % MaxRememberedTokens;
        }

        public bool RemembersOlder(ReadOnlySpan<byte> hash) => _older.AsSpan(0, _olderCount).Contains(Fingerprint(hash));

        // Hashes are RefreshTokenStore.HashSize (32) bytes: the base class validates every one it is given.
        private static UInt128 Fingerprint(ReadOnlySpan<byte> hash) => System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);

        public long Generation { get; set; }

        public bool Revoked { get; set; }

        public RefreshTokenFamily Snapshot() =>
            new(FamilyId, UserId, SessionId, CreatedAt, LastUsedAt, AbsoluteExpiresAt, IdleTimeout, Generation, Revoked);
    }
}
