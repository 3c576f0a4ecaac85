using SecurityKit.Stores.Otp;
using StackExchange.Redis;

namespace SecurityKit.Redis.Otp;

/// <summary>
/// The Redis <see cref="IBackupCodeStore"/>: one hash per user (field <c>kid</c> plus one field per code hash),
/// each operation one Lua script or command.
/// </summary>
/// <remarks>
/// <para>Thread-safe and safe across processes: <see cref="TryConsumeAsync"/> checks the key id and deletes the
/// field in one script, so a code used concurrently anywhere is consumed exactly once.</para>
/// <para><b>Security:</b> the lookup is a hash-field lookup, not a fixed-time comparison; what is looked up is an
/// HMAC of the code under a key the attacker does not have, so its timing reveals nothing about valid codes.
/// Fails closed (throws) when Redis is unavailable.</para>
/// </remarks>
public sealed class RedisBackupCodeStore : IBackupCodeStore
{
    private const string ReplaceScript = """
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'kid', ARGV[1])
        for i = 2, #ARGV do
          redis.call('HSET', KEYS[1], 'h:' .. ARGV[i], '1')
        end
        return #ARGV - 1
        """;

    private const string ConsumeScript = """
        local kid = redis.call('HGET', KEYS[1], 'kid')
        if not kid then
          return {0, false, 0}
        end
        if kid ~= ARGV[1] then
          return {0, kid, redis.call('HLEN', KEYS[1]) - 1}
        end
        local n = redis.call('HDEL', KEYS[1], 'h:' .. ARGV[2])
        return {n, kid, redis.call('HLEN', KEYS[1]) - 1}
        """;

    private readonly RedisConnection _connection;

    /// <summary>Initializes the store.</summary>
    /// <param name="connection">The shared connection.</param>
    public RedisBackupCodeStore(RedisConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
    }

    /// <inheritdoc />
    public async ValueTask ReplaceAsync(string userId, string keyId, IReadOnlyCollection<string> codeHashes, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        CheckKeyId(keyId);
        ArgumentNullException.ThrowIfNull(codeHashes);
        if (codeHashes.Count is 0 or > IBackupCodeStore.MaxCodesPerUser)
        {
            throw new ArgumentException($"A set holds 1 to {IBackupCodeStore.MaxCodesPerUser} hashes.", nameof(codeHashes));
        }

        var values = new RedisValue[codeHashes.Count + 1];
        values[0] = keyId;
        var i = 1;
        foreach (var hash in codeHashes)
        {
            CheckHash(hash);
            values[i++] = hash;
        }

        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await db.ScriptEvaluateAsync(ReplaceScript, [RedisOtpKeys.BackupCodes(_connection.KeyPrefix, userId)], values)
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<BackupCodeConsumeOutcome> TryConsumeAsync(string userId, string keyId, string codeHash, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        CheckKeyId(keyId);
        CheckHash(codeHash);
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var result = await db.ScriptEvaluateAsync(ConsumeScript, [RedisOtpKeys.BackupCodes(_connection.KeyPrefix, userId)], [keyId, codeHash])
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        return new BackupCodeConsumeOutcome((long)parts[0] == 1, parts[1].IsNull ? null : (string?)parts[1], (int)Math.Max(0, (long)parts[2]));
    }

    /// <inheritdoc />
    public async ValueTask<int> GetRemainingCountAsync(string userId, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var length = await db.HashLengthAsync(RedisOtpKeys.BackupCodes(_connection.KeyPrefix, userId))
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
        return (int)Math.Max(0, length - 1);
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default)
    {
        RedisOtpKeys.UserId(userId);
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        await db.KeyDeleteAsync(RedisOtpKeys.BackupCodes(_connection.KeyPrefix, userId))
            .Bounded(_connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Key ids are 1–32 characters, as in the in-memory store (the key ring's id limit).</summary>
    private static void CheckKeyId(string keyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        if (keyId.Length > 32)
        {
            throw new ArgumentException("The key id must be at most 32 characters.", nameof(keyId));
        }
    }

    private static void CheckHash(string hash)
    {
        ArgumentException.ThrowIfNullOrEmpty(hash);
        if (hash.Length > IBackupCodeStore.MaxHashLength)
        {
            throw new ArgumentException($"A hash must be at most {IBackupCodeStore.MaxHashLength} characters.", nameof(hash));
        }
    }
}
