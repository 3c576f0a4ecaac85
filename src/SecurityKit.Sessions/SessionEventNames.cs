namespace SecurityKit.Sessions;

/// <summary>The stable names of the security events published by SecurityKit.Sessions.</summary>
/// <remarks>Events carry the user id, client IP and non-secret properties; never a session token or id hash.</remarks>
public static class SessionEventNames
{
    /// <summary>A session was created (Information).</summary>
    public const string Created = "session.created";

    /// <summary>A session id was rotated (Information).</summary>
    public const string Rotated = "session.rotated";

    /// <summary>A session was revoked (Information).</summary>
    public const string Revoked = "session.revoked";

    /// <summary>All (or all other) sessions of a user were revoked (Information); property <c>count</c>.</summary>
    public const string RevokedAll = "session.revoked_all";

    /// <summary>Sessions were evicted by the per-user limit (Information); property <c>count</c>.</summary>
    public const string Evicted = "session.evicted";

    /// <summary>A new session was refused by the per-user limit (Warning).</summary>
    public const string LimitReached = "session.limit_reached";

    /// <summary>A new session was refused because the in-memory store is full (Warning).</summary>
    public const string StoreFull = "session.store_full";

    /// <summary>A revoked session was presented again (Warning, reason <c>revoked</c> or <c>revoked_all</c>): possibly a stolen token.
    /// Information with reason <c>rotated_recently</c> for a token rotated out less than <see cref="SessionManager.ReplacementFollowWindow"/> ago.
    /// At most once per session and <see cref="SessionOptions.TouchInterval"/> for each severity.</summary>
    public const string RevokedSessionUsed = "session.revoked_used";

    /// <summary>A session was used from another network than it was created from (Warning); properties <c>previous_ip</c>.</summary>
    public const string IpChanged = "session.ip_changed";

    /// <summary>A session was used from what looks like another device (Warning); property <c>components</c>.</summary>
    public const string DeviceChanged = "session.device_changed";
}
