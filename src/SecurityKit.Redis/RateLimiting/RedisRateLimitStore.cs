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
 * Every check is part of exactly one EVALSHA (EVAL only after a NOSCRIPT reply, e.g. after a server restart), so it
 * is atomic and takes exactly one round trip. Checks that arrive while two batches are already in flight wait and
 * leave together in the next script call (group commit, at most 64 checks per call, one hash slot per call in a
 * cluster); a lone check is sent at once. The TTL is written by the same command as the state, so no key is ever
 * left without expiry. Denied checks write nothing. Lockout counters are one EVALSHA each, not batched.
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
using System.Collections.Concurrent;
using SecurityKit.Stores.RateLimiting;
using StackExchange.Redis;

namespace SecurityKit.Redis.RateLimiting;

/// <summary>
/// The Redis <see cref="IRateLimitStore"/>: every check is atomic, takes one round trip and is shared by every
/// application instance.
/// </summary>
/// <remarks>
/// <para>A check is sent at once unless two batches are already in flight; then it waits for the next script call,
/// which carries up to 64 waiting checks (per hash slot in Redis Cluster) and runs them in arrival order. Under load this
/// divides the server's per-script cost among many checks; a lone caller never waits. At most 8,192 checks wait per
/// queue: beyond that a check fails at once, so the limiter's failure policy applies instead of unbounded queueing.</para>
/// <para>Operations fail with an exception when Redis is unreachable or replies with an error. The store adds no timer
/// of its own on the hot path (a per-call timeout costs an allocation and a thread hop): SecurityKit.RateLimiting's
/// limiters bound each call by their <c>StoreTimeout</c> and then apply their failure policy (fail open, fail closed or
/// in-memory fallback); used directly, calls are bounded by StackExchange.Redis's <c>asyncTimeout</c>.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class RedisRateLimitStore : IRateLimitStore
{
    private const long UnixEpochTicks = 621355968000000000;

    private const int TopologyUnknown = 0;
    private const int TopologyStandalone = 1;
    private const int TopologyCluster = 2;

    /// <summary>Batches of one queue in flight at once; further checks wait and leave together when one returns.</summary>
    /// <remarks>Two: a second concurrent caller is sent at once rather than waiting a round trip, and the server works on
    /// one batch while the client reads the other's replies. With 64 callers, one in flight batched ~32 checks per call
    /// and two ~17, with throughput within the machine's noise of each other (benchmarks/results/rate-limiting.md).</remarks>
    internal const int MaxBatchesInFlight = 2;

    /// <summary>Checks allowed to wait in one queue; beyond it a check fails at once (the limiter's failure policy applies).</summary>
    internal const int MaxQueuedChecks = 8192;

    private readonly CheckQueue _queue = new();
    private readonly ConcurrentDictionary<int, CheckQueue> _slotQueues = new();
    private int _topology;

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
    public ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimitRule rule, int permits = 1, CancellationToken cancellationToken = default)
    {
        var redisKey = KeyOf(key);
        ArgumentNullException.ThrowIfNull(rule);
        if ((uint)permits > (uint)rule.Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(permits), permits, "Permits must be between 0 and the rule's limit.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var pendingDatabase = _connection.GetDatabaseAsync(cancellationToken);
        var task = pendingDatabase.IsCompletedSuccessfully
            ? Check(pendingDatabase.Result, redisKey, rule, permits)
            : CheckAfterConnectAsync(pendingDatabase, redisKey, rule, permits);
        return new ValueTask<RateLimitDecision>(cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task);
    }

    /// <inheritdoc />
    public async ValueTask<LockoutDecision> RegisterAttemptAsync(string key, LockoutRule rule, CancellationToken cancellationToken = default)
    {
        var redisKey = KeyOf(key);
        ArgumentNullException.ThrowIfNull(rule);
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var reply = await EvaluateAsync(
            database,
            RedisRateLimitScripts.Lockout,
            [redisKey],
            [NowMicroseconds(), rule.FreeAttempts, rule.InitialDelay.Ticks / 10, rule.MaxDelay.Ticks / 10, rule.MaxConsecutiveFailures, rule.FailureWindow.Ticks / 10, rule.Permanent ? 1 : 0]).ConfigureAwait(false);
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

    private async Task<RateLimitDecision> CheckAfterConnectAsync(ValueTask<IDatabase> pendingDatabase, RedisKey key, RateLimitRule rule, int permits) =>
        await Check(await pendingDatabase.ConfigureAwait(false), key, rule, permits).ConfigureAwait(false);

    /// <summary>
    /// Sends the check at once when no batch of its queue is in flight (awaiting the reply directly: no extra task, no
    /// thread hop); otherwise it waits in the queue and leaves with the next batch (group commit: no timer, so a lone
    /// caller never waits, and under load one script call carries many checks).
    /// </summary>
    private Task<RateLimitDecision> Check(IDatabase database, RedisKey key, RateLimitRule rule, int permits)
    {
        var queue = QueueFor(database, key);
        PendingCheck? check = null;
        List<PendingCheck>? batch = null;
        lock (queue)
        {
            if (queue.InFlight < MaxBatchesInFlight && queue.Pending.Count == 0)
            {
                queue.InFlight++;
            }
            else
            {
                if (queue.Pending.Count >= MaxQueuedChecks)
                {
                    return Task.FromException<RateLimitDecision>(new InvalidOperationException(
                        $"{MaxQueuedChecks} rate-limit checks are already waiting for Redis: the server is not keeping up, so this check fails at once."));
                }

                check = new PendingCheck(key, rule, permits);
                queue.Pending.Add(check);
                if (queue.InFlight < MaxBatchesInFlight)
                {
                    queue.InFlight++;
                    batch = queue.TakeBatch();
                }
            }
        }

        if (check is null)
        {
            return CheckAloneAsync(database, queue, key, rule, permits);
        }

        if (batch is not null)
        {
            _ = RunAsync(database, queue, batch);
        }

        return check.Task;
    }

    private async Task<RateLimitDecision> CheckAloneAsync(IDatabase database, CheckQueue queue, RedisKey key, RateLimitRule rule, int permits)
    {
        try
        {
            var args = new RedisValue[5];
            args[0] = NowMicroseconds();
            SetArguments(args, 0, rule, permits);
            var values = (long[]?)await EvaluateAsync(database, RedisRateLimitScripts.Checks, [key], args).ConfigureAwait(false);
            return Decode(values, 0, 1);
        }
        finally
        {
            List<PendingCheck>? next = null;
            lock (queue)
            {
                if (queue.Pending.Count == 0)
                {
                    queue.InFlight--;
                }
                else
                {
                    next = queue.TakeBatch();
                }
            }

            if (next is not null)
            {
                _ = RunAsync(database, queue, next);
            }
        }
    }

    private CheckQueue QueueFor(IDatabase database, RedisKey key)
    {
        var topology = Volatile.Read(ref _topology);
        if (topology == TopologyUnknown)
        {
            topology = DetectTopology(database.Multiplexer);
            Volatile.Write(ref _topology, topology);
        }

        // Redis Cluster: a script may only touch keys of one hash slot, so there checks are batched per slot. Until the
        // topology is known (not connected yet) the per-slot queues are used too: always correct, rarely batching.
        return topology == TopologyStandalone
            ? _queue
            : _slotQueues.GetOrAdd(database.Multiplexer.GetHashSlot(key), static _ => new CheckQueue());
    }

    private static int DetectTopology(IConnectionMultiplexer multiplexer)
    {
        var connected = false;
        foreach (var server in multiplexer.GetServers())
        {
            if (server.ServerType == ServerType.Cluster)
            {
                return TopologyCluster;
            }

            connected |= server.IsConnected;
        }

        return connected ? TopologyStandalone : TopologyUnknown;
    }

    private async Task RunAsync(IDatabase database, CheckQueue queue, List<PendingCheck> batch)
    {
        while (true)
        {
            await SendAsync(database, batch).ConfigureAwait(false);
            lock (queue)
            {
                if (queue.Pending.Count == 0)
                {
                    queue.InFlight--;
                    return;
                }

                batch = queue.TakeBatch();
            }
        }
    }

    private async Task SendAsync(IDatabase database, List<PendingCheck> batch)
    {
        try
        {
            var keys = new RedisKey[batch.Count];
            var args = new RedisValue[1 + (4 * batch.Count)];
            args[0] = NowMicroseconds();
            for (var i = 0; i < batch.Count; i++)
            {
                keys[i] = batch[i].Key;
                SetArguments(args, i, batch[i].Rule, batch[i].Permits);
            }

            var values = (long[]?)await EvaluateAsync(database, RedisRateLimitScripts.Checks, keys, args).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].TrySetResult(Decode(values, i, batch.Count));
            }
        }
#pragma warning disable CA1031 // Every failure (connection, timeout, server error) belongs to the callers of the batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var check in batch)
            {
                check.TrySetException(ex);
            }
        }
    }

    private static void SetArguments(RedisValue[] args, int index, RateLimitRule rule, int permits)
    {
        args[1 + (4 * index)] = (int)rule.Algorithm;
        args[2 + (4 * index)] = rule.Window.Ticks / 10;
        args[3 + (4 * index)] = rule.Limit;
        args[4 + (4 * index)] = permits;
    }

    private static RateLimitDecision Decode(long[]? values, int index, int count)
    {
        if (values is null || values.Length != 2 * count)
        {
            throw new InvalidOperationException("Unexpected reply from the SecurityKit rate-limit script.");
        }

        var code = values[2 * index];
        return code >= 0
            ? new RateLimitDecision(true, code, TimeSpan.Zero)
            : new RateLimitDecision(false, -code - 1, TimeSpan.FromTicks(values[(2 * index) + 1] * 10));
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

    private static async Task<RedisResult> EvaluateAsync(IDatabase database, RedisRateLimitScripts script, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await database.ScriptEvaluateAsync(script.Sha1, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // First use on this server (or it restarted): EVAL once, which also caches the script server-side.
            return await database.ScriptEvaluateAsync(script.Text, keys, args).ConfigureAwait(false);
        }
    }

    /// <summary>A check waiting for its batch; completes on the thread pool so one caller's continuation never delays the rest of the batch.</summary>
    private sealed class PendingCheck(RedisKey key, RateLimitRule rule, int permits)
        : TaskCompletionSource<RateLimitDecision>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public RedisKey Key { get; } = key;

        public RateLimitRule Rule { get; } = rule;

        public int Permits { get; } = permits;
    }

    /// <summary>The checks of one queue (the whole server, or one hash slot in a cluster); guarded by its own monitor.</summary>
    private sealed class CheckQueue
    {
        public List<PendingCheck> Pending { get; private set; } = [];

        public int InFlight { get; set; }

        public List<PendingCheck> TakeBatch()
        {
            if (Pending.Count <= RedisRateLimitScripts.MaxChecksPerBatch)
            {
                var all = Pending;
                Pending = [];
                return all;
            }

            var batch = Pending.GetRange(0, RedisRateLimitScripts.MaxChecksPerBatch);
            Pending.RemoveRange(0, RedisRateLimitScripts.MaxChecksPerBatch);
            return batch;
        }
    }
}
