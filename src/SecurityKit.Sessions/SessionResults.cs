using System.Net;
using SecurityKit.Fingerprinting.Devices;
using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions;

/// <summary>The request context of a session operation: where it came from.</summary>
/// <remarks>Both properties are optional; without them no anomaly is reported.</remarks>
public sealed record SessionContext
{
    /// <summary>Gets the client IP, as resolved by <c>ClientIpResolver</c>.</summary>
    public IPAddress? IpAddress { get; init; }

    /// <summary>Gets the device signals for the fingerprint and the device summary.</summary>
    public DeviceFingerprintInput? Device { get; init; }
}

/// <summary>Why a validation failed or succeeded; stable codes.</summary>
public enum SessionValidationStatus
{
    /// <summary>The token is not a well-formed session token (the zero value: never valid).</summary>
    Malformed = 0,

    /// <summary>The session is valid.</summary>
    Valid = 1,

    /// <summary>No such session (never issued, or removed after expiry).</summary>
    NotFound = 2,

    /// <summary>The session was revoked (itself, by revoke-all, by rotation or eviction).</summary>
    Revoked = 3,

    /// <summary>The session was unused longer than its idle timeout.</summary>
    IdleExpired = 4,

    /// <summary>The session reached its absolute lifetime.</summary>
    AbsoluteExpired = 5,

    /// <summary>The token names a hashing key the key ring no longer has (retired keys end their sessions).</summary>
    UnknownKey = 6,
}

/// <summary>Anomaly signals of a valid session: warnings for the host to act on (step-up MFA, notify, revoke).</summary>
[Flags]
public enum SessionWarnings
{
    /// <summary>Nothing unusual.</summary>
    None = 0,

    /// <summary>The client IP is in another network (IPv4 /24, IPv6 /64 by default, or another address family) than the session's.</summary>
    IpChanged = 1,

    /// <summary>The device fingerprint suggests another device (browser family, platform or device class changed).</summary>
    DeviceChanged = 2,

    /// <summary>The same device, after a browser update (informational).</summary>
    BrowserUpdated = 4,

    /// <summary>The same device with other language settings (informational).</summary>
    DeviceSettingsChanged = 8,
}

/// <summary>Public view of a session (for lists and results): no token, no fingerprint.</summary>
/// <param name="SessionId">A handle for the session (its id hash), safe to show and to pass to <see cref="SessionManager.RevokeAsync(string, string, CancellationToken)"/>, which follows rotations made since (up to 8); not a credential.</param>
/// <param name="UserId">The user id.</param>
/// <param name="CreatedAt">When the session was created.</param>
/// <param name="LastUsedAt">When it was last used (to within the touch interval).</param>
/// <param name="ExpiresAt">When it ends if unused.</param>
/// <param name="AbsoluteExpiresAt">When it ends whatever its use.</param>
/// <param name="IpAddress">The IP address seen at creation or last rotation.</param>
/// <param name="DeviceSummary">A short device description.</param>
/// <param name="IsCurrent">Whether this is the session of the token given to <see cref="SessionManager.ListAsync"/>.</param>
public sealed record SessionInfo(
    string SessionId,
    string UserId,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset AbsoluteExpiresAt,
    string? IpAddress,
    string? DeviceSummary,
    bool IsCurrent)
{
    internal static SessionInfo From(SessionRecord record, bool isCurrent = false) =>
        new(record.IdHash, record.UserId, record.CreatedAt, record.LastUsedAt, record.ExpiresAt, record.AbsoluteExpiresAt, record.IpAddress, record.DeviceSummary, isCurrent);
}

/// <summary>The outcome of <see cref="SessionManager.ValidateAsync"/>.</summary>
/// <param name="Status">Valid, or why not.</param>
/// <param name="Session">The session (also for revoked and expired ones when known).</param>
/// <param name="Warnings">Anomaly signals (valid sessions only).</param>
/// <param name="Fingerprint">The fingerprint comparison, <see cref="FingerprintChange.Incomparable"/> when none was possible.</param>
public readonly record struct SessionValidationResult(SessionValidationStatus Status, SessionInfo? Session, SessionWarnings Warnings, FingerprintComparison Fingerprint)
{
    /// <summary>Gets whether the session is valid.</summary>
    public bool IsValid => Status == SessionValidationStatus.Valid;
}

/// <summary>Status of <see cref="SessionManager.CreateAsync"/> and <see cref="SessionManager.RotateAsync"/>.</summary>
public enum SessionIssueStatus
{
    /// <summary>Nothing was issued (the zero value).</summary>
    Failed = 0,

    /// <summary>A session token was issued.</summary>
    Issued = 1,

    /// <summary>Refused by the per-user limit (<see cref="SessionLimitMode.RefuseNew"/>).</summary>
    LimitReached = 2,

    /// <summary>Refused: the in-memory store is full.</summary>
    StoreFull = 3,

    /// <summary>Rotate: the presented session is not valid.</summary>
    NotValid = 4,
}

/// <summary>The outcome of issuing a session: the token to hand to the client (once) and the session.</summary>
/// <remarks><b>Security:</b> <see cref="Token"/> is a bearer secret: send it in a <c>Secure; HttpOnly; SameSite</c> cookie, never log it. <see cref="ToString"/> omits it.</remarks>
public readonly struct SessionIssueResult : IEquatable<SessionIssueResult>
{
    private readonly IReadOnlyList<string>? _evicted;

    internal SessionIssueResult(SessionIssueStatus status, string? token, SessionInfo? session, IReadOnlyList<string>? evicted)
    {
        Status = status;
        Token = token;
        Session = session;
        _evicted = evicted;
    }

    /// <summary>Gets the status.</summary>
    public SessionIssueStatus Status { get; }

    /// <summary>Gets whether a token was issued.</summary>
    public bool Succeeded => Status == SessionIssueStatus.Issued;

    /// <summary>Gets the session token (a secret), or <see langword="null"/>.</summary>
    public string? Token { get; }

    /// <summary>Gets the new session, or <see langword="null"/>.</summary>
    public SessionInfo? Session { get; }

    /// <summary>Gets the ids of sessions evicted by the per-user limit (empty, never null, also on <c>default</c>).</summary>
    public IReadOnlyList<string> EvictedSessionIds => _evicted ?? [];

    /// <inheritdoc />
    public bool Equals(SessionIssueResult other) =>
        Status == other.Status && (Token is null ? other.Token is null : SecurityKit.Primitives.FixedTime.Equals(Token, other.Token)); // the token is a secret

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SessionIssueResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Status, Session?.SessionId);

    /// <summary>Describes the result without the token.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"SessionIssueResult(status={Status}, session={Session?.SessionId}, evicted={EvictedSessionIds.Count})";

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(SessionIssueResult left, SessionIssueResult right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(SessionIssueResult left, SessionIssueResult right) => !left.Equals(right);
}
