namespace SecurityKit.Stores.Sessions;

/// <summary>
/// A server-side session as stored: never the session token itself, only its keyed hash.
/// </summary>
/// <remarks>
/// <b>Security:</b> <see cref="IdHash"/> is a one-way keyed hash of the token; the token is never
/// stored. Immutable; stores return fresh instances.
/// </remarks>
public sealed record SessionRecord
{
    /// <summary>The longest accepted <see cref="UserId"/>.</summary>
    public const int MaxUserIdLength = 256;

    /// <summary>The longest accepted <see cref="IpAddress"/>, <see cref="Fingerprint"/> or <see cref="DeviceSummary"/>.</summary>
    public const int MaxAttributeLength = 256;

    /// <summary>Gets the partition of the user's sessions (16 base64url characters derived from the user id), used by stores to keep a user's keys together (Redis cluster hash tag).</summary>
    public required string Partition { get; init; }

    /// <summary>Gets the base64url keyed hash of the session token: the session's identity in the store (43 characters).</summary>
    public required string IdHash { get; init; }

    /// <summary>Gets the user (subject) id.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets when the session was created (sign-in).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the session was last used, as last recorded (touches are throttled).</summary>
    public required DateTimeOffset LastUsedAt { get; init; }

    /// <summary>Gets the idle timeout: the session ends when unused this long.</summary>
    public required TimeSpan IdleTimeout { get; init; }

    /// <summary>Gets when the session ends whatever its use.</summary>
    public required DateTimeOffset AbsoluteExpiresAt { get; init; }

    /// <summary>Gets the user's token version the session was issued under; a newer user version (revoke-all) invalidates it. Set by the store on create.</summary>
    public long TokenVersion { get; init; }

    /// <summary>Gets when the session was revoked, or <see langword="null"/>.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Gets the id hash of the session that replaced this one by rotation (<see cref="ISessionStore.RotateAsync"/>),
    /// or <see langword="null"/>: a sign-out with a rotated-out token follows it, so a rotation that raced the sign-out does
    /// not leave the user signed in.</summary>
    public string? ReplacedBy { get; init; }

    /// <summary>Gets the client IP address seen at creation or last rotation, as text.</summary>
    public string? IpAddress { get; init; }

    /// <summary>Gets the device fingerprint string seen at creation or last rotation.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>Gets a short device description for session lists, e.g. <c>Firefox 133 on Linux (desktop)</c>.</summary>
    public string? DeviceSummary { get; init; }

    /// <summary>Gets when the session stops being valid if not used again: the earlier of idle and absolute expiry.</summary>
    public DateTimeOffset ExpiresAt
    {
        get
        {
            var idle = LastUsedAt + IdleTimeout;
            return idle < AbsoluteExpiresAt ? idle : AbsoluteExpiresAt;
        }
    }

    /// <summary>Tells whether the session is neither revoked nor expired at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when active.</returns>
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;
}

/// <summary>What a store does when a user already has the maximum number of sessions.</summary>
public enum SessionLimitMode
{
    /// <summary>Revoke the user's oldest sessions to make room for the new one.</summary>
    EvictOldest = 0,

    /// <summary>Refuse the new session.</summary>
    RefuseNew = 1,
}

/// <summary>The outcome status of <see cref="ISessionStore.CreateAsync"/> and <see cref="ISessionStore.RotateAsync"/>.</summary>
public enum SessionStoreStatus
{
    /// <summary>Nothing was written (the zero value: never a success).</summary>
    Failed = 0,

    /// <summary>The session was written.</summary>
    Succeeded = 1,

    /// <summary>Create: the user has the maximum number of sessions and the mode is <see cref="SessionLimitMode.RefuseNew"/>.</summary>
    LimitReached = 2,

    /// <summary>Create: the store is full (in-memory capacity) even after removing expired sessions.</summary>
    StoreFull = 3,

    /// <summary>Rotate: the old session does not exist, is revoked, expired or superseded by a newer user token version.</summary>
    NotActive = 4,

    /// <summary>Create or rotate: a session with the new id hash already exists (a random id collision: practically impossible; treat as a bug).</summary>
    Duplicate = 5,
}

/// <summary>The outcome of a store write.</summary>
/// <param name="Status">What happened.</param>
/// <param name="TokenVersion">The user's token version stamped on the new session.</param>
/// <param name="EvictedIdHashes">The id hashes of sessions revoked to make room (create with <see cref="SessionLimitMode.EvictOldest"/>).</param>
public readonly record struct SessionStoreResult(SessionStoreStatus Status, long TokenVersion, IReadOnlyList<string> EvictedIdHashes)
{
    /// <summary>Gets whether the write succeeded.</summary>
    public bool Succeeded => Status == SessionStoreStatus.Succeeded;
}

/// <summary>A session and the current token version of its user, read atomically.</summary>
/// <param name="Session">The session, or <see langword="null"/> when unknown (never created, or removed after expiry).</param>
/// <param name="UserTokenVersion">The user's current token version; a session with a smaller <see cref="SessionRecord.TokenVersion"/> was revoked by revoke-all.</param>
public readonly record struct SessionLookup(SessionRecord? Session, long UserTokenVersion);
