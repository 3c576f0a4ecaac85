using System.Globalization;
using SecurityKit.Stores.Otp;
using StackExchange.Redis;

namespace SecurityKit.Redis.Otp;

/// <summary>
/// The Redis <see cref="IOtpStateStore"/>: one round trip per operation, the replay guard as one Lua script.
/// Key schema: see <c>RedisOtpKeys.cs</c> and docs/otp.md.
/// </summary>
/// <remarks>
/// <para>Thread-safe and safe across processes: <see cref="TryAcceptAsync"/> runs compare-and-set in a single
/// script, so of many concurrent verifications of one code on any number of instances exactly one is accepted.</para>
/// <para>Fails closed: when Redis is unreachable or slower than <see cref="RedisSecurityKitOptions.OperationTimeout"/>
/// the operation throws (<see cref="RedisException"/> or <see cref="TimeoutException"/>) and no code is accepted.</para>
/// </remarks>
public sealed class RedisOtpStateStore : IOtpStateStore
{
    // A stored value that is not a decimal integer (written by something else) counts as no value, as in
    // GetLastAcceptedAsync: before, the comparison raised a Lua error and every verification of that counter threw until
    // the key expired (a key written without a TTL never did).
    private const string AcceptScript = """
        local current = redis.call('GET', KEYS[1])
        if current and not string.match(current, '^%d+$') then current = false end
        if current and tonumber(current) >= tonumber(ARGV[1]) then
          return {0, current}
        end
        if ARGV[2] == '0' then
          redis.call('SET', KEYS[1], ARGV[1])
        else
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        end
        return {1, current}
        """;

    // A failure count that is not a decimal integer of at most 18 digits (written by something else) counts as 0 and is
    // overwritten, like a corrupt replay counter in AcceptScript: before, INCR or the comparison raised a Lua error and
    // every TOTP, HOTP and backup-code attempt of that user threw until the key was removed (found in review).
    private const string ReadFailureCount = """
        local v = redis.call('GET', KEYS[1])
        local n = 0
        if v and #v <= 18 and string.match(v, '^%d+$') then n = tonumber(v) end

        """;

    private const string FailureScript = ReadFailureCount + """
        n = n + 1
        redis.call('SET', KEYS[1], n, 'PX', ARGV[1])
        return n
        """;

    // ARGV: the window in ms, the limit. At the limit nothing is written, so the window keeps running from the last
    // counted failure. Reply: {1, count} when recorded, {0, count} otherwise.
    private const string FailureBelowLimitScript = ReadFailureCount + """
        if n >= tonumber(ARGV[2]) then return {0, n} end
        n = n + 1
        redis.call('SET', KEYS[1], n, 'PX', ARGV[1])
        return {1, n}
        """;

    private readonly RedisConnection _connection;

    /// <summary>Initializes the store.</summary>
    /// <param name="connection">The shared connection.</param>
    public RedisOtpStateStore(RedisConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
    }

    /// <inheritdoc />
    public async ValueTask<OtpAcceptOutcome> TryAcceptAsync(string userId, string counterName, long value, TimeSpan? retention, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        RedisOtpKeys.CounterName(counterName);
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1L << 53);
        if (retention is { } r && r <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), "The retention must be positive.");
        }

        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var px = retention is { } t ? Math.Max(1L, (long)Math.Ceiling(t.TotalMilliseconds)) : 0L;
        var result = await db.ScriptEvaluateAsync(AcceptScript, [RedisOtpKeys.Counter(_connection.KeyPrefix, userId, counterName)], [value, px])
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        long? previous = parts.Length > 1 && !parts[1].IsNull && long.TryParse((string)parts[1]!, NumberStyles.Integer, CultureInfo.InvariantCulture, out var stored) ? stored : null;
        return new OtpAcceptOutcome((long)parts[0] == 1, previous);
    }

    /// <inheritdoc />
    public async ValueTask<long?> GetLastAcceptedAsync(string userId, string counterName, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        RedisOtpKeys.CounterName(counterName);
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var value = await db.StringGetAsync(RedisOtpKeys.Counter(_connection.KeyPrefix, userId, counterName))
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
        return !value.IsNull && value.TryParse(out long stored) && stored >= 0 ? stored : null; // a corrupt value is no value (as in the accept script)
    }

    /// <inheritdoc />
    public async ValueTask RemoveCounterAsync(string userId, string counterName, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        RedisOtpKeys.CounterName(counterName);
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await db.KeyDeleteAsync(RedisOtpKeys.Counter(_connection.KeyPrefix, userId, counterName))
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> GetFailureCountAsync(string userId, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var value = await db.StringGetAsync(RedisOtpKeys.Failures(_connection.KeyPrefix, userId))
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
        // Corrupt: 0, by the scripts' rule (decimal digits only, at most 18); RedisValue.TryParse also took "+5" and 19 digits.
        var text = (string?)value;
        return text is { Length: > 0 and <= 18 } && text.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0 ? (int)Math.Min(long.Parse(text, CultureInfo.InvariantCulture), int.MaxValue) : 0;
    }

    /// <inheritdoc />
    public async ValueTask<int> RecordFailureAsync(string userId, TimeSpan window, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var px = Math.Max(1L, (long)Math.Ceiling(window.TotalMilliseconds));
        var result = await db.ScriptEvaluateAsync(FailureScript, [RedisOtpKeys.Failures(_connection.KeyPrefix, userId)], [px])
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
        return (int)Math.Min((long)result, int.MaxValue);
    }

    /// <inheritdoc />
    public async ValueTask<OtpFailureRecord> RecordFailureBelowLimitAsync(string userId, TimeSpan window, int limit, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var px = Math.Max(1L, (long)Math.Ceiling(window.TotalMilliseconds));
        var result = (long[]?)await db.ScriptEvaluateAsync(FailureBelowLimitScript, [RedisOtpKeys.Failures(_connection.KeyPrefix, userId)], [px, limit])
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
        if (result is not { Length: 2 })
        {
            throw new InvalidOperationException("Unexpected reply from the SecurityKit OTP failure script.");
        }

        return new OtpFailureRecord(result[0] == 1, (int)Math.Min(result[1], int.MaxValue));
    }

    /// <inheritdoc />
    public async ValueTask ResetFailuresAsync(string userId, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await db.KeyDeleteAsync(RedisOtpKeys.Failures(_connection.KeyPrefix, userId))
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
    }
}
