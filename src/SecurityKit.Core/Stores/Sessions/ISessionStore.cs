namespace SecurityKit.Stores.Sessions;

/// <summary>
/// Storage for server-side sessions (SecurityKit.Sessions). Every method is one atomic operation.
/// </summary>
/// <remarks>
/// <para>Implementations: <c>InMemorySessionStore</c> (SecurityKit.Sessions) and <c>RedisSessionStore</c>
/// (SecurityKit.Redis); one conformance suite runs against both.</para>
/// <para>Contract: each user has a token version (starting at 0) bumped by <see cref="RevokeAllAsync"/>;
/// <see cref="GetAsync"/> returns a session with its user's version in one atomic read, so once
/// <see cref="RevokeAllAsync"/> has returned no read sees the old sessions as current. Revoked
/// sessions stay readable (with <see cref="SessionRecord.RevokedAt"/>) until they would have expired,
/// so callers can tell "revoked" from "unknown". Times are passed in by the caller (its
/// <see cref="TimeProvider"/>); stores use them for expiry and bounded clean-up.</para>
/// <para>Implementations must be thread-safe and registered as singletons (startup refuses a scoped registration).</para>
/// </remarks>
public interface ISessionStore
{
    /// <summary>Stores a new session, stamping the user's current token version, and applies the per-user limit atomically.</summary>
    /// <param name="session">The session; its <see cref="SessionRecord.TokenVersion"/> and <see cref="SessionRecord.RevokedAt"/> are ignored.</param>
    /// <param name="maxSessionsPerUser">The most active sessions the user may have (at least 1), or <see langword="null"/> for the store's own bound only.</param>
    /// <param name="limitMode">What to do when the limit is reached.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The outcome, with the stamped version and any evicted id hashes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSessionsPerUser"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The session's user id contains an unpaired surrogate (it could not name its
    /// user's keys in UTF-8 without colliding with another id).</exception>
    ValueTask<SessionStoreResult> CreateAsync(SessionRecord session, int? maxSessionsPerUser, SessionLimitMode limitMode, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Reads a session and its user's current token version atomically.</summary>
    /// <param name="partition">The session's partition.</param>
    /// <param name="idHash">The session's id hash.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The lookup; <see cref="SessionLookup.Session"/> is <see langword="null"/> when unknown.</returns>
    ValueTask<SessionLookup> GetAsync(string partition, string idHash, CancellationToken cancellationToken = default);

    /// <summary>Records a later last-used time on an active (not revoked) session; never moves it backwards.</summary>
    /// <param name="partition">The session's partition.</param>
    /// <param name="idHash">The session's id hash.</param>
    /// <param name="lastUsedAt">The new last-used time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the session was updated.</returns>
    ValueTask<bool> TouchAsync(string partition, string idHash, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Like <see cref="TouchAsync"/>, but only while the stored last-used time is still <paramref name="expectedLastUsedAt"/>
    /// (the value the caller read): of concurrent touches of one session exactly one records the use, so the manager
    /// publishes its anomaly events once per touch interval however many requests arrive together.
    /// </summary>
    /// <param name="partition">The session's partition.</param>
    /// <param name="idHash">The session's id hash.</param>
    /// <param name="expectedLastUsedAt">The last-used time the caller read.</param>
    /// <param name="lastUsedAt">The new last-used time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when this call updated the session.</returns>
    /// <remarks>The default implementation, for stores written before this member, calls <see cref="TouchAsync"/>
    /// (no compare-and-set); the shipped stores implement it.</remarks>
    ValueTask<bool> TouchIfUnchangedAsync(string partition, string idHash, DateTimeOffset expectedLastUsedAt, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) =>
        TouchAsync(partition, idHash, lastUsedAt, cancellationToken);

    /// <summary>
    /// Replaces a session's id atomically: the old id is revoked (with <see cref="SessionRecord.ReplacedBy"/> set to
    /// <paramref name="newIdHash"/>) and a new session with
    /// <paramref name="newIdHash"/> takes over its user, creation and absolute expiry, with the given
    /// last-used time and (when not <see langword="null"/>) new IP, fingerprint and device summary.
    /// Fails with <see cref="SessionStoreStatus.NotActive"/> unless the old session is active at
    /// <paramref name="now"/> and current for its user's token version.
    /// </summary>
    /// <param name="partition">The session's partition.</param>
    /// <param name="oldIdHash">The current id hash.</param>
    /// <param name="newIdHash">The new id hash.</param>
    /// <param name="now">The current time (the new last-used time).</param>
    /// <param name="ipAddress">The new IP address, or <see langword="null"/> to keep it.</param>
    /// <param name="fingerprint">The new fingerprint, or <see langword="null"/> to keep it.</param>
    /// <param name="deviceSummary">The new device summary, or <see langword="null"/> to keep it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The outcome.</returns>
    ValueTask<SessionStoreResult> RotateAsync(string partition, string oldIdHash, string newIdHash, DateTimeOffset now, string? ipAddress, string? fingerprint, string? deviceSummary, CancellationToken cancellationToken = default);

    /// <summary>Revokes one session.</summary>
    /// <param name="partition">The session's partition.</param>
    /// <param name="idHash">The session's id hash.</param>
    /// <param name="now">The revocation time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an active session was revoked.</returns>
    ValueTask<bool> RevokeAsync(string partition, string idHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Revokes every session of a user (except <paramref name="exceptIdHash"/>) and bumps the user's
    /// token version, re-stamping the kept session with the new version, all atomically.
    /// </summary>
    /// <param name="partition">The user's partition.</param>
    /// <param name="userId">The user id.</param>
    /// <param name="exceptIdHash">The id hash of the session to keep, or <see langword="null"/> to revoke all.</param>
    /// <param name="now">The revocation time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number of active sessions revoked.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> contains an unpaired surrogate.</exception>
    ValueTask<int> RevokeAllAsync(string partition, string userId, string? exceptIdHash, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's active sessions (not revoked, not expired at <paramref name="now"/>, current token version), oldest first.</summary>
    /// <param name="partition">The user's partition.</param>
    /// <param name="userId">The user id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The sessions.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> contains an unpaired surrogate.</exception>
    ValueTask<IReadOnlyList<SessionRecord>> ListAsync(string partition, string userId, DateTimeOffset now, CancellationToken cancellationToken = default);
}
