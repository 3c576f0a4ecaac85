/*
 * Redis key schema of the session store (P = RedisSecurityKitOptions.KeyPrefix, default "sk:";
 * {part} = the 16-character base64url partition of the user, a cluster hash tag, so one user's keys
 * share a slot and every script touches one slot):
 *
 *   P sess:{part}:s:<idHash>   HASH   one session (idHash = 43-char base64url HMAC of the token)
 *       id  the id hash (again)        u   user id
 *       p   partition
 *       c   created, Unix ms           l   last used, Unix ms
 *       i   idle timeout, ms           a   absolute expiry, Unix ms
 *       v   user token version at issue
 *       r   revoked at, Unix ms (absent while active)
 *       n   id hash of the session that replaced this one by rotation (absent otherwise)
 *       ip  client IP text (absent if unknown)
 *       fp  device fingerprint string (absent if unknown)
 *       d   device summary (absent if unknown)
 *     PEXPIRE = min(l + i, a) - now: the record (revoked or not) disappears when it would have expired.
 *
 *   P sess:{part}:u             ZSET   active session id hashes of the user, score = created ms * 1024 + the
 *                                      arrival order among sessions created in the same ms (a rotated session
 *                                      keeps its score), so oldest first is creation order as in memory;
 *                                      revoked/expired members are pruned by the scripts.
 *   P sess:{part}:v             STRING the user's token version (absent = 0), bumped by revoke-all.
 *     Both live at least as long as the user's longest absolute expiry.
 *
 * Every operation is one EVALSHA (StackExchange.Redis caches the script SHA) and runs atomically; every key
 * a script touches is declared in KEYS. Create, revoke-all and list touch the index's members: the first
 * attempt declares none, and a script that finds a member it was not given writes nothing and returns the
 * current members for the next attempt (so these take two round trips whenever the index is not empty).
 * Upgrade note: builds before the declared-keys change scored the index by created ms (not ms * 1024); during
 * a rolling deploy their new sessions sort as the oldest (evicted first). Harmless once every instance runs
 * this build; the old scores leave the index as those sessions expire.
 * Times come from the caller's TimeProvider (as Unix milliseconds), never from the Redis clock.
 */
using System.Globalization;
using SecurityKit.Stores.Sessions;
using StackExchange.Redis;

namespace SecurityKit.Redis.Sessions;

/// <summary>
/// The Redis <see cref="ISessionStore"/>: one atomic Lua script per operation, every key it touches declared.
/// </summary>
/// <remarks>
/// <para>Get, touch, rotate and revoke are one round trip. Create, revoke-all and list also touch the user's other
/// sessions, whose keys the script must be given: the first call declares none, and once the user has sessions the
/// script answers with their ids instead of acting, so these take two round trips (more only while concurrent creates
/// or rotations of the same user keep changing the index).</para>
/// <para>Records expire by Redis TTL when they would have expired (idle or absolute), revoked ones
/// included, so memory is bounded by the live sessions. Each user's sessions, index and token version
/// share one cluster slot (hash tag = the session partition).</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class RedisSessionStore : ISessionStore
{
    private const string Active = """
        local function active(f, ver, now)
          return f[1] and not f[4] and tonumber(f[5]) >= ver and now < math.min(tonumber(f[1]) + tonumber(f[2]), tonumber(f[3]))
        end
        -- Gone, revoked or revoked by the version: never alive again on any clock, so it may leave the user's index. A
        -- session that only looks expired on this caller's clock is neither counted nor pruned: an instance whose clock
        -- runs fast would otherwise drop a live session from the index (device list, session limit, sign-out-everywhere;
        -- found in review); its key's TTL removes it, and a later call prunes it then.
        local function dead(f, ver)
          return not f[1] or f[4] or tonumber(f[5]) < ver
        end
        local function extend(key, ms)
          if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
        end
        """;

    // Index scripts receive the member keys they may touch in KEYS (from position `first` on), as the client last
    // read the index. `members` returns the index's members and their keys when every one of them was declared,
    // otherwise nil and the reply that makes the client retry with the current members (nothing written yet).
    private const string Members = """
        local function members(index, prefix, first)
          local declared = {}
          for j = first, #KEYS do declared[string.sub(KEYS[j], #prefix + 1)] = KEYS[j] end
          local list = redis.call('ZRANGE', index, 0, -1)
          for _, m in ipairs(list) do
            if not declared[m] then
              local retry = {-1, 0}
              for _, n in ipairs(list) do table.insert(retry, n) end
              return nil, retry
            end
          end
          return list, declared
        end
        """;

    // KEYS: session, index, version, then the index's members' session keys. ARGV: idHash, userId, created, lastUsed,
    // idle, absolute, ip, fp, device, limit, mode, now, sessionPrefix, partition
    private const string CreateScript = Active + "\n" + Members + "\n" + """
        if redis.call('EXISTS', KEYS[1]) == 1 then return {5, 0} end
        local all, keys = members(KEYS[2], ARGV[13], 4)
        if not all then return keys end
        local now = tonumber(ARGV[12])
        local ver = tonumber(redis.call('GET', KEYS[3]) or '0')
        local limit = tonumber(ARGV[10])
        local list = {}
        for _, m in ipairs(all) do
          local f = redis.call('HMGET', keys[m], 'l', 'i', 'a', 'r', 'v')
          if active(f, ver, now) then
            table.insert(list, m)
          elseif dead(f, ver) then
            redis.call('ZREM', KEYS[2], m)
          end
        end
        local result = {1, ver}
        if #list >= limit then
          if ARGV[11] == '1' then return {2, ver} end
          for j = 1, #list - limit + 1 do
            redis.call('HSET', keys[list[j]], 'r', ARGV[12])
            redis.call('ZREM', KEYS[2], list[j])
            table.insert(result, list[j])
          end
        end
        redis.call('HSET', KEYS[1], 'id', ARGV[1], 'u', ARGV[2], 'p', ARGV[14], 'c', ARGV[3], 'l', ARGV[4], 'i', ARGV[5], 'a', ARGV[6], 'v', ver)
        if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'ip', ARGV[7]) end
        if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'fp', ARGV[8]) end
        if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'd', ARGV[9]) end
        local expires = math.min(tonumber(ARGV[4]) + tonumber(ARGV[5]), tonumber(ARGV[6]))
        redis.call('PEXPIRE', KEYS[1], math.max(1, expires - now))
        -- Score: created ms * 1024, plus the arrival order among the user's sessions created in the same ms.
        local score = tonumber(ARGV[3]) * 1024
        -- (bounds passed as numbers: redis.call formats them exactly; Lua's own tostring keeps only 14 digits)
        local same = redis.call('ZREVRANGEBYSCORE', KEYS[2], score + 1023, score, 'WITHSCORES', 'LIMIT', 0, 1)
        if same[2] then score = math.min(tonumber(same[2]) + 1, score + 1023) end
        redis.call('ZADD', KEYS[2], score, ARGV[1])
        if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('SET', KEYS[3], ver) end
        local keep = math.max(1, tonumber(ARGV[6]) - now)
        extend(KEYS[2], keep)
        extend(KEYS[3], keep)
        return result
        """;

    // KEYS: session, version.
    private const string GetScript = """
        return {redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[2]) or '0'}
        """;

    // KEYS: session, version. ARGV: lastUsed
    private const string TouchScript = Active + "\n" + """
        local f = redis.call('HMGET', KEYS[1], 'l', 'i', 'a', 'r', 'v')
        local ver = tonumber(redis.call('GET', KEYS[2]) or '0')
        local l = tonumber(ARGV[1])
        if not active(f, ver, l) or l <= tonumber(f[1]) then return 0 end
        if ARGV[2] and tonumber(ARGV[2]) ~= tonumber(f[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'l', ARGV[1])
        local ttl = math.max(1, math.min(l + tonumber(f[2]), tonumber(f[3])) - l)
        redis.call('PEXPIRE', KEYS[1], ttl)
        -- The TTL is computed on the caller's clock: one that lags keeps the session key past the expiry the version key
        -- was given on another instance's clock, and a session revoked by the version bump alone would come back when the
        -- version key expired first (found in review). The version key lives at least as long as the session key.
        extend(KEYS[2], ttl)
        return 1
        """;

    // KEYS: old, new, index, version. ARGV: newId, now, ip, fp, device, oldId
    private const string RotateScript = Active + "\n" + """
        local now = tonumber(ARGV[2])
        local ver = tonumber(redis.call('GET', KEYS[4]) or '0')
        local f = redis.call('HMGET', KEYS[1], 'l', 'i', 'a', 'r', 'v')
        if not active(f, ver, now) then return {4, ver} end
        if redis.call('EXISTS', KEYS[2]) == 1 then return {5, ver} end
        local all = redis.call('HGETALL', KEYS[1])
        local fields = {}
        for j = 1, #all, 2 do fields[all[j]] = all[j + 1] end
        if now > tonumber(f[1]) then fields['l'] = ARGV[2] end -- last use never moves back (a stale reading)
        fields['id'] = ARGV[1]
        fields['n'] = nil
        if ARGV[3] ~= '' then fields['ip'] = ARGV[3] end
        if ARGV[4] ~= '' then fields['fp'] = ARGV[4] end
        if ARGV[5] ~= '' then fields['d'] = ARGV[5] end
        local flat = {}
        for k, v in pairs(fields) do table.insert(flat, k); table.insert(flat, v) end
        redis.call('HSET', KEYS[2], unpack(flat))
        local base = math.max(now, tonumber(f[1]))
        redis.call('PEXPIRE', KEYS[2], math.max(1, math.min(base + tonumber(f[2]), tonumber(f[3])) - now))
        redis.call('HSET', KEYS[1], 'r', ARGV[2], 'n', ARGV[1])
        local score = redis.call('ZSCORE', KEYS[3], ARGV[6]) or (tonumber(fields['c']) * 1024) -- keeps its place
        redis.call('ZREM', KEYS[3], ARGV[6])
        redis.call('ZADD', KEYS[3], score, ARGV[1])
        -- The index may have expired or been emptied meanwhile (a lagging clock's touch outlives it, an older build's
        -- fast-clock list pruned it): ZADD then recreated it without a TTL (found in review). Both keys live as long as the session can.
        local keep = math.max(1, tonumber(f[3]) - now)
        extend(KEYS[3], keep)
        extend(KEYS[4], keep)
        return {1, ver}
        """;

    // KEYS: session, index, version. ARGV: now, idHash
    private const string RevokeScript = Active + "\n" + """
        local ver = tonumber(redis.call('GET', KEYS[3]) or '0')
        local f = redis.call('HMGET', KEYS[1], 'l', 'i', 'a', 'r', 'v')
        if not f[1] or f[4] then return 0 end
        -- Marked even when it looks expired to this caller: an instance whose clock lags may still find it alive, and a
        -- touch there would revive a session the user signed out of. Counted only when it was active.
        local was = active(f, ver, tonumber(ARGV[1]))
        redis.call('HSET', KEYS[1], 'r', ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[2])
        if was then return 1 end
        return 0
        """;

    // KEYS: index, version [, the kept session's key], then the index's members' session keys. ARGV: now, exceptId ('' =
    // none), userId, sessionPrefix. The kept session is read through its own key, not found through the index: it is
    // re-stamped with the new version even when the index no longer lists it (then it is listed again).
    private const string RevokeAllScript = Active + "\n" + Members + "\n" + """
        local all, keys = members(KEYS[1], ARGV[4], 3)
        if not all then return keys end
        local now = tonumber(ARGV[1])
        local ver = tonumber(redis.call('GET', KEYS[2]) or '0')
        local newver = ver + 1
        local count = 0
        for _, m in ipairs(all) do
          if m ~= ARGV[2] then
            local f = redis.call('HMGET', keys[m], 'l', 'i', 'a', 'r', 'v', 'u')
            if not f[1] then
              redis.call('ZREM', KEYS[1], m)
            elseif f[6] == ARGV[3] then
              if active(f, ver, now) then
                redis.call('HSET', keys[m], 'r', ARGV[1])
                redis.call('ZREM', KEYS[1], m)
                count = count + 1
              elseif dead(f, ver) then
                redis.call('ZREM', KEYS[1], m)
              end
            end
          end
        end
        local keep = 0
        if ARGV[2] ~= '' then
          local f = redis.call('HMGET', KEYS[3], 'l', 'i', 'a', 'r', 'v', 'u', 'c')
          if f[6] == ARGV[3] and active(f, ver, now) then
            redis.call('HSET', KEYS[3], 'v', newver)
            keep = tonumber(f[3]) - now
            if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
              redis.call('ZADD', KEYS[1], tonumber(f[7]) * 1024, ARGV[2])
              extend(KEYS[1], keep)
            end
          elseif dead(f, ver) then
            redis.call('ZREM', KEYS[1], ARGV[2])
          end
        end
        redis.call('SET', KEYS[2], newver, 'KEEPTTL')
        if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], 86400000) end
        if keep > 0 then extend(KEYS[2], keep) end
        return count
        """;

    // The fallback of revoke-all when the index kept changing (someone rotating or creating sessions of this user in a
    // loop): the version bump alone revokes every session, so it must not be something an attacker can keep from
    // happening. KEYS: version [, the kept session's key]. ARGV: now, userId.
    private const string BumpScript = Active + "\n" + """
        local now = tonumber(ARGV[1])
        local ver = tonumber(redis.call('GET', KEYS[1]) or '0')
        local newver = ver + 1
        local keep = 0
        if KEYS[2] then
          local f = redis.call('HMGET', KEYS[2], 'l', 'i', 'a', 'r', 'v', 'u')
          if f[6] == ARGV[2] and active(f, ver, now) then
            redis.call('HSET', KEYS[2], 'v', newver)
            keep = tonumber(f[3]) - now
          end
        end
        redis.call('SET', KEYS[1], newver, 'KEEPTTL')
        if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], 86400000) end
        if keep > 0 then extend(KEYS[1], keep) end
        return 0
        """;

    // KEYS: index, version, then the index's members' session keys. ARGV: now, userId, sessionPrefix
    private const string ListScript = Active + "\n" + Members + "\n" + """
        local all, keys = members(KEYS[1], ARGV[3], 3)
        if not all then return keys end
        local now = tonumber(ARGV[1])
        local ver = tonumber(redis.call('GET', KEYS[2]) or '0')
        local out = {0}
        for _, m in ipairs(all) do
          local key = keys[m]
          local f = redis.call('HMGET', key, 'l', 'i', 'a', 'r', 'v', 'u')
          if active(f, ver, now) then
            if f[6] == ARGV[2] then table.insert(out, redis.call('HGETALL', key)) end
          elseif dead(f, ver) then
            redis.call('ZREM', KEYS[1], m)
          end
        end
        return out
        """;


    private readonly RedisConnection _connection;

    /// <summary>Initializes the store.</summary>
    /// <param name="connection">The shared SecurityKit Redis connection.</param>
    public RedisSessionStore(RedisConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
    }

    /// <summary>Gets how many times an index operation is sent before it gives up (each attempt is one round trip;
    /// tests lower it).</summary>
    internal int MaxIndexAttempts { get; init; } = 64;

    /// <inheritdoc />
    public async ValueTask<SessionStoreResult> CreateAsync(SessionRecord session, int? maxSessionsPerUser, SessionLimitMode limitMode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(session.UserId, nameof(session));
        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(session.UserId, nameof(session));
        if (maxSessionsPerUser is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(requested, 1, nameof(maxSessionsPerUser)); // 0 would evict every session
        }

        if (!IsKeyPart(session.Partition, 16) || !IsKeyPart(session.IdHash, 43))
        {
            return new(SessionStoreStatus.Failed, 0, []);
        }

        var limit = Math.Min(maxSessionsPerUser ?? 1_000, 1_000);
        var mode = maxSessionsPerUser is null ? SessionLimitMode.EvictOldest : limitMode;
        var result = await EvalWithMembersAsync(
            CreateScript,
            session.Partition,
            [SessionKey(session.Partition, session.IdHash), IndexKey(session.Partition), VersionKey(session.Partition)],
            [
                session.IdHash, session.UserId, Ms(session.CreatedAt), Ms(session.LastUsedAt), (long)session.IdleTimeout.TotalMilliseconds, Ms(session.AbsoluteExpiresAt),
                session.IpAddress ?? string.Empty, session.Fingerprint ?? string.Empty, session.DeviceSummary ?? string.Empty,
                limit, mode == SessionLimitMode.RefuseNew ? "1" : "0", Ms(now), SessionPrefix(session.Partition), session.Partition,
            ],
            cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return new(SessionStoreStatus.Failed, 0, []);
        }

        var items = (RedisResult[])result!;
        var evicted = items.Length > 2 ? items.Skip(2).Select(r => (string)r!).ToArray() : [];
        return new((SessionStoreStatus)(int)items[0], (long)items[1], evicted);
    }

    /// <inheritdoc />
    public async ValueTask<SessionLookup> GetAsync(string partition, string idHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(idHash);
        if (!IsKeyPart(partition, 16) || !IsKeyPart(idHash, 43))
        {
            return new(null, 0);
        }

        var result = (RedisResult[])(await EvalAsync(GetScript, [SessionKey(partition, idHash), VersionKey(partition)], [], cancellationToken).ConfigureAwait(false))!;
        var version = (long)result[1];
        return new(Parse(idHash, (RedisResult[])result[0]!), version);
    }

    /// <inheritdoc />
    public ValueTask<bool> TouchAsync(string partition, string idHash, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) =>
        TouchCoreAsync(partition, idHash, [Ms(lastUsedAt)], cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> TouchIfUnchangedAsync(string partition, string idHash, DateTimeOffset expectedLastUsedAt, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) =>
        TouchCoreAsync(partition, idHash, [Ms(lastUsedAt), Ms(expectedLastUsedAt)], cancellationToken);

    /// <summary>One touch script for both: ARGV = the new last use [, the last use the caller read].</summary>
    private async ValueTask<bool> TouchCoreAsync(string partition, string idHash, RedisValue[] values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(idHash);
        if (!IsKeyPart(partition, 16) || !IsKeyPart(idHash, 43))
        {
            return false;
        }

        return (int)(await EvalAsync(TouchScript, [SessionKey(partition, idHash), VersionKey(partition)], values, cancellationToken).ConfigureAwait(false)) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<SessionStoreResult> RotateAsync(string partition, string oldIdHash, string newIdHash, DateTimeOffset now, string? ipAddress, string? fingerprint, string? deviceSummary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(oldIdHash);
        ArgumentNullException.ThrowIfNull(newIdHash);
        if (!IsKeyPart(partition, 16) || !IsKeyPart(oldIdHash, 43) || !IsKeyPart(newIdHash, 43))
        {
            return new(SessionStoreStatus.NotActive, 0, []);
        }

        var result = (RedisResult[])(await EvalAsync(
            RotateScript,
            [SessionKey(partition, oldIdHash), SessionKey(partition, newIdHash), IndexKey(partition), VersionKey(partition)],
            [newIdHash, Ms(now), ipAddress ?? string.Empty, fingerprint ?? string.Empty, deviceSummary ?? string.Empty, oldIdHash],
            cancellationToken).ConfigureAwait(false))!;
        return new((SessionStoreStatus)(int)result[0], (long)result[1], []);
    }

    /// <inheritdoc />
    public async ValueTask<bool> RevokeAsync(string partition, string idHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(idHash);
        if (!IsKeyPart(partition, 16) || !IsKeyPart(idHash, 43))
        {
            return false;
        }

        return (int)(await EvalAsync(RevokeScript, [SessionKey(partition, idHash), IndexKey(partition), VersionKey(partition)], [Ms(now), idHash], cancellationToken).ConfigureAwait(false)) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<int> RevokeAllAsync(string partition, string userId, string? exceptIdHash, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(userId);
        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(userId, nameof(userId));
        if (!IsKeyPart(partition, 16))
        {
            return 0;
        }

        // The kept session's key is declared up front (it also counts as a declared member when the index lists it).
        var kept = exceptIdHash is not null && IsKeyPart(exceptIdHash, 43) ? exceptIdHash : null;
        var result = await EvalWithMembersAsync(
            RevokeAllScript,
            partition,
            kept is null ? [IndexKey(partition), VersionKey(partition)] : [IndexKey(partition), VersionKey(partition), SessionKey(partition, kept)],
            [Ms(now), kept ?? string.Empty, userId, SessionPrefix(partition)],
            cancellationToken).ConfigureAwait(false);
        if (result is not null)
        {
            return (int)result;
        }

        // The index changed between every attempt: bump the version anyway (every session but the kept one stops
        // validating at once); the revoked count is unknown and reported as 0, and the index is left for later calls.
        RedisKey[] keys = kept is null ? [VersionKey(partition)] : [VersionKey(partition), SessionKey(partition, kept)];
        await EvalAsync(BumpScript, keys, [Ms(now), userId], cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SessionRecord>> ListAsync(string partition, string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(userId);
        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(userId, nameof(userId));
        if (!IsKeyPart(partition, 16))
        {
            return [];
        }

        var reply = await EvalWithMembersAsync(ListScript, partition, [IndexKey(partition), VersionKey(partition)], [Ms(now), userId, SessionPrefix(partition)], cancellationToken).ConfigureAwait(false)
            ?? throw IndexKeptChanging();
        var result = (RedisResult[])reply!;
        var list = new List<SessionRecord>(result.Length - 1);
        foreach (var item in result.AsSpan(1))
        {
            var fields = (RedisResult[])item!;
            if (Parse(null, fields) is { } record)
            {
                list.Add(record);
            }
        }

        return list;
    }

    /// <summary>
    /// Runs a script that reads the user's index and touches its members' session keys, passing those keys in
    /// <c>KEYS</c> (as Redis requires of scripts, and Redis Cluster relies on while a slot migrates). The first attempt
    /// declares none: a user without sessions needs one round trip. When the index holds a member the call did not
    /// declare, the script changes nothing and replies <c>{-1, 0, members…}</c>, and the call is repeated with those
    /// members (a concurrent create or rotation of the same user can make it repeat again).
    /// </summary>
    /// <returns>The script's reply, or <see langword="null"/> after <see cref="MaxIndexAttempts"/> attempts.</returns>
    private async Task<RedisResult?> EvalWithMembersAsync(string script, string partition, RedisKey[] fixedKeys, RedisValue[] values, CancellationToken cancellationToken)
    {
        var keys = fixedKeys;
        for (var attempt = 0; attempt < MaxIndexAttempts; attempt++)
        {
            var result = await EvalAsync(script, keys, values, cancellationToken).ConfigureAwait(false);
            if (result.Resp2Type != ResultType.Array || (RedisResult[])result! is not [{ Resp2Type: ResultType.Integer } first, _, .. var members] || (long)first != -1)
            {
                return result;
            }

            keys = new RedisKey[fixedKeys.Length + members.Length];
            fixedKeys.CopyTo(keys, 0);
            for (var i = 0; i < members.Length; i++)
            {
                keys[fixedKeys.Length + i] = SessionKey(partition, (string)members[i]!);
            }
        }

        return null;
    }

    private InvalidOperationException IndexKeptChanging() =>
        new($"The user's session index changed between each of {MaxIndexAttempts} attempts (concurrent creates or rotations of the same user); the operation did nothing. Retry it.");

    private async Task<RedisResult> EvalAsync(string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await database.ScriptEvaluateAsync(script, keys, values).Bounded(_connection, cancellationToken).ConfigureAwait(false);
    }

    private static SessionRecord? Parse(string? idHash, RedisResult[] flat)
    {
        if (flat.Length == 0)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            fields[(string)flat[i]!] = (string)flat[i + 1]!;
        }

        if (!fields.TryGetValue("u", out var user) || !fields.TryGetValue("p", out var partition) ||
            !TryLong(fields, "c", out var created) || !TryLong(fields, "l", out var lastUsed) || !TryLong(fields, "i", out var idle) ||
            !TryLong(fields, "a", out var absolute) || !TryLong(fields, "v", out var version))
        {
            // A corrupt record is treated as absent (fails closed).
            return null;
        }

        if (!fields.TryGetValue("id", out var storedId) || (idHash is not null && !string.Equals(idHash, storedId, StringComparison.Ordinal)))
        {
            return null;
        }

        return new SessionRecord
        {
            Partition = partition,
            IdHash = storedId,
            UserId = user,
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(created),
            LastUsedAt = DateTimeOffset.FromUnixTimeMilliseconds(lastUsed),
            IdleTimeout = TimeSpan.FromMilliseconds(idle),
            AbsoluteExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(absolute),
            TokenVersion = version,
            RevokedAt = TryLong(fields, "r", out var revoked) ? DateTimeOffset.FromUnixTimeMilliseconds(revoked) : null,
            IpAddress = fields.GetValueOrDefault("ip"),
            Fingerprint = fields.GetValueOrDefault("fp"),
            DeviceSummary = fields.GetValueOrDefault("d"),
            ReplacedBy = fields.GetValueOrDefault("n"),
        };
    }

    private static bool TryLong(Dictionary<string, string> fields, string name, out long value)
    {
        value = 0;
        return fields.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static bool IsKeyPart(string value, int length)
    {
        if (value.Length != length)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private string SessionPrefix(string partition) => $"{_connection.KeyPrefix}sess:{{{partition}}}:s:";

    private RedisKey SessionKey(string partition, string idHash) => SessionPrefix(partition) + idHash;

    private RedisKey IndexKey(string partition) => $"{_connection.KeyPrefix}sess:{{{partition}}}:u";

    private RedisKey VersionKey(string partition) => $"{_connection.KeyPrefix}sess:{{{partition}}}:v";
}
