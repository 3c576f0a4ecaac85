using System.Security.Cryptography;
using System.Text;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp.Stores;

/// <summary>An in-process <see cref="IBackupCodeStore"/> for a single instance, tests and development.</summary>
/// <remarks>
/// <para>Thread-safe: every operation runs under one lock, so a code is consumed exactly once. Lookups compare
/// the presented hash with every stored hash using <see cref="CryptographicOperations.FixedTimeEquals"/>.</para>
/// <para>Memory is bounded: at most <c>maxUsers</c> sets. Backup codes never expire and must not silently
/// disappear, so when the store is full <see cref="ReplaceAsync"/> throws <see cref="InvalidOperationException"/>
/// instead of evicting another user's codes (failed lookups never add entries, so the limit cannot be reached
/// by guessing).</para>
/// <para><b>Security:</b> sets are lost on restart; use a persistent store (Redis) in production.</para>
/// </remarks>
public sealed class InMemoryBackupCodeStore : IBackupCodeStore
{
    /// <summary>The default capacity (100 000 users).</summary>
    public const int DefaultMaxUsers = 100_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, CodeSet> _sets = new(StringComparer.Ordinal);
    private readonly int _maxUsers;

    /// <summary>Initializes the store.</summary>
    /// <param name="maxUsers">The capacity, 1 to 10 000 000 users.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxUsers"/> is out of range.</exception>
    public InMemoryBackupCodeStore(int maxUsers = DefaultMaxUsers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxUsers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxUsers, 10_000_000);
        _maxUsers = maxUsers;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The store already holds its maximum number of users.</exception>
    public ValueTask ReplaceAsync(string userId, string keyId, IReadOnlyCollection<string> codeHashes, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        ArgumentNullException.ThrowIfNull(codeHashes);
        if (codeHashes.Count is 0 or > IBackupCodeStore.MaxCodesPerUser)
        {
            throw new ArgumentException($"A set holds 1 to {IBackupCodeStore.MaxCodesPerUser} hashes.", nameof(codeHashes));
        }

        var hashes = new List<byte[]>(codeHashes.Count);
        foreach (var hash in codeHashes)
        {
            StoreArguments.KeyIdAndHash(keyId, hash);
            hashes.Add(Encoding.UTF8.GetBytes(hash));
        }

        lock (_lock)
        {
            if (_sets.Count >= _maxUsers && !_sets.ContainsKey(userId))
            {
                throw new InvalidOperationException($"The in-memory backup-code store is full ({_maxUsers} users); use a persistent store such as SecurityKit.Redis.");
            }

            _sets[userId] = new CodeSet(keyId, hashes);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<BackupCodeConsumeOutcome> TryConsumeAsync(string userId, string keyId, string codeHash, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        StoreArguments.KeyIdAndHash(keyId, codeHash);
        var presented = Encoding.UTF8.GetBytes(codeHash);
        lock (_lock)
        {
            if (!_sets.TryGetValue(userId, out var set))
            {
                return ValueTask.FromResult(new BackupCodeConsumeOutcome(false, null, 0));
            }

            if (!string.Equals(set.KeyId, keyId, StringComparison.Ordinal))
            {
                return ValueTask.FromResult(new BackupCodeConsumeOutcome(false, set.KeyId, set.Hashes.Count));
            }

            // Compare with every hash, without stopping at the first match.
            var index = -1;
            for (var i = 0; i < set.Hashes.Count; i++)
            {
                if (CryptographicOperations.FixedTimeEquals(set.Hashes[i], presented))
                {
                    index = i;
                }
            }

            if (index < 0)
            {
                return ValueTask.FromResult(new BackupCodeConsumeOutcome(false, set.KeyId, set.Hashes.Count));
            }

            set.Hashes.RemoveAt(index);
            return ValueTask.FromResult(new BackupCodeConsumeOutcome(true, set.KeyId, set.Hashes.Count));
        }
    }

    /// <inheritdoc />
    public ValueTask<int> GetRemainingCountAsync(string userId, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        lock (_lock)
        {
            return ValueTask.FromResult(_sets.TryGetValue(userId, out var set) ? set.Hashes.Count : 0);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        lock (_lock)
        {
            _sets.Remove(userId);
        }

        return ValueTask.CompletedTask;
    }

    private sealed record CodeSet(string KeyId, List<byte[]> Hashes);
}
