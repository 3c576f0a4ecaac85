/*
 * Redis key schema of the rate-limit store (KeyPrefix defaults to "sk:"):
 *
 *   <KeyPrefix>rl:{<key>}   one key per limiter key; the key inside {…} is the Redis Cluster hash tag, so
 *                           each key maps to one slot and any future companion key of it stays in that slot.
 *     (limiter state is binary: big-endian IEEE-754 doubles, struct.pack('>d…'), the rule's window (µs) first; the
 *      length tells the algorithms apart, and a value with another length or window counts as empty)
 *     token bucket   16 bytes: window, theoretical arrival time (TAT), µs since the Unix epoch
 *                    TTL = window + q + 1 ms, set when the key is created or its TAT moves to a later slot of
 *                    q = max(window / 4, 1 ms), kept (KEEPTTL) otherwise: the key always outlives its TAT
 *     fixed window   24 bytes: window, window index (now / window), count
 *                    TTL = window + 1 ms from the first write of each window (outlives the window), kept otherwise
 *     sliding window 32 bytes: window, window index, count in that window, count in the window before
 *                    TTL = 2 windows + 1 ms from the first write of each window, kept otherwise
 *     lockout        17 bytes: 'L', consecutive recorded attempts, time of the last attempt (µs since the Unix epoch)
 *                    TTL = failure window after the last attempt; no TTL once permanently locked
 *
 * The login protector's keys are "login:<tag>:<key id>:<HMAC>" (see LoginProtector), so a stored login key
 * reads e.g. "sk:rl:{login:a:k1:3q2-7w…}" and never contains an e-mail address or IP address.
 * Every check is part of exactly one EVALSHA (EVAL only after a NOSCRIPT reply, e.g. after a server restart), so it
 * is atomic and takes exactly one round trip. Checks that arrive while two batches are already in flight wait and
 * leave together in the next script call (group commit, at most 64 checks per call, one hash slot per call in a
 * cluster); a lone check is sent at once. Inside a call the checks are grouped by key and rule: one GET and at most
 * one SET per group. A key is created by SET … PX (state and TTL in one command), so no key is ever left without
 * expiry, except a permanently locked lockout counter (opt-in). Denied checks write nothing. Lockout counters are one EVALSHA each, not batched. Needs Redis 6.0+ (KEEPTTL).
 *
 * A key is bound to one algorithm (SecurityRateLimiter's keys start with the policy name, and a policy has one
 * rule). Reusing one key with another algorithm or window starts it over (the state's length or window does not
 * match); with another limit only, the state is shared. Lockout counters and limiters tell their states apart by
 * length (17 bytes vs 16/24/32): either one reading the other's state counts it as empty. A key holding another Redis
 * type (not written by SecurityKit) fails with WRONGTYPE.
 *
 * Clock: by default the scripts read the Redis server's clock (TIME, once per batch): every application instance then
 * agrees on window boundaries and arrival times whatever the skew between their own clocks. Redis 5+ replicates
 * scripts by effects, so reading TIME in a writing script is allowed. A client clock (TimeProvider) can be passed
 * instead for tests or single-instance use.
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
/// which carries up to 64 waiting checks (per hash slot in Redis Cluster) grouped by key and rule: one read and at most
/// one write per key, groups in order of their first check, arrival order inside a group. Under load this divides the
/// server's per-script cost among many checks; a lone caller never waits. Batching is used only where it is
/// safe (plain Redis, or per hash slot on Redis Cluster; never through proxies, and it switches itself off after a
/// CROSSSLOT refusal). At most 8,192 checks wait in all: beyond that a check fails at once, so the limiter's failure
/// policy applies instead of unbounded queueing; a waiting check whose caller cancels, or that waited longer than
/// <see cref="RedisSecurityKitOptions.OperationTimeout"/>, fails without being sent. In a batch each check is
/// decided on its own: a key holding another Redis type fails that check only.</para>
/// <para>Operations fail with an exception when Redis is unreachable or replies with an error. The store adds no timer
/// of its own on the hot path (a per-call timeout costs an allocation and a thread hop): SecurityKit.RateLimiting's
/// limiters bound each call by their <c>StoreTimeout</c> and then apply their failure policy (fail open, fail closed or
/// in-memory fallback), and withdraw a check still waiting when they stop waiting for it. Used directly, pass a
/// <see cref="CancellationToken"/>: a waiting check is judged against <c>OperationTimeout</c> only when a call in flight
/// returns, so against a stalled server a check can wait for StackExchange.Redis's <c>asyncTimeout</c> to fail the calls
/// in flight, and then, if sent, up to that timeout again.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class RedisRateLimitStore : IRateLimitStore
{
    private const long UnixEpochTicks = 621355968000000000;

    internal const int TopologyUnknown = 0;
    internal const int TopologyStandalone = 1;
    internal const int TopologyCluster = 2;
    internal const int TopologyUnbatched = 3;

    /// <summary>Batches of one queue in flight at once; further checks wait and leave together when one returns.</summary>
    /// <remarks>Two: a second concurrent caller is sent at once rather than waiting a round trip, and the server works on
    /// one batch while the client reads the other's replies. With 64 callers, one in flight batched ~32 checks per call
    /// and two ~17, with throughput within the machine's noise of each other (benchmarks/results/rate-limiting.md).</remarks>
    internal const int MaxBatchesInFlight = 2;

    /// <summary>Checks allowed to wait (all queues together); beyond it a check fails at once (the limiter's failure policy applies).</summary>
    internal const int MaxQueuedChecks = 8192;

    /// <summary>Per-rule lone-check scripts a store keeps (distinct algorithm, window, limit, and one permit or any count: a
    /// rule checked both with one permit and with others, peeks included, takes two); checks under further rules
    /// use the generic <see cref="RedisRateLimitScripts.Check"/>, so a host that builds rules from request data cannot grow
    /// the cache, or the server's script cache, without bound.</summary>
    internal const int MaxRuleScripts = 64;

    /// <summary>The arguments of a one-permit check under a per-rule script with the server clock: none (the permit count
    /// is a constant of the script). Shared by every such call; StackExchange.Redis only reads it.</summary>
    private static readonly RedisValue[] NoArguments = [];

    private readonly ConcurrentDictionary<(RateLimitAlgorithm Algorithm, long Window, int Limit, bool OnePermit), RedisRateLimitScripts> _ruleScripts = new();
    private bool _ruleScriptsFull;
    private int _ruleScriptAdds;
    private readonly CheckQueue _queue = new();
    private readonly ConcurrentDictionary<int, CheckQueue> _slotQueues = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxQueueWait;
    private int _topology;
    private int _queued;

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
        _time = clientClock ?? connection.TimeProvider;
        _maxQueueWait = connection.Options.OperationTimeout;
        _prefix = connection.KeyPrefix + "rl:{";
    }

    /// <summary>Creates a store that reads time from <paramref name="clientClock"/> instead of the server.</summary>
    /// <param name="connection">The shared connection.</param>
    /// <param name="clientClock">The clock.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks><b>Security:</b> with several application instances, clock skew between them shifts windows and lets a
    /// client gain (or lose) permits; use it for tests or a single instance only. Redis still expires keys by its own
    /// clock, and a write keeps its key's TTL within a window: a client clock that lags the server's, or steps back, can
    /// see a key expire while it still counts the same window (a reset, as with skew).</remarks>
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

        if (rule.Algorithm == RateLimitAlgorithm.TokenBucket && rule.Window.Ticks < 10L * rule.Limit)
        {
            // The arrival time is stored in µs since 1970 as a double (2^-2 µs resolution today): below 1 µs per permit
            // it would stop advancing and the bucket would never fill.
            throw new ArgumentOutOfRangeException(nameof(rule), "The Redis store needs a token bucket of at most one permit per microsecond (Window / Limit ≥ 1 µs); use a longer window or a lower limit.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var pendingDatabase = _connection.GetDatabaseAsync(cancellationToken);
        return new ValueTask<RateLimitDecision>(pendingDatabase.IsCompletedSuccessfully
            ? Check(pendingDatabase.Result, redisKey, rule, permits, cancellationToken)
            : CheckAfterConnectAsync(pendingDatabase, redisKey, rule, permits, cancellationToken));
    }

    /// <inheritdoc />
    /// <remarks>Bounded by <see cref="RedisSecurityKitOptions.OperationTimeout"/> and <paramref name="cancellationToken"/>
    /// (<see cref="TimeoutException"/>, <see cref="OperationCanceledException"/>), like <see cref="ResetAsync"/>: the
    /// progressive OTP lockout calls the store directly, without the limiter's timeout, and during an outage waited for
    /// StackExchange.Redis's own timeout (5 s by default) whatever the caller's token said (found in review). Checks have
    /// no timer of their own (the limiter bounds them; see the class remarks).</remarks>
    public async ValueTask<LockoutDecision> RegisterAttemptAsync(string key, LockoutRule rule, CancellationToken cancellationToken = default)
    {
        var redisKey = KeyOf(key);
        ArgumentNullException.ThrowIfNull(rule);
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var reply = await EvaluateAsync(
            database,
            RedisRateLimitScripts.Lockout,
            [redisKey],
            [NowMicroseconds(), rule.FreeAttempts, rule.InitialDelay.Ticks / 10, rule.MaxDelay.Ticks / 10, rule.MaxConsecutiveFailures, rule.FailureWindow.Ticks / 10, rule.Permanent ? 1 : 0, Math.Max(1, (rule.FailureWindow.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond)])
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
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
        await database.KeyDeleteAsync(redisKey).Bounded(_connection, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RateLimitDecision> CheckAfterConnectAsync(ValueTask<IDatabase> pendingDatabase, RedisKey key, RateLimitRule rule, int permits, CancellationToken cancellationToken) =>
        await Check(await pendingDatabase.ConfigureAwait(false), key, rule, permits, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sends the check at once when fewer than <see cref="MaxBatchesInFlight"/> script calls of its queue are in flight
    /// (awaiting the reply directly: no extra task, no thread hop); otherwise it waits in the queue and leaves with the
    /// next batch (group commit: no timer, so a lone caller never waits, and under load one script call carries many
    /// checks). Where batching is not safe (topology unknown or not plain Redis / Redis Cluster) every check goes alone.
    /// </summary>
    private Task<RateLimitDecision> Check(IDatabase database, RedisKey key, RateLimitRule rule, int permits, CancellationToken cancellationToken)
    {
        var queue = QueueFor(database, key);
        if (queue is null)
        {
            return WithCancellation(CheckAloneAsync(database, null, key, rule, permits), cancellationToken);
        }

        PendingCheck? check = null;
        lock (queue)
        {
            if (queue.InFlight < MaxBatchesInFlight)
            {
                // Nothing waits while a slot is free: a finishing batch hands its slot to the waiting checks first.
                queue.InFlight++;
            }
            else
            {
                if (Interlocked.Increment(ref _queued) > MaxQueuedChecks)
                {
                    Interlocked.Decrement(ref _queued);
                    return Task.FromException<RateLimitDecision>(new InvalidOperationException(
                        $"{MaxQueuedChecks} rate-limit checks are already waiting for Redis: the server is not keeping up, so this check fails at once."));
                }

                check = new PendingCheck(key, rule, permits, _time.GetTimestamp());

                // Registered before the check can leave with a batch, so completing it always disposes the registration.
                check.ListenTo(cancellationToken);
                queue.Pending.Add(check);
            }
        }

        return check is null
            ? WithCancellation(CheckAloneAsync(database, queue, key, rule, permits), cancellationToken)
            : check.Task;
    }

    private static Task<RateLimitDecision> WithCancellation(Task<RateLimitDecision> task, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled && !task.IsCompleted ? task.WaitAsync(cancellationToken) : task;

    private async Task<RateLimitDecision> CheckAloneAsync(IDatabase database, CheckQueue? queue, RedisKey key, RateLimitRule rule, int permits)
    {
        try
        {
            // One async method from here to the server (the NOSCRIPT retry inline): the lone check is the latency path.
            RedisValue[] args;
            if (RuleScript(rule, permits == 1) is { } script)
            {
                args = permits == 1
                    ? _clientClock is not null ? [NowMicroseconds()] : NoArguments
                    : _clientClock is not null ? [permits, NowMicroseconds()] : [permits];
            }
            else
            {
                script = RedisRateLimitScripts.Check;
                args = new RedisValue[6];
                args[0] = NowMicroseconds();
                SetRule(args, 1, rule);
                args[5] = permits;
            }

            RedisKey[] keys = [key];
            RedisResult reply;
            try
            {
                try
                {
                    reply = await database.ScriptEvaluateAsync(script.Sha1, keys, args).ConfigureAwait(false);
                }
                catch (RedisServerException ex) when (IsNoScript(ex))
                {
                    reply = await database.ScriptEvaluateAsync(script.Text, keys, args).ConfigureAwait(false);
                }
            }
            catch (RedisServerException ex) when (ex.Message.Contains("WRONGTYPE", StringComparison.Ordinal))
            {
                // The single-check scripts read with redis.call: a key of another type fails the script before it writes.
                throw WrongType(ex);
            }

            return reply.Resp2Type == ResultType.Integer
                ? new RateLimitDecision(true, (long)reply, TimeSpan.Zero)
                : Decode((long[]?)reply, 0, 1);
        }
        catch (Exception ex) when (RedisErrors.Scrub(ex))
        {
            throw; // never reached: the filter removes key names from the exception and returns false
        }
        finally
        {
            if (queue is not null)
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
                        next = TakeBatch(queue);
                    }
                }

                if (next is not null)
                {
                    _ = RunAsync(database, queue, next);
                }
            }
        }
    }

    /// <summary>Gets or sets whether lone checks use per-rule scripts (tests turn it off to exercise the generic script).</summary>
    internal bool UseRuleScripts { get; set; } = true;

    /// <summary>Gets the number of per-rule scripts this store holds.</summary>
    internal int RuleScriptCount => _ruleScripts.Count;

    /// <summary>The lone-check script for <paramref name="rule"/>'s algorithm, window and limit (and a permit count of one,
    /// or any), or <see langword="null"/> (use the generic script) once <see cref="MaxRuleScripts"/> others exist.</summary>
    private RedisRateLimitScripts? RuleScript(RateLimitRule rule, bool onePermit)
    {
        if (!UseRuleScripts)
        {
            return null;
        }

        var id = (rule.Algorithm, rule.Window.Ticks / 10, rule.Limit, onePermit);
        if (_ruleScripts.TryGetValue(id, out var script))
        {
            return script;
        }

        // A sticky flag, not ConcurrentDictionary.Count (which takes every bucket lock), once the cache is full; racing
        // callers may pass the bound by a few entries before it is set: still bounded.
        if (Volatile.Read(ref _ruleScriptsFull))
        {
            return null;
        }

        script = _ruleScripts.GetOrAdd(id, static (id, ttl) => RedisRateLimitScripts.CheckFor(id.Algorithm, id.Window, id.Limit, ttl, id.OnePermit), TtlMilliseconds(rule));
        if (Interlocked.Increment(ref _ruleScriptAdds) >= MaxRuleScripts && _ruleScripts.Count >= MaxRuleScripts)
        {
            Volatile.Write(ref _ruleScriptsFull, true);
        }

        return script;
    }

    private CheckQueue? QueueFor(IDatabase database, RedisKey key)
    {
        var topology = Volatile.Read(ref _topology);
        if (topology == TopologyUnknown)
        {
            topology = DetectTopology(database.Multiplexer);
            if (topology != TopologyUnknown)
            {
                Volatile.Write(ref _topology, topology);
            }
        }

        // A script may touch several keys only if they live on one server: any key on plain Redis, keys of one hash slot
        // on Redis Cluster. Proxies (twemproxy, Envoy) route a script by its first key, and an unknown topology (not
        // connected yet) could be either, so there every check goes alone.
        return topology switch
        {
            TopologyStandalone => _queue,
            TopologyCluster => _slotQueues.GetOrAdd(database.Multiplexer.GetHashSlot(key), static _ => new CheckQueue()),
            _ => null,
        };
    }

    internal static int DetectTopology(IConnectionMultiplexer multiplexer)
    {
        var connected = false;
        var cluster = false;
        foreach (var server in multiplexer.GetServers())
        {
            if (!server.IsConnected)
            {
                continue;
            }

            connected = true;
            switch (server.ServerType)
            {
                case ServerType.Cluster:
                    cluster = true;
                    break;
                case ServerType.Standalone:
                    break;
                default:
                    return TopologyUnbatched;
            }
        }

        return !connected ? TopologyUnknown : cluster ? TopologyCluster : TopologyStandalone;
    }

    private List<PendingCheck> TakeBatch(CheckQueue queue)
    {
        List<PendingCheck> batch;
        if (queue.Pending.Count <= RedisRateLimitScripts.MaxChecksPerBatch)
        {
            batch = queue.Pending;
            queue.Pending = [];
        }
        else
        {
            batch = queue.Pending.GetRange(0, RedisRateLimitScripts.MaxChecksPerBatch);
            queue.Pending.RemoveRange(0, RedisRateLimitScripts.MaxChecksPerBatch);
        }

        Interlocked.Add(ref _queued, -batch.Count);
        return batch;
    }

    private async Task RunAsync(IDatabase database, CheckQueue queue, List<PendingCheck> batch)
    {
        while (true)
        {
            var now = _time.GetTimestamp();
            var live = batch.FindAll(check => !check.Task.IsCompleted && !check.Expire(now, _maxQueueWait, _time));
            if (live.Count > 0)
            {
                var sending = SendAsync(database, live);
                if (sending.IsCompleted)
                {
                    // Finished without waiting (a server failing fast): continue on the thread pool rather than drain
                    // the whole queue on this thread, which may be a request's.
                    await Task.Yield();
                }
                else
                {
                    await sending.ConfigureAwait(false);
                }
            }

            lock (queue)
            {
                if (queue.Pending.Count == 0)
                {
                    queue.InFlight--;
                    return;
                }

                batch = TakeBatch(queue);
            }
        }
    }

    private async Task SendAsync(IDatabase database, List<PendingCheck> batch)
    {
        try
        {
            var (keys, args, positions) = BatchArguments(batch);
            var values = (long[]?)await EvaluateAsync(database, RedisRateLimitScripts.Checks, keys, args).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    batch[i].Complete(Decode(values, positions[i], batch.Count));
                }
                catch (InvalidOperationException ex)
                {
                    batch[i].Fail(ex);
                }
            }
        }
        catch (Exception ex) when (batch.Count > 1 && IsCrossSlot(ex))
        {
            // A server that looked like plain Redis but shards keys (a proxy or managed cluster) refused a multi-key
            // script before running it: stop batching and send these checks one by one.
            Volatile.Write(ref _topology, TopologyUnbatched);
            foreach (var check in batch)
            {
                await SendAsync(database, [check]).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Every failure (connection, timeout, server error) belongs to the callers of the batch.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RedisErrors.Scrub(ex);
            foreach (var check in batch)
            {
                // One exception object per caller: rethrowing a shared one from many threads garbles its stack trace.
                check.Fail(batch.Count == 1 ? ex : new InvalidOperationException($"The Redis script call carrying this rate-limit check and {batch.Count - 1} others failed ({ex.GetType().Name}).", ex));
            }
        }
    }

    /// <summary>Sends <paramref name="checks"/> as one batch, whatever the load (tests compare the batch script with the single-check one).</summary>
    internal async Task<RateLimitDecision[]> CheckBatchAsync(IReadOnlyList<(string Key, RateLimitRule Rule, int Permits)> checks)
    {
        var database = await _connection.GetDatabaseAsync().ConfigureAwait(false);
        var batch = checks.Select(c => new PendingCheck(KeyOf(c.Key), c.Rule, c.Permits, _time.GetTimestamp())).ToList();
        await SendAsync(database, batch).ConfigureAwait(false);
        return await Task.WhenAll(batch.Select(c => c.Task)).ConfigureAwait(false);
    }

    private static bool IsCrossSlot(Exception ex) =>
        (ex is RedisServerException && ex.Message.Contains("CROSSSLOT", StringComparison.Ordinal)) ||
        (ex is RedisCommandException && ex.Message.Contains("single slot", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The script arguments of a batch: the checks grouped by key and rule (groups in order of first arrival, arrival
    /// order kept inside a group), each distinct rule sent once. <c>positions[i]</c> is the reply slot of check i.
    /// </summary>
    private (RedisKey[] Keys, RedisValue[] Args, int[] Positions) BatchArguments(List<PendingCheck> batch)
    {
        var count = batch.Count;
        var rules = new List<RateLimitRule>(2);
        var groupOfCheck = new int[count];
        var groupKeys = new List<RedisKey>(count);
        var groupRules = new List<int>(count);
        var groupSizes = new List<int>(count);
        var index = new Dictionary<(RedisKey Key, int Rule), int>(count);
        for (var i = 0; i < count; i++)
        {
            var check = batch[i];
            var rule = RuleNumber(rules, check.Rule);
            if (!index.TryGetValue((check.Key, rule), out var group))
            {
                group = groupKeys.Count;
                index.Add((check.Key, rule), group);
                groupKeys.Add(check.Key);
                groupRules.Add(rule);
                groupSizes.Add(0);
            }

            groupOfCheck[i] = group;
            groupSizes[group]++;
        }

        var groups = groupKeys.Count;
        var args = new RedisValue[2 + (4 * rules.Count) + (2 * groups) + count];
        args[0] = NowMicroseconds();
        args[1] = rules.Count;
        for (var r = 0; r < rules.Count; r++)
        {
            SetRule(args, 2 + (4 * r), rules[r]);
        }

        // Per group: rule number, size, then the permits of its checks; nextArg/nextReply are where the next check of
        // the group goes in the arguments and in the reply.
        var nextArg = new int[groups];
        var nextReply = new int[groups];
        var at = 2 + (4 * rules.Count);
        var reply = 0;
        for (var g = 0; g < groups; g++)
        {
            args[at] = groupRules[g] + 1;
            args[at + 1] = groupSizes[g];
            nextArg[g] = at + 2;
            nextReply[g] = reply;
            at += 2 + groupSizes[g];
            reply += groupSizes[g];
        }

        var positions = new int[count];
        for (var i = 0; i < count; i++)
        {
            var g = groupOfCheck[i];
            args[nextArg[g]++] = batch[i].Permits;
            positions[i] = nextReply[g]++;
        }

        return ([.. groupKeys], args, positions);
    }

    private static int RuleNumber(List<RateLimitRule> rules, RateLimitRule rule)
    {
        for (var r = 0; r < rules.Count; r++)
        {
            var known = rules[r];
            if (ReferenceEquals(known, rule) || (known.Algorithm == rule.Algorithm && known.Window == rule.Window && known.Limit == rule.Limit))
            {
                return r;
            }
        }

        rules.Add(rule);
        return rules.Count - 1;
    }

    /// <summary>Writes a rule's four script arguments: algorithm, window (µs), limit and the TTL (ms) a write gives a key.</summary>
    private static void SetRule(RedisValue[] args, int at, RateLimitRule rule)
    {
        args[at] = (int)rule.Algorithm;
        args[at + 1] = rule.Window.Ticks / 10;
        args[at + 2] = rule.Limit;
        args[at + 3] = TtlMilliseconds(rule);
    }

    /// <summary>
    /// The TTL the script gives a key when it creates it or moves it to a new window (token bucket: a new slot), so the
    /// key outlives the state it holds: fixed window, one window (the first write of a window is not before its start);
    /// sliding window, two (the next window still weighs this one's count); token bucket, window + slot width
    /// q = max(window / 4, 1 ms) (the arrival time is at most one window ahead of now, and stays in its slot until the
    /// next TTL is set). Plus 1 ms for the server's cached command time. The windows are whole milliseconds.
    /// </summary>
    internal static long TtlMilliseconds(RateLimitRule rule)
    {
        var window = rule.Window.Ticks / TimeSpan.TicksPerMillisecond;
        return rule.Algorithm switch
        {
            RateLimitAlgorithm.TokenBucket => window + Math.Max((window + 3) / 4, 1) + 1,
            RateLimitAlgorithm.FixedWindow => window + 1,
            _ => (2 * window) + 1,
        };
    }

    private static RateLimitDecision Decode(long[]? values, int index, int count)
    {
        if (values is null || values.Length != 2 * count)
        {
            throw new InvalidOperationException("Unexpected reply from the SecurityKit rate-limit script.");
        }

        var code = values[2 * index];
        if (code == RedisRateLimitScripts.WrongTypeCode)
        {
            throw WrongType(null);
        }

        return code >= 0
            ? new RateLimitDecision(true, code, TimeSpan.Zero)
            : new RateLimitDecision(false, -code - 1, TimeSpan.FromTicks(values[(2 * index) + 1] * 10));
    }

    private static InvalidOperationException WrongType(Exception? inner) =>
        new("The rate-limit key holds a Redis value of another type (WRONGTYPE): use each key with one kind of limiter only.", inner);

    private RedisKey KeyOf(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Length > IRateLimitStore.MaxKeyLength)
        {
            throw new ArgumentException($"Rate-limit keys are at most {IRateLimitStore.MaxKeyLength} characters.", nameof(key));
        }

        if (!SecurityKit.Primitives.WellFormedText.IsWellFormedUtf16(key))
        {
            // Redis keys are UTF-8, where every unpaired surrogate becomes U+FFFD: "k\uD800" and "k\uDBFF" would share one
            // counter while the in-memory store keeps them apart (found in review). The limiters hash such keys first.
            throw new ArgumentException("Rate-limit keys must be valid UTF-16 (no unpaired surrogate): Redis would merge such keys.", nameof(key));
        }

        return string.Concat(_prefix, key, "}");
    }

    // The client clock when one was chosen; otherwise −1: the script reads the server's TIME where it runs, so every
    // check on a key sees one monotonic clock whichever instance sent it. (A client-side estimate of the server clock
    // was tried and dropped: it saved ~10 % of a cold check's latency but let "now" step backwards between batches and
    // instances, which made "remaining" inexact and let instances disagree on window boundaries by milliseconds.)
    private long NowMicroseconds() => _clientClock is null ? -1 : (_clientClock.GetUtcNow().UtcTicks - UnixEpochTicks) / 10;

    private static bool IsNoScript(RedisServerException ex) => ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    private static async Task<RedisResult> EvaluateAsync(IDatabase database, RedisRateLimitScripts script, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await database.ScriptEvaluateAsync(script.Sha1, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (IsNoScript(ex))
        {
            // First use on this server (or it restarted): EVAL once, which also caches the script server-side.
            return await database.ScriptEvaluateAsync(script.Text, keys, args).ConfigureAwait(false);
        }
    }

    /// <summary>A check waiting for its batch; completes on the thread pool so one caller's continuation never delays the rest of the batch.</summary>
    private sealed class PendingCheck(RedisKey key, RateLimitRule rule, int permits, long enqueuedAt)
        : TaskCompletionSource<RateLimitDecision>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private CancellationTokenRegistration _registration;

        public RedisKey Key { get; } = key;

        public RateLimitRule Rule { get; } = rule;

        public int Permits { get; } = permits;

        /// <summary>Cancels the check while it waits when the caller gives up; it is then never sent.</summary>
        public void ListenTo(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((PendingCheck)state!).TrySetCanceled(token), this);
            }
        }

        /// <summary>Fails the check, unsent, when it waited longer than <paramref name="maxWait"/>.</summary>
        public bool Expire(long now, TimeSpan maxWait, TimeProvider time)
        {
            if (time.GetElapsedTime(enqueuedAt, now) <= maxWait)
            {
                return false;
            }

            Fail(new TimeoutException($"The rate-limit check waited longer than {maxWait.TotalMilliseconds:0} ms (RedisSecurityKitOptions.OperationTimeout) for its turn and was not sent to Redis."));
            return true;
        }

        public void Complete(RateLimitDecision decision)
        {
            TrySetResult(decision);
            _registration.Dispose();
        }

        public void Fail(Exception exception)
        {
            TrySetException(exception);
            _registration.Dispose();
        }
    }

    /// <summary>The checks of one queue (the whole server, or one hash slot in a cluster); guarded by its own monitor.</summary>
    private sealed class CheckQueue
    {
        public List<PendingCheck> Pending { get; set; } = [];

        public int InFlight { get; set; }
    }
}
