/*
 * Redis layout of token versions ({p} = RedisSecurityKitOptions.KeyPrefix):
 *   {p}tv:{<user-id>}   STRING integer, no TTL (a lost version would revive revoked tokens)
 */
using SecurityKit.Stores.Tokens;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tokens;

/// <summary>The Redis <see cref="TokenVersionStore"/>: <c>GET</c> and <c>INCR</c>, one round trip each, atomic.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class RedisTokenVersionStore : TokenVersionStore
{
    private readonly RedisConnection _connection;

    /// <summary>Initializes the store.</summary>
    /// <param name="connection">The shared connection.</param>
    public RedisTokenVersionStore(RedisConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
    }

    /// <inheritdoc />
    protected override async ValueTask<long> GetVersionCoreAsync(string userId, CancellationToken cancellationToken)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var value = await db.StringGetAsync(Key(userId)).Bounded(_connection, cancellationToken).ConfigureAwait(false);
        return value.IsNull ? 0 : (long)value;
    }

    /// <inheritdoc />
    protected override async ValueTask<long> IncrementVersionCoreAsync(string userId, CancellationToken cancellationToken)
    {
        var db = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await db.StringIncrementAsync(Key(userId)).Bounded(_connection, cancellationToken).ConfigureAwait(false);
    }

    private RedisKey Key(string userId) => $"{_connection.KeyPrefix}tv:{{{userId}}}";
}
