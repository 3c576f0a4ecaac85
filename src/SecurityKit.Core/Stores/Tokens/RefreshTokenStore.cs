/*
 * Refresh-token family state, as every RefreshTokenStore keeps it (the Redis layout is documented in
 * SecurityKit.Redis/Tokens/RedisRefreshTokenStore.cs):
 *
 *   family id          22 chars, base64url of 16 random bytes (also the first part of each token)
 *   user id, sid       as given by the host (user id ≤ 256 chars, sid ≤ 128 chars)
 *   created, last used, absolute expiry, idle timeout
 *   generation         0 for the first token, +1 per rotation
 *   current hash       32 bytes: hash of the token that may be exchanged now
 *   previous hash      32 bytes: hash of the token rotated last, with its rotation time
 *   protected successor ≤ 256 bytes: the current token encrypted under a key derived from the previous
 *                      token (the store cannot read it), returned again during the grace window and kept no
 *                      longer than that window (none at all without one)
 *   older hashes       32 bytes each: every earlier token, kept to recognise reuse
 *   revoked            flag and time
 *
 * No token is ever stored, only hashes; the store never sees a key.
 */
namespace SecurityKit.Stores.Tokens;

/// <summary>A snapshot of one refresh-token family (one sign-in), without any token or hash.</summary>
/// <param name="FamilyId">The family id.</param>
/// <param name="UserId">The user the family belongs to.</param>
/// <param name="SessionId">The session id, if the host gave one.</param>
/// <param name="CreatedAt">When the family was created (sign-in).</param>
/// <param name="LastUsedAt">When a token of the family was last exchanged.</param>
/// <param name="AbsoluteExpiresAt">When the family expires whatever its use.</param>
/// <param name="IdleTimeout">How long the family may go unused.</param>
/// <param name="Generation">How many times the family rotated.</param>
/// <param name="IsRevoked">Whether the family was revoked.</param>
public sealed record RefreshTokenFamily(
    string FamilyId,
    string UserId,
    string? SessionId,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt,
    DateTimeOffset AbsoluteExpiresAt,
    TimeSpan IdleTimeout,
    long Generation,
    bool IsRevoked)
{
    /// <summary>Gets when the family expires if it stays unused.</summary>
    public DateTimeOffset IdleExpiresAt => LastUsedAt + IdleTimeout;

    /// <summary>Gets whether the family is expired (absolute or idle) at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when expired.</returns>
    public bool IsExpired(DateTimeOffset now) => now >= AbsoluteExpiresAt || now >= IdleExpiresAt;
}

/// <summary>A new family with its first token's hash, for <see cref="RefreshTokenStore.CreateFamilyAsync"/>.</summary>
/// <param name="FamilyId">The family id: 1–64 characters of <c>[A-Za-z0-9_-]</c>.</param>
/// <param name="UserId">The user id, 1–256 characters.</param>
/// <param name="SessionId">The session id, up to 128 characters, or <see langword="null"/>.</param>
/// <param name="TokenHash">The first token's hash, <see cref="RefreshTokenStore.HashSize"/> bytes.</param>
/// <param name="CreatedAt">The creation time (now).</param>
/// <param name="AbsoluteExpiresAt">The absolute expiry, after <paramref name="CreatedAt"/>.</param>
/// <param name="IdleTimeout">The idle timeout, positive.</param>
public readonly record struct RefreshTokenFamilyCreation(
    string FamilyId,
    string UserId,
    string? SessionId,
    ReadOnlyMemory<byte> TokenHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset AbsoluteExpiresAt,
    TimeSpan IdleTimeout);

/// <summary>One exchange of a refresh token, for <see cref="RefreshTokenStore.RotateAsync"/>.</summary>
/// <param name="FamilyId">The family id read from the presented token.</param>
/// <param name="PresentedHash">The presented token's hash.</param>
/// <param name="NewHash">The successor's hash, stored as the new current token when the presented one is current.</param>
/// <param name="ProtectedSuccessor">The successor, encrypted so that only the presenter of the current token can read it (≤ 256 bytes).</param>
/// <param name="Now">The current time.</param>
/// <param name="GraceWindow">How long after a rotation the previous token still yields the same successor.</param>
public readonly record struct RefreshTokenRotation(
    string FamilyId,
    ReadOnlyMemory<byte> PresentedHash,
    ReadOnlyMemory<byte> NewHash,
    ReadOnlyMemory<byte> ProtectedSuccessor,
    DateTimeOffset Now,
    TimeSpan GraceWindow);

/// <summary>What <see cref="RefreshTokenStore.RotateAsync"/> did. Stable codes.</summary>
public enum RefreshTokenRotationStatus
{
    /// <summary>No family has this id, or the hash is none of the family's tokens (a forged or unknown token).</summary>
    NotFound = 0,

    /// <summary>The presented token was current: the successor is now current.</summary>
    Rotated = 1,

    /// <summary>The presented token was rotated within the grace window: the stored protected successor is returned, nothing changed.</summary>
    GraceReplay = 2,

    /// <summary>An already-rotated token was presented outside the grace window: the family is now revoked.</summary>
    ReuseDetected = 3,

    /// <summary>The family was revoked earlier.</summary>
    Revoked = 4,

    /// <summary>The family expired (absolute or idle).</summary>
    Expired = 5,
}

/// <summary>The outcome of <see cref="RefreshTokenStore.RotateAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Family">The family after the operation (null for <see cref="RefreshTokenRotationStatus.NotFound"/>).</param>
/// <param name="ProtectedSuccessor">For <see cref="RefreshTokenRotationStatus.GraceReplay"/>, the stored protected successor.</param>
public readonly record struct RefreshTokenRotationResult(
    RefreshTokenRotationStatus Status,
    RefreshTokenFamily? Family,
    ReadOnlyMemory<byte> ProtectedSuccessor);

/// <summary>
/// The store contract for refresh-token families: create, rotate atomically with reuse detection,
/// revoke, list. Implementations: the in-memory store of SecurityKit.Tokens and the Redis store.
/// </summary>
/// <remarks>
/// <para>Every operation takes the current time from the caller (the service's <see cref="TimeProvider"/>),
/// so expiry is decided the same way in every implementation; back-end TTLs only reclaim space.</para>
/// <para><see cref="RotateAsync"/> must be atomic: of any number of concurrent calls with the same
/// presented hash, at most one returns <see cref="RefreshTokenRotationStatus.Rotated"/>. Its decision,
/// in order: unknown family or hash → NotFound; revoked → Revoked; expired → Expired; current hash →
/// Rotated; previous hash within the grace window (since the last rotation) → GraceReplay; any other
/// known hash → revoke the family, ReuseDetected.</para>
/// <para>Time never moves back inside a family: a call whose time is older than the family's last rotation (it read
/// the clock before a racing rotation, or came from an instance whose clock lags) is decided as if at that rotation,
/// so with no grace window a racing reuse is always ReuseDetected, and stored times only grow. A family remembers its
/// last <see cref="MaxRememberedTokens"/> earlier tokens for reuse detection; an older one is NotFound (still refused,
/// without revoking the family), which bounds a family's size however often it rotates. Revoking marks expired
/// families too (they could come back to life under a lagging clock) but counts only unexpired ones.</para>
/// <para>The protected successor of a rotation is kept only while a grace replay may return it: not at all when the
/// rotation's grace window is zero, and dropped once the window is over (by the next call on the family at the latest,
/// or a back-end TTL of the window plus a small margin), as well as on reuse detection and revocation. A reader of the
/// store who also holds the preceding token must not be able to decrypt the current token later.</para>
/// <para>Implementations must be thread-safe and registered as singletons (startup refuses a scoped registration).</para>
/// </remarks>
public abstract class RefreshTokenStore
{
    /// <summary>The size of a token hash in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>The largest protected successor in bytes.</summary>
    public const int MaxProtectedSuccessorSize = 256;

    /// <summary>The longest user id.</summary>
    public const int MaxUserIdLength = 256;

    /// <summary>The longest session id.</summary>
    public const int MaxSessionIdLength = 128;

    /// <summary>The longest family id.</summary>
    public const int MaxFamilyIdLength = 64;

    /// <summary>How many earlier tokens of a family (before the previous one) a store remembers for reuse detection.</summary>
    public const int MaxRememberedTokens = 256;

    /// <summary>Creates a family with its first token.</summary>
    /// <param name="family">The family.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when created; <see langword="false"/> when the id already exists.</returns>
    /// <exception cref="ArgumentException">An argument is out of its documented range.</exception>
    public ValueTask<bool> CreateFamilyAsync(RefreshTokenFamilyCreation family, CancellationToken cancellationToken = default)
    {
        ValidateFamilyId(family.FamilyId);
        ValidateUserId(family.UserId);
        if (family.SessionId is { Length: > MaxSessionIdLength })
        {
            throw new ArgumentException($"The session id is longer than {MaxSessionIdLength} characters.", nameof(family));
        }

        ValidateHash(family.TokenHash, nameof(family));
        if (family.AbsoluteExpiresAt <= family.CreatedAt || family.IdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("The absolute expiry must follow the creation time and the idle timeout must be positive.", nameof(family));
        }

        return CreateFamilyCoreAsync(family, cancellationToken);
    }

    /// <summary>Exchanges a token atomically (see the remarks of <see cref="RefreshTokenStore"/>).</summary>
    /// <param name="rotation">The exchange.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What happened.</returns>
    /// <exception cref="ArgumentException">An argument is out of its documented range.</exception>
    public ValueTask<RefreshTokenRotationResult> RotateAsync(RefreshTokenRotation rotation, CancellationToken cancellationToken = default)
    {
        ValidateFamilyId(rotation.FamilyId);
        ValidateHash(rotation.PresentedHash, nameof(rotation));
        ValidateHash(rotation.NewHash, nameof(rotation));
        if (rotation.ProtectedSuccessor.Length is 0 or > MaxProtectedSuccessorSize || rotation.GraceWindow < TimeSpan.Zero)
        {
            throw new ArgumentException($"The protected successor must be 1–{MaxProtectedSuccessorSize} bytes and the grace window not negative.", nameof(rotation));
        }

        return RotateCoreAsync(rotation, cancellationToken);
    }

    /// <summary>Gets a family (revoked or expired ones included while the store keeps them).</summary>
    /// <param name="familyId">The family id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The family, or <see langword="null"/>.</returns>
    public ValueTask<RefreshTokenFamily?> GetFamilyAsync(string familyId, CancellationToken cancellationToken = default)
    {
        ValidateFamilyId(familyId);
        return GetFamilyCoreAsync(familyId, cancellationToken);
    }

    /// <summary>Revokes one family: none of its tokens will be exchanged again.</summary>
    /// <param name="familyId">The family id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an active family was revoked.</returns>
    public ValueTask<bool> RevokeFamilyAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ValidateFamilyId(familyId);
        return RevokeFamilyCoreAsync(familyId, now, cancellationToken);
    }

    /// <summary>Revokes every family of a user.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many active families were revoked.</returns>
    public ValueTask<int> RevokeUserFamiliesAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ValidateUserId(userId);
        return RevokeUserFamiliesCoreAsync(userId, now, cancellationToken);
    }

    /// <summary>Lists a user's active (not revoked, not expired) families, oldest first.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The families.</returns>
    public ValueTask<IReadOnlyList<RefreshTokenFamily>> ListUserFamiliesAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ValidateUserId(userId);
        return ListUserFamiliesCoreAsync(userId, now, cancellationToken);
    }

    /// <summary>Creates a family; arguments are validated.</summary>
    /// <param name="family">The family.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when created.</returns>
    protected abstract ValueTask<bool> CreateFamilyCoreAsync(RefreshTokenFamilyCreation family, CancellationToken cancellationToken);

    /// <summary>Exchanges a token atomically; arguments are validated.</summary>
    /// <param name="rotation">The exchange.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What happened.</returns>
    protected abstract ValueTask<RefreshTokenRotationResult> RotateCoreAsync(RefreshTokenRotation rotation, CancellationToken cancellationToken);

    /// <summary>Gets a family; arguments are validated.</summary>
    /// <param name="familyId">The family id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The family, or <see langword="null"/>.</returns>
    protected abstract ValueTask<RefreshTokenFamily?> GetFamilyCoreAsync(string familyId, CancellationToken cancellationToken);

    /// <summary>Revokes one family; arguments are validated.</summary>
    /// <param name="familyId">The family id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an active family was revoked.</returns>
    protected abstract ValueTask<bool> RevokeFamilyCoreAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every family of a user; arguments are validated.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many active families were revoked.</returns>
    protected abstract ValueTask<int> RevokeUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Lists a user's active families; arguments are validated.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The families, oldest first.</returns>
    protected abstract ValueTask<IReadOnlyList<RefreshTokenFamily>> ListUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Checks a family id: 1–64 characters of <c>[A-Za-z0-9_-]</c>.</summary>
    /// <param name="familyId">The family id.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidFamilyId(string? familyId)
    {
        if (string.IsNullOrEmpty(familyId) || familyId.Length > MaxFamilyIdLength)
        {
            return false;
        }

        foreach (var c in familyId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateFamilyId(string familyId)
    {
        ArgumentNullException.ThrowIfNull(familyId);
        if (!IsValidFamilyId(familyId))
        {
            throw new ArgumentException($"A family id is 1–{MaxFamilyIdLength} characters of [A-Za-z0-9_-].", nameof(familyId));
        }
    }

    private static void ValidateUserId(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (userId.Length > MaxUserIdLength)
        {
            throw new ArgumentException($"The user id is longer than {MaxUserIdLength} characters.", nameof(userId));
        }

        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(userId, nameof(userId));
    }

    private static void ValidateHash(ReadOnlyMemory<byte> hash, string parameter)
    {
        if (hash.Length != HashSize)
        {
            throw new ArgumentException($"A token hash is {HashSize} bytes.", parameter);
        }
    }
}
