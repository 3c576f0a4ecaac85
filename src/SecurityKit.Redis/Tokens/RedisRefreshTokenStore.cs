/*
 * Redis layout of refresh-token families ({p} = RedisSecurityKitOptions.KeyPrefix, default "sk:"):
 *
 *   {p}rt:{<family-id>}   HASH, TTL = absolute expiry − creation + FamilyRetentionMargin (PEXPIRE at creation): the
 *                         expiry itself is decided on the callers' clocks, so every caller finds the family for the
 *                         margin past its end on the server's clock (Expired, its snapshot, or, for a caller whose clock
 *                         lags, Rotated) rather than nothing
 *       uid      user id                     sid      session id ("" when none)
 *       created  Unix ms                     abs      absolute expiry, Unix ms
 *       idle     idle timeout, ms            last     last use, Unix ms
 *       gen      generation (integer)        cur      current token hash (32 raw bytes)
 *       prev     previous token hash         prevAt   rotation time of prev, Unix ms
 *       succ     protected successor of earlier builds (no longer written; deleted by the next rotation or revocation)
 *       rev      "1" when revoked
 *       o:<32-byte hash>  "1" for each of the last RefreshTokenStore.MaxRememberedTokens earlier tokens (reuse detection)
 *       og:<n>   the hash that the n-th rotation moved to the earlier tokens (to forget the oldest)
 *   {p}rts:{<family-id>}  STRING, the protected successor of the last rotation (≤ 256 bytes), same slot as the family;
 *                         written only with a grace window, TTL = the window + SuccessorRetentionMargin (server clock,
 *                         a margin for instances whose clocks disagree); deleted when the family is revoked. So the
 *                         store holds no successor past the window: a reader of the store who also holds the token
 *                         before the current one cannot decrypt the current token later.
 *   {p}rtf:{<user-id>}    ZSET of family ids scored by absolute expiry on the server's clock (TIME at creation +
 *                         the absolute lifetime, Unix ms; earlier builds used the instance's clock), TTL = the longest
 *                         absolute lifetime added + FamilyRetentionMargin. Pruned by score only, on the server's clock (a family past its
 *                         absolute expiry plus a margin for skew), never by "the family key is missing": create writes
 *                         the index before the family (another slot in a cluster), so a missing key can be a family
 *                         about to appear. No instance's clock decides what leaves the index.
 *   {p}rtu:{<user-id>}    the SET earlier builds kept instead (same slot): still read by listing and revoke-all
 *                         until it expires by its own TTL, never written.
 *
 * The family key's hash tag is the family id, so every rotation touches one key (one slot, Redis Cluster
 * safe). Times come from the caller (the service's TimeProvider) and are compared inside the scripts;
 * TTLs only reclaim space. Hash comparisons inside Lua are not constant-time: they compare SHA-256
 * hashes of 256-bit secrets, whose timing reveals nothing usable.
 */
using SecurityKit.Stores.Tokens;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tokens;

/// <summary>The Redis <see cref="RefreshTokenStore"/>: rotation is one Lua script, one round trip, atomic.</summary>
/// <remarks>
/// <para>Create is two single-key scripts sent in one pipeline (user index first, so a failure leaves at most a
/// dangling id that listing ignores); list and revoke-all read the user's index, then send one pipeline of
/// per-family commands (two round trips). Thread-safe.</para>
/// </remarks>
public sealed class RedisRefreshTokenStore : RefreshTokenStore
{
    private const string SnapshotLua = """
        local function snapshot(k)
          local f = redis.call('HMGET', k, 'uid', 'sid', 'created', 'abs', 'idle', 'last', 'gen', 'rev')
          return { f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8] or '0' }
        end
        """;

    private static readonly LuaScript CreateScript = LuaScript.Prepare("""
        if redis.call('EXISTS', @family) == 1 then return 0 end
        redis.call('HSET', @family, 'uid', @uid, 'sid', @sid, 'created', @now, 'abs', @abs, 'idle', @idle, 'last', @now, 'gen', 0, 'cur', @hash, 'rev', '0')
        redis.call('PEXPIRE', @family, @ttl)
        return 1
        """);

    // The index is scored and pruned on the Redis server's clock (TIME), never an instance's: an instance whose clock
    // runs fast must not prune families that are still alive for everyone else.
    private static readonly LuaScript IndexScript = LuaScript.Prepare("""
        local t = redis.call('TIME')
        redis.call('ZADD', @user, t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(@ttl), @id)
        if redis.call('PTTL', @user) < tonumber(@retained) then redis.call('PEXPIRE', @user, @retained) end
        return 1
        """);

    private static readonly LuaScript PruneScript = LuaScript.Prepare("""
        local t = redis.call('TIME')
        return redis.call('ZREMRANGEBYSCORE', @user, '-inf', t[1] * 1000 + math.floor(t[2] / 1000) - tonumber(@margin))
        """);

    private static readonly LuaScript RotateScript = LuaScript.Prepare(SnapshotLua + "\n" + """
        if redis.call('EXISTS', @family) == 0 then return { 0 } end
        local f = redis.call('HMGET', @family, 'cur', 'prev', 'prevAt', 'rev', 'abs', 'idle', 'last')
        local p = @presented
        local isCur = f[1] == p
        local isPrev = f[2] ~= false and f[2] == p
        local isOld = (not isCur) and (not isPrev) and redis.call('HEXISTS', @family, 'o:' .. p) == 1
        if not (isCur or isPrev or isOld) then return { 0 } end
        if f[4] == '1' then return { 4, '', snapshot(@family) } end
        -- A time older than the last rotation (a caller that read its clock before a racing rotation, or an instance
        -- whose clock lags) counts as that rotation's time: stored times never move back, no grace without a window.
        local stamp = @now
        local now = tonumber(stamp)
        local prevAt = tonumber(f[3] or '0')
        if prevAt > now then now, stamp = prevAt, f[3] end
        if now >= tonumber(f[5]) or now >= tonumber(f[7]) + tonumber(f[6]) then return { 5, '', snapshot(@family) } end
        if isCur then
          local gen = redis.call('HINCRBY', @family, 'gen', 1)
          if f[2] then
            -- Earlier tokens: o:<hash> for lookup, og:<n> = hash in rotation order; only the last few hundred are kept.
            redis.call('HSET', @family, 'o:' .. f[2], '1', 'og:' .. gen, f[2])
            local gone = redis.call('HGET', @family, 'og:' .. (gen - @keep))
            if gone then redis.call('HDEL', @family, 'o:' .. gone, 'og:' .. (gen - @keep)) end
          end
          local last = stamp
          if tonumber(f[7]) > now then last = f[7] end
          redis.call('HSET', @family, 'prev', f[1], 'prevAt', stamp, 'cur', @next, 'last', last)
          redis.call('HDEL', @family, 'succ')
          if tonumber(@grace) > 0 then
            redis.call('SET', @succ, @successor, 'PX', tonumber(@grace) + tonumber(@margin))
          else
            redis.call('DEL', @succ)
          end
          return { 1, '', snapshot(@family) }
        end
        if isPrev and now < prevAt + tonumber(@grace) then
          local s = redis.call('GET', @succ) or redis.call('HGET', @family, 'succ')
          if s then return { 2, s, snapshot(@family) } end
        end
        redis.call('HSET', @family, 'rev', '1')
        redis.call('HDEL', @family, 'succ')
        redis.call('DEL', @succ)
        return { 3, '', snapshot(@family) }
        """);

    // Reply: {1 when an active family was revoked else 0, the owner's id when the family exists and is revoked now}.
    private static readonly LuaScript RevokeScript = LuaScript.Prepare("""
        local f = redis.call('HMGET', @family, 'uid', 'rev', 'abs', 'idle', 'last')
        if not f[1] then return { 0, '' } end
        if @uid ~= '' and f[1] ~= @uid then return { 0, '' } end
        if f[2] == '1' then return { 0, f[1] } end
        -- An expired family is marked too (a lagging clock elsewhere could still find it alive) but not counted.
        redis.call('HSET', @family, 'rev', '1')
        redis.call('HDEL', @family, 'succ')
        redis.call('DEL', @succ)
        local now = tonumber(@now)
        if now >= tonumber(f[3]) or now >= tonumber(f[5]) + tonumber(f[4]) then return { 0, f[1] } end
        return { 1, f[1] }
        """);

    private static readonly RedisValue[] SnapshotFields = ["uid", "sid", "created", "abs", "idle", "last", "gen", "rev"];

    private readonly RedisConnection _connection;

    /// <summary>Initializes the store.</summary>
    /// <param name="connection">The shared connection.</param>
    public RedisRefreshTokenStore(RedisConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
    }

    /// <inheritdoc />
    protected override async ValueTask<bool> CreateFamilyCoreAsync(RefreshTokenFamilyCreation family, CancellationToken cancellationToken)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var ttl = (long)Math.Ceiling((family.AbsoluteExpiresAt - family.CreatedAt).TotalMilliseconds);
        var retained = ttl + (long)FamilyRetentionMargin.TotalMilliseconds;
        var index = db.ScriptEvaluateAsync(IndexScript, new { user = UserKey(family.UserId), id = family.FamilyId, ttl, retained });
        var create = db.ScriptEvaluateAsync(CreateScript, new
        {
            family = FamilyKey(family.FamilyId),
            uid = family.UserId,
            sid = family.SessionId ?? string.Empty,
            now = family.CreatedAt.ToUnixTimeMilliseconds(),
            abs = family.AbsoluteExpiresAt.ToUnixTimeMilliseconds(),
            idle = (long)family.IdleTimeout.TotalMilliseconds,
            hash = family.TokenHash.ToArray(),
            ttl = retained,
        });
        // Both bounded before either is awaited: if the index call fails first, the create call's exception (with its key
        // in Data) is still scrubbed and observed (found in review).
        var indexed = index.Bounded(_connection, cancellationToken);
        var created = create.Bounded(_connection, cancellationToken);
        try
        {
            await indexed.ConfigureAwait(false);
        }
        finally
        {
            _ = created.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return (int)await created.ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    protected override async ValueTask<RefreshTokenRotationResult> RotateCoreAsync(RefreshTokenRotation rotation, CancellationToken cancellationToken)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var result = (RedisResult[])(await db.ScriptEvaluateAsync(RotateScript, new
        {
            family = FamilyKey(rotation.FamilyId),
            succ = SuccessorKey(rotation.FamilyId),
            presented = rotation.PresentedHash.ToArray(),
            next = rotation.NewHash.ToArray(),
            successor = rotation.ProtectedSuccessor.ToArray(),
            now = rotation.Now.ToUnixTimeMilliseconds(),
            grace = (long)rotation.GraceWindow.TotalMilliseconds,
            keep = MaxRememberedTokens,
            margin = (long)SuccessorRetentionMargin.TotalMilliseconds,
        }).Bounded(_connection, cancellationToken).ConfigureAwait(false))!;
        var status = (RefreshTokenRotationStatus)(int)result[0];
        if (status == RefreshTokenRotationStatus.NotFound)
        {
            return new RefreshTokenRotationResult(status, null, default);
        }

        var successor = status == RefreshTokenRotationStatus.GraceReplay ? (byte[])result[1]! : null;
        var values = ((RedisResult[])result[2]!).Select(r => (RedisValue)r).ToArray();
        var family = Parse(rotation.FamilyId, values);
        if (status == RefreshTokenRotationStatus.ReuseDetected && family is { IsRevoked: true })
        {
            // Reuse detection revoked the family in the script: it leaves the user's index like any revoked family
            // (it stayed listed until its absolute expiry; found in review).
            ForgetRevoked(db, family.UserId, [rotation.FamilyId]);
        }

        return new RefreshTokenRotationResult(status, family, successor);
    }

    /// <inheritdoc />
    protected override async ValueTask<RefreshTokenFamily?> GetFamilyCoreAsync(string familyId, CancellationToken cancellationToken)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var values = await db.HashGetAsync(FamilyKey(familyId), SnapshotFields).Bounded(_connection, cancellationToken).ConfigureAwait(false);
        return Parse(familyId, values);
    }

    /// <inheritdoc />
    protected override async ValueTask<bool> RevokeFamilyCoreAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(RevokeScript, new { family = FamilyKey(familyId), succ = SuccessorKey(familyId), uid = string.Empty, now = now.ToUnixTimeMilliseconds() }).Bounded(_connection, cancellationToken).ConfigureAwait(false))!;
        ForgetRevoked(db, (string?)reply[1], [familyId]);
        return (int)reply[0] == 1;
    }

    /// <inheritdoc />
    protected override async ValueTask<int> RevokeUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var ids = await UserFamilyIdsAsync(db, userId, cancellationToken).ConfigureAwait(false);
        var pending = ids.Select(id => db.ScriptEvaluateAsync(RevokeScript, new { family = FamilyKey(id!), succ = SuccessorKey(id!), uid = userId, now = now.ToUnixTimeMilliseconds() })).ToArray();
        var results = await Task.WhenAll(pending).Bounded(_connection, cancellationToken).ConfigureAwait(false);
        var revoked = new List<RedisValue>();
        var count = 0;
        for (var i = 0; i < results.Length; i++)
        {
            var reply = (RedisResult[])results[i]!;
            count += (int)reply[0];
            if ((string?)reply[1] == userId)
            {
                revoked.Add(ids[i]);
            }
        }

        ForgetRevoked(db, userId, [.. revoked]);
        PruneIndex(db, userId);
        return count;
    }

    /// <summary>Drops revoked families from their user's index (fire and forget; another slot in a cluster): listing and
    /// revoke-all then cost the user's live families, not every sign-in of the last absolute lifetime. Only families
    /// that exist and are revoked are dropped, never an id whose family is still being created.</summary>
    private void ForgetRevoked(IDatabase db, string? userId, RedisValue[] familyIds)
    {
        if (!string.IsNullOrEmpty(userId) && familyIds.Length > 0)
        {
            _ = db.SortedSetRemoveAsync(UserKey(userId), familyIds, CommandFlags.FireAndForget);
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<IReadOnlyList<RefreshTokenFamily>> ListUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var ids = await UserFamilyIdsAsync(db, userId, cancellationToken).ConfigureAwait(false);
        var pending = ids.Select(id => (Id: (string)id!, Values: db.HashGetAsync(FamilyKey(id!), SnapshotFields))).ToArray();
        await Task.WhenAll(pending.Select(p => p.Values)).Bounded(_connection, cancellationToken).ConfigureAwait(false);
        var list = new List<RefreshTokenFamily>();
        var revoked = new List<RedisValue>();
        foreach (var (id, values) in pending)
        {
            var family = Parse(id, await values.ConfigureAwait(false));
            if (family is null || family.UserId != userId)
            {
                continue;
            }

            if (family.IsRevoked)
            {
                revoked.Add(id); // revoked by any path (e.g. an earlier build, or a clean-up that did not reach Redis)
            }
            else if (!family.IsExpired(now))
            {
                list.Add(family);
            }
        }

        ForgetRevoked(db, userId, [.. revoked]);
        PruneIndex(db, userId);

        list.Sort(static (a, b) => a.CreatedAt.CompareTo(b.CreatedAt) is var c && c != 0 ? c : string.CompareOrdinal(a.FamilyId, b.FamilyId));
        return list;
    }

    /// <summary>How long past its absolute lifetime (on the server's clock) a family's key and its user's index are
    /// kept: expiry is decided on the callers' clocks (the store contract: TTLs only reclaim space), so for this long a
    /// caller still finds the family and gets what the in-memory store would answer at its time (Expired with the
    /// family, the snapshot, or Rotated for a caller whose clock lags) rather than NotFound (found in review).</summary>
    internal static readonly TimeSpan FamilyRetentionMargin = TimeSpan.FromMinutes(10);

    /// <summary>How long past its absolute expiry (on the server's clock) a family stays in its user's index: a margin
    /// for the clock skew between the server and instances (an instance whose clock lags still finds the family alive a
    /// little longer, and index entries of earlier builds were scored on the instance's clock).</summary>
    internal static readonly TimeSpan IndexPruneMargin = TimeSpan.FromMinutes(10);

    /// <summary>Drops from a user's index the families past their absolute expiry (and the margin) on the server's
    /// clock: by score only, so a family being created (index written, family not yet) is never dropped, and whatever
    /// the calling instance's clock says.</summary>
    private void PruneIndex(IDatabase db, string userId) =>
        _ = db.ScriptEvaluateAsync(PruneScript, new { user = UserKey(userId), margin = (long)IndexPruneMargin.TotalMilliseconds }, CommandFlags.FireAndForget);

    /// <summary>How long past the grace window (on the server's clock) the protected successor of a rotation stays
    /// stored: a margin for instances whose clocks disagree, since the window itself is decided on the callers' clocks.
    /// A grace replay that arrives later than that (clocks more than this far apart) finds no successor and counts as
    /// reuse.</summary>
    internal static readonly TimeSpan SuccessorRetentionMargin = TimeSpan.FromSeconds(10);

    private RedisKey FamilyKey(string familyId) => $"{_connection.KeyPrefix}rt:{{{familyId}}}";

    private RedisKey SuccessorKey(string familyId) => $"{_connection.KeyPrefix}rts:{{{familyId}}}";

    private RedisKey UserKey(string userId) => $"{_connection.KeyPrefix}rtf:{{{userId}}}";

    /// <summary>The SET of family ids that builds before the sorted-set index wrote (read only, until it expires).</summary>
    private RedisKey LegacyUserKey(string userId) => $"{_connection.KeyPrefix}rtu:{{{userId}}}";

    /// <summary>The user's family ids: the sorted-set index and, until it expires, the set of an earlier build.</summary>
    private async Task<RedisValue[]> UserFamilyIdsAsync(IDatabase db, string userId, CancellationToken cancellationToken)
    {
        var current = db.SortedSetRangeByRankAsync(UserKey(userId));
        var legacy = db.SetMembersAsync(LegacyUserKey(userId));
        await Task.WhenAll(current, legacy).Bounded(_connection, cancellationToken).ConfigureAwait(false);
        var ids = await current.ConfigureAwait(false);
        var old = await legacy.ConfigureAwait(false);
        return old.Length == 0 ? ids : [.. ids.Union(old)];
    }

    private static RefreshTokenFamily? Parse(string familyId, RedisValue[] v)
    {
        if (v.Length < 8 || v[0].IsNull)
        {
            return null;
        }

        var sid = (string?)v[1];
        return new RefreshTokenFamily(
            familyId,
            (string)v[0]!,
            string.IsNullOrEmpty(sid) ? null : sid,
            DateTimeOffset.FromUnixTimeMilliseconds((long)v[2]),
            DateTimeOffset.FromUnixTimeMilliseconds((long)v[5]),
            DateTimeOffset.FromUnixTimeMilliseconds((long)v[3]),
            TimeSpan.FromMilliseconds((long)v[4]),
            (long)v[6],
            (string?)v[7] == "1");
    }
}
