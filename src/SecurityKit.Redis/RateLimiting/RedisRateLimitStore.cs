/*
 * Redis key schema of the rate-limit store (KeyPrefix defaults to "sk:"):
 *
 *   <KeyPrefix>rl:{<key>}   one key per limiter key; the key inside {…} is the Redis Cluster hash tag, so
 *                           each key maps to one slot and any future companion key of it stays in that slot.
 *     token bucket   string: theoretical arrival time, µs since the Unix epoch (decimal, up to 17 digits)
 *                    TTL = TAT − now (the bucket is full again when it expires); SET … PX writes both
 *     fixed window   string: integer (window index mod 2^28) + count · 2^28, window index = now / window
 *                    TTL = end of the window
 *     sliding window string: "<window index>:<count in that window>:<count in the window before>"
 *                    TTL = end of the next window
 *     (the lockout record is a hash:)
 *     lockout        f = consecutive recorded attempts, l = time of the last attempt (µs since the Unix epoch)
 *                    TTL = failure window after the last attempt; no TTL once permanently locked
 *
 * The login protector's keys are "login:<tag>:<key id>:<HMAC>" (see LoginProtector), so a stored login key
 * reads e.g. "sk:rl:{login:a:k1:3q2-7w…}" and never contains an e-mail address or IP address.
 * Every operation is one EVALSHA of one script on one key (EVAL only after a NOSCRIPT reply, e.g. after a
 * server restart), so it is atomic and takes exactly one round trip. The TTL is written by the same script as
 * the state, so no key is ever left without expiry. Denied checks write nothing.
 *
 * A key is bound to one algorithm (SecurityRateLimiter's keys start with the policy name, and a policy has one
 * rule). Reusing one key with two algorithms is a programming error: the limiter state is misread, bounded by the
 * key's TTL; a lockout rule on a limiter key (hash vs string) fails with WRONGTYPE.
 *
 * Clock: by default the scripts read the Redis server's clock (TIME): every application instance then agrees
 * on window boundaries and arrival times whatever the skew between their own clocks. Redis 5+ replicates
 * scripts by effects, so reading TIME in a writing script is allowed. A client clock (TimeProvider) can be
 * passed instead for tests or single-instance use.
 */
using System.Runtime.CompilerServices;
using SecurityKit.Stores.RateLimiting;
using StackExchange.Redis;

namespace SecurityKit.Redis.RateLimiting;

/// <summary>
/// The Redis <see cref="IRateLimitStore"/>: every check is one atomic Lua script on one key, one round trip, shared
/// by every application instance.
/// </summary>
/// <remarks>
/// <para>Operations fail with an exception when Redis is unreachable or replies with an error. The store adds no timer
/// of its own on the hot path (a per-call timeout costs an allocation and a thread hop): SecurityKit.RateLimiting's
/// limiters bound each call by their <c>StoreTimeout</c> and then apply their failure policy (fail open, fail closed or
/// in-memory fallback); used directly, calls are bounded by StackExchange.Redis's <c>asyncTimeout</c>.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class RedisRateLimitStore : IRateLimitStore
{
    private const long UnixEpochTicks = 621355968000000000;

    private static readonly ConditionalWeakTable<RateLimitRule, RedisValue[]> SinglePermitArguments = new();

    private readonly RedisConnection _connection;
    private readonly TimeProvider? _clientClock;
    private readonly string _prefix;

    /// <summary>Initializes a store that uses the Redis server's clock (recommended: instances with skewed clocks still agree).</summary>
    /// <param name="connection">The shared connection.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is <see langword="null"/>.</exception>
    public RedisRateLimitStore(RedisConnection connection)
        : this(connection, null)
    {
    }

    private RedisRateLimitStore(RedisConnection connection, TimeProvider? clientClock)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _clientClock = clientClock;
        _prefix = connection.KeyPrefix + "rl:{";
    }

    /// <summary>Creates a store that reads time from <paramref name="clientClock"/> instead of the server.</summary>
    /// <param name="connection">The shared connection.</param>
    /// <param name="clientClock">The clock.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks><b>Security:</b> with several application instances, clock skew between them shifts windows and lets a
    /// client gain (or lose) permits; use it for tests or a single instance only.</remarks>
    public static RedisRateLimitStore WithClientClock(RedisConnection connection, TimeProvider clientClock)
    {
        ArgumentNullException.ThrowIfNull(clientClock);
        return new RedisRateLimitStore(connection, clientClock);
    }

    /// <inheritdoc />
    public async ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimitRule rule, int permits = 1, CancellationToken cancellationToken = default)
    {
        var redisKey = KeyOf(key);
        ArgumentNullException.ThrowIfNull(rule);
        if ((uint)permits > (uint)rule.Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(permits), permits, "Permits must be between 0 and the rule's limit.");
        }

        var script = rule.Algorithm switch
        {
            RateLimitAlgorithm.TokenBucket => RedisRateLimitScripts.TokenBucket,
            RateLimitAlgorithm.FixedWindow => RedisRateLimitScripts.FixedWindow,
            _ => RedisRateLimitScripts.SlidingWindow,
        };

        // With the server clock the arguments depend only on the rule: the single-permit array is built once per rule
        // and shared (StackExchange.Redis only reads it), which saves an array and four boxed values per check.
        var args = _clientClock is null && permits == 1
            ? SinglePermitArguments.GetValue(rule, static r => [-1, r.Window.Ticks / 10, r.Limit, 1])
            : [NowMicroseconds(), rule.Window.Ticks / 10, rule.Limit, permits];
        var result = await EvaluateAsync(script, redisKey, args, cancellationToken).ConfigureAwait(false);
        if (result.Resp2Type == ResultType.Integer)
        {
            var value = (long)result;
            return value >= 0
                ? new RateLimitDecision(true, value, TimeSpan.Zero)
                : new RateLimitDecision(false, 0, FromMicroseconds(-value - 1));
        }

        var pair = (long[]?)result;
        if (pair is not { Length: 2 })
        {
            throw new InvalidOperationException("Unexpected reply from the SecurityKit rate-limit script.");
        }

        return new RateLimitDecision(false, pair[0], FromMicroseconds(pair[1]));
    }

    /// <inheritdoc />
    public async ValueTask<LockoutDecision> RegisterAttemptAsync(string key, LockoutRule rule, CancellationToken cancellationToken = default)
    {
        var redisKey = KeyOf(key);
        ArgumentNullException.ThrowIfNull(rule);
        var reply = await EvaluateAsync(
            RedisRateLimitScripts.Lockout,
            redisKey,
            [NowMicroseconds(), rule.FreeAttempts, rule.InitialDelay.Ticks / 10, rule.MaxDelay.Ticks / 10, rule.MaxConsecutiveFailures, rule.FailureWindow.Ticks / 10, rule.Permanent ? 1 : 0],
            cancellationToken).ConfigureAwait(false);
        var result = (long[]?)reply;
        if (result is not { Length: 3 })
        {
            throw new InvalidOperationException("Unexpected reply from the SecurityKit lockout script.");
        }

        var retry = result[2] < 0 ? TimeSpan.MaxValue : TimeSpan.FromTicks(result[2] * 10);
        return new LockoutDecision(result[0] == 1, (int)result[1], retry);
    }

    /// <inheritdoc />
    public async ValueTask ResetAsync(string key, CancellationToken cancellationToken = default)
    {
        var redisKey = KeyOf(key);
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await database.KeyDeleteAsync(redisKey).ConfigureAwait(false);
    }

    private RedisKey KeyOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > IRateLimitStore.MaxKeyLength)
        {
            throw new ArgumentException($"Rate-limit keys are at most {IRateLimitStore.MaxKeyLength} characters.", nameof(key));
        }

        return string.Concat(_prefix, key, "}");
    }

    private long NowMicroseconds() => _clientClock is null ? -1 : (_clientClock.GetUtcNow().UtcTicks - UnixEpochTicks) / 10;

    private static TimeSpan FromMicroseconds(long microseconds) => TimeSpan.FromTicks(microseconds * 10);

    private async Task<RedisResult> EvaluateAsync(RedisRateLimitScripts script, RedisKey key, RedisValue[] args, CancellationToken cancellationToken)
    {
        var pendingDatabase = _connection.GetDatabaseAsync(cancellationToken);
        var database = pendingDatabase.IsCompletedSuccessfully ? pendingDatabase.Result : await pendingDatabase.ConfigureAwait(false);
        RedisKey[] keys = [key];
        RedisResult result;
        try
        {
            result = await database.ScriptEvaluateAsync(script.Sha1, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // First use on this server (or it restarted): EVAL once, which also caches the script server-side.
            result = await database.ScriptEvaluateAsync(script.Text, keys, args).ConfigureAwait(false);
        }

        return result;
    }
}
