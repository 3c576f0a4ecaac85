using System.Collections.Concurrent;
using SecurityKit.Stores.Tokens;

namespace SecurityKit.Tokens.RefreshTokens;

/// <summary>The in-memory <see cref="TokenVersionStore"/>, for single-instance hosts and tests.</summary>
/// <remarks>
/// <para>Only users whose version was incremented take an entry (a user id and a number). Bounded: at
/// most <see cref="MaxUsers"/> entries; when full, an increment for a new user throws rather than
/// silently forgetting another user's version, which would make their revoked tokens valid again.</para>
/// <para>Thread-safe; increments are atomic. State is lost when the process stops.</para>
/// </remarks>
public sealed class InMemoryTokenVersionStore : TokenVersionStore
{
    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);

    /// <summary>Initializes a store.</summary>
    /// <param name="maxUsers">The largest number of users kept; 16 to 10 000 000.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxUsers"/> is out of range.</exception>
    public InMemoryTokenVersionStore(int maxUsers = 1_000_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxUsers, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxUsers, 10_000_000);
        MaxUsers = maxUsers;
    }

    /// <summary>Gets the largest number of users kept.</summary>
    public int MaxUsers { get; }

    /// <inheritdoc />
    protected override ValueTask<long> GetVersionCoreAsync(string userId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_versions.TryGetValue(userId, out var version) ? version : 0);

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The store is full (<see cref="MaxUsers"/>).</exception>
    protected override ValueTask<long> IncrementVersionCoreAsync(string userId, CancellationToken cancellationToken)
    {
        if (!_versions.ContainsKey(userId) && _versions.Count >= MaxUsers)
        {
            throw new InvalidOperationException($"InMemoryTokenVersionStore is full ({MaxUsers} users); use the Redis store or a host-provided TokenVersionStore.");
        }

        return ValueTask.FromResult(_versions.AddOrUpdate(userId, 1, static (_, v) => v + 1));
    }
}
