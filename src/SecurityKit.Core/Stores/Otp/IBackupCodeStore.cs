namespace SecurityKit.Stores.Otp;

/// <summary>
/// Holds each user's set of backup-code hashes (keyed hashes, never the codes) and the id of the key
/// that produced them.
/// </summary>
/// <remarks>
/// <para>Every method is one atomic operation; implementations must be thread-safe and, for shared
/// backends, safe across processes. <see cref="TryConsumeAsync"/> must remove a matching hash in the same
/// atomic step that finds it, so that a code used concurrently from many tasks is consumed exactly once.</para>
/// <para>Hashes are opaque ASCII strings of at most <see cref="MaxHashLength"/> characters; a set holds at
/// most <see cref="MaxCodesPerUser"/> hashes.</para>
/// </remarks>
public interface IBackupCodeStore
{
    /// <summary>The largest accepted hash length.</summary>
    const int MaxHashLength = 128;

    /// <summary>The largest accepted number of codes per user.</summary>
    const int MaxCodesPerUser = 100;

    /// <summary>Replaces the user's whole set (regeneration): every previous hash stops working.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="keyId">The id of the key the hashes were computed with.</param>
    /// <param name="codeHashes">The hashes, distinct, 1 to <see cref="MaxCodesPerUser"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the new set is stored.</returns>
    ValueTask ReplaceAsync(string userId, string keyId, IReadOnlyCollection<string> codeHashes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes <paramref name="codeHash"/> from the user's set when the set was produced with
    /// <paramref name="keyId"/> and contains it.
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="keyId">The key id the caller hashed with.</param>
    /// <param name="codeHash">The hash of the code presented.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether a code was consumed, the key id of the stored set (so a caller that hashed with
    /// another key can retry with that one) and the number of codes left.</returns>
    ValueTask<BackupCodeConsumeOutcome> TryConsumeAsync(string userId, string keyId, string codeHash, CancellationToken cancellationToken = default);

    /// <summary>Gets how many unused codes the user has.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number of unused codes, 0 when the user has no set.</returns>
    ValueTask<int> GetRemainingCountAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the user's set.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the set is gone.</returns>
    ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of <see cref="IBackupCodeStore.TryConsumeAsync"/>.</summary>
/// <param name="Consumed"><see langword="true"/> when the hash was found and removed.</param>
/// <param name="StoredKeyId">The key id of the user's set, or <see langword="null"/> when the user has none.</param>
/// <param name="Remaining">The number of codes left after the call.</param>
public readonly record struct BackupCodeConsumeOutcome(bool Consumed, string? StoredKeyId, int Remaining);
