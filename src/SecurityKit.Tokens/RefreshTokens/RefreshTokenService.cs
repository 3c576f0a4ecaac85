/*
 * Refresh token wire format (66 ASCII characters):
 *
 *   family-id '.' secret
 *   family-id  22 chars: base64url of 16 random bytes; names the family (not secret, not guessable)
 *   secret     43 chars: base64url of 32 random bytes (256 bits) from RandomNumberGenerator
 *
 * Stored hash (32 bytes):  SHA-256( "SecurityKit.RefreshToken.v1" 0x00 family-id 0x00 secret-bytes )
 *
 * Protected successor (60 bytes), stored only for the grace window (not at all without one) and used during it:
 *   nonce (12, random) || AES-256-GCM ciphertext of the successor's 32 secret bytes (32) || tag (16)
 *   key = HKDF-SHA256(ikm = the presented (current) token's secret bytes,
 *                     salt = "SecurityKit.RefreshToken.Successor.v1", info = family-id), 32 bytes
 *   associated data = family-id
 * Only someone who presents the preceding token can decrypt it; the store and a reader of the store cannot.
 */
using System.Security.Cryptography;
using System.Text;
using SecurityKit.Events;
using SecurityKit.Primitives;
using SecurityKit.Stores.Tokens;

namespace SecurityKit.Tokens.RefreshTokens;

/// <summary>
/// Issues, exchanges and revokes opaque refresh tokens organised in families (one per sign-in), with
/// rotation on every use and reuse detection (OWASP ASVS 10.4.5).
/// </summary>
/// <remarks>
/// <para>Each exchange returns a new token and retires the presented one. Presenting a retired token
/// revokes the whole family and publishes <see cref="TokenEventNames.RefreshReuseDetected"/> (Critical)
/// — except the immediately preceding token within <see cref="RefreshTokenOptions.GraceWindow"/>, which
/// gets the same successor again, so parallel requests from one client do not log it out.</para>
/// <para><b>Security:</b> tokens are 256-bit random values; the store keeps SHA-256 hashes only. A keyed
/// hash would add nothing against offline guessing of a 256-bit secret and would tie every stored
/// family to a key that must then never be rotated away. Thread-safe.</para>
/// </remarks>
public sealed class RefreshTokenService
{
    private const int FamilyIdBytes = 16;
    private const int FamilyIdChars = 22;
    private const int SecretBytes = 32;
    private const int SecretChars = 43;
    private const int TokenChars = FamilyIdChars + 1 + SecretChars;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int ProtectedSize = NonceSize + SecretBytes + TagSize;

    private readonly RefreshTokenStore _store;
    private readonly RefreshTokenOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SecurityEventPublisher _events;

    /// <summary>Initializes the service.</summary>
    /// <param name="store">The family store.</param>
    /// <param name="options">The lifetimes; copied.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="events">The event publisher, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    public RefreshTokenService(RefreshTokenStore store, RefreshTokenOptions options, TimeProvider? timeProvider = null, SecurityEventPublisher? events = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate("RefreshTokenOptions.");
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _store = store;
        _options = new RefreshTokenOptions { AbsoluteLifetime = options.AbsoluteLifetime, IdleTimeout = options.IdleTimeout, GraceWindow = options.GraceWindow, MaxFamiliesPerUser = options.MaxFamiliesPerUser };
        _timeProvider = timeProvider ?? TimeProvider.System;
        _events = events ?? SecurityEventPublisher.None;
    }

    /// <summary>Starts a family (a sign-in) and returns its first token.</summary>
    /// <param name="userId">The user id, 1–256 characters.</param>
    /// <param name="sessionId">An optional session id, up to 128 characters.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token, to return to the client once.</returns>
    public async ValueTask<IssuedRefreshToken> IssueAsync(string userId, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var now = _timeProvider.GetUtcNow();
        var secret = new byte[SecretBytes];
        try
        {
            while (true)
            {
                var familyId = SecureRandom.GetToken(FamilyIdBytes);
                RandomNumberGenerator.Fill(secret);
                var hash = Hash(familyId, secret);
                var token = Format(familyId, secret);
                var creation = new RefreshTokenFamilyCreation(familyId, userId, sessionId, hash, now, now + _options.AbsoluteLifetime, _options.IdleTimeout);
                if (await _store.CreateFamilyAsync(creation, cancellationToken).ConfigureAwait(false))
                {
                    var family = new RefreshTokenFamily(familyId, userId, sessionId, now, now, creation.AbsoluteExpiresAt, _options.IdleTimeout, 0, false);
                    await EnforceFamilyLimitAsync(userId, family, cancellationToken).ConfigureAwait(false);
                    return new IssuedRefreshToken(token, family);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// Revokes the user's least recently used active families beyond <see cref="RefreshTokenOptions.MaxFamiliesPerUser"/>,
    /// choosing only among families created before the new one: concurrent sign-ins then never revoke each other's new
    /// families (the newest always survives), and since every sign-in sees all older families, the count settles at the
    /// cap, never below. Best effort: the sign-in has succeeded, so a store failure here is published, not thrown.
    /// </summary>
    private async ValueTask EnforceFamilyLimitAsync(string userId, RefreshTokenFamily created, CancellationToken cancellationToken)
    {
        try
        {
            var families = await _store.ListUserFamiliesAsync(userId, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            var excess = families.Count - _options.MaxFamiliesPerUser;
            if (excess <= 0)
            {
                return;
            }

            var victims = families
                .Where(f => IsOlder(f, created))
                .OrderBy(f => f.LastUsedAt)
                .ThenBy(f => f.CreatedAt)
                .ThenBy(f => f.FamilyId, StringComparer.Ordinal)
                .Take(excess)
                .ToList();
            foreach (var victim in victims)
            {
                if (await _store.RevokeFamilyAsync(victim.FamilyId, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false))
                {
                    _events.Publish(TokenEventNames.RefreshFamilyRevoked, SecurityEventSeverity.Information, userId: userId, reason: "family_limit", properties: [new("family_id", victim.FamilyId)]);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _events.Publish(TokenEventNames.RefreshFamilyRevoked, SecurityEventSeverity.Warning, userId: userId, reason: "family_limit_failed", properties: [new("error", ex.GetType().Name)]);
        }

        // In whole milliseconds, the resolution stores keep (Redis), then by id: one total order all sign-ins agree on.
        static bool IsOlder(RefreshTokenFamily f, RefreshTokenFamily created)
        {
            long a = f.CreatedAt.ToUnixTimeMilliseconds(), b = created.CreatedAt.ToUnixTimeMilliseconds();
            return a < b || (a == b && string.CompareOrdinal(f.FamilyId, created.FamilyId) < 0);
        }
    }

    /// <summary>Exchanges a refresh token for its successor.</summary>
    /// <param name="token">The presented token; any string.</param>
    /// <param name="clientIp">The client IP for events, if known.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The outcome; on success, the successor to return to the client.</returns>
    public async ValueTask<RefreshResult> RefreshAsync(string? token, string? clientIp = null, CancellationToken cancellationToken = default)
    {
        if (!TryParse(token, out var familyId, out var presented))
        {
            return new RefreshResult(RefreshStatus.Invalid, null, null);
        }

        var successor = RandomNumberGenerator.GetBytes(SecretBytes);
        try
        {
            var protectedSuccessor = Protect(familyId, presented, successor);
            var rotation = new RefreshTokenRotation(familyId, Hash(familyId, presented), Hash(familyId, successor), protectedSuccessor, _timeProvider.GetUtcNow(), _options.GraceWindow);
            var result = await _store.RotateAsync(rotation, cancellationToken).ConfigureAwait(false);
            var family = result.Family;
            switch (result.Status)
            {
                case RefreshTokenRotationStatus.Rotated:
                    return new RefreshResult(RefreshStatus.Refreshed, Format(familyId, successor), family);
                case RefreshTokenRotationStatus.GraceReplay:
                    if (!TryUnprotect(familyId, presented, result.ProtectedSuccessor.Span, successor))
                    {
                        return new RefreshResult(RefreshStatus.Invalid, null, family);
                    }

                    Publish(TokenEventNames.RefreshGraceReplay, SecurityEventSeverity.Information, family, clientIp, "grace_replay");
                    return new RefreshResult(RefreshStatus.GraceReplay, Format(familyId, successor), family);
                case RefreshTokenRotationStatus.ReuseDetected:
                    Publish(TokenEventNames.RefreshReuseDetected, SecurityEventSeverity.Critical, family, clientIp, "refresh_token_reused");
                    return new RefreshResult(RefreshStatus.ReuseDetected, null, family);
                case RefreshTokenRotationStatus.Revoked:
                    Publish(TokenEventNames.RefreshRevokedFamilyUsed, SecurityEventSeverity.Warning, family, clientIp, "family_revoked");
                    return new RefreshResult(RefreshStatus.Revoked, null, family);
                case RefreshTokenRotationStatus.Expired:
                    return new RefreshResult(RefreshStatus.Expired, null, family);
                default:
                    return new RefreshResult(RefreshStatus.Invalid, null, null);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(successor);
            CryptographicOperations.ZeroMemory(presented);
        }
    }

    /// <summary>
    /// Revokes one family of <paramref name="userId"/> ("sign out this device"), only when the family belongs
    /// to that user. Use this overload whenever the family id comes from a request.
    /// </summary>
    /// <param name="userId">The signed-in user who asks.</param>
    /// <param name="familyId">The family id, e.g. from the user's device list.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an active family of that user was revoked; <see langword="false"/> for another user's family
    /// or an unknown one, and for a family already revoked or expired (an expired one of that user is still marked revoked).</returns>
    /// <remarks><b>Security:</b> family ids are not secret (they appear in events and device lists), so an id
    /// taken from a request must be checked against its owner; a family never changes owner, so the check
    /// and the revocation need not be one atomic step. The owner is read from the family itself, not from the user's
    /// list of active families: a family that has expired by this instance's clock is still marked revoked, because an
    /// instance whose clock lags could otherwise still exchange its token (found in review).</remarks>
    public async ValueTask<bool> RevokeFamilyAsync(string userId, string familyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(familyId);
        if (!RefreshTokenStore.IsValidFamilyId(familyId))
        {
            return false; // request data: a malformed id names no family of this user
        }

        var family = await _store.GetFamilyAsync(familyId, cancellationToken).ConfigureAwait(false);
        if (family is null || !string.Equals(family.UserId, userId, StringComparison.Ordinal))
        {
            return false;
        }

        return await RevokeFamilyAsync(familyId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes one family by id, whoever owns it (administrative use; see the user-checked overload).</summary>
    /// <param name="familyId">The family id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an active family was revoked.</returns>
    public async ValueTask<bool> RevokeFamilyAsync(string familyId, CancellationToken cancellationToken = default)
    {
        var revoked = await _store.RevokeFamilyAsync(familyId, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (revoked)
        {
            _events.Publish(TokenEventNames.RefreshFamilyRevoked, SecurityEventSeverity.Information, reason: "revoked", properties: [new("family_id", familyId)]);
        }

        return revoked;
    }

    /// <summary>Revokes every family of a user (e.g. after a password change). To sign a user out everywhere, access
    /// tokens included, use <see cref="AccessTokens.AccessTokenService.SignOutEverywhereAsync(string, RefreshTokenService, CancellationToken)"/>,
    /// which calls this between two token-version increments.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many active families were revoked.</returns>
    public async ValueTask<int> RevokeUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        var count = await _store.RevokeUserFamiliesAsync(userId, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _events.Publish(TokenEventNames.RefreshUserRevoked, SecurityEventSeverity.Information, userId: userId, reason: "revoked", properties: [new("count", count.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return count;
    }

    /// <summary>
    /// Tells whether a family is still active (not revoked, not expired). Call it <b>after</b> issuing the access token of
    /// a refresh, and discard that token when it returns <see langword="false"/>: a "sign out everywhere"
    /// (<see cref="AccessTokens.AccessTokenService.SignOutEverywhereAsync(string, RefreshTokenService, CancellationToken)"/>)
    /// that lands between the rotation and the issue would otherwise let an access token carrying the new version through.
    /// </summary>
    /// <param name="familyId">The family id (<see cref="RefreshResult.Family"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> while the family can still be refreshed.</returns>
    public async ValueTask<bool> IsActiveAsync(string familyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(familyId);
        var family = await _store.GetFamilyAsync(familyId, cancellationToken).ConfigureAwait(false);
        return family is { IsRevoked: false } && !family.IsExpired(_timeProvider.GetUtcNow());
    }

    /// <summary>Lists a user's active families (their signed-in devices), oldest first.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The families.</returns>
    public ValueTask<IReadOnlyList<RefreshTokenFamily>> ListFamiliesAsync(string userId, CancellationToken cancellationToken = default) =>
        _store.ListUserFamiliesAsync(userId, _timeProvider.GetUtcNow(), cancellationToken);

    internal static bool TryParse(string? token, out string familyId, out byte[] secret)
    {
        familyId = string.Empty;
        secret = [];
        if (token is null || token.Length != TokenChars || token[FamilyIdChars] != '.')
        {
            return false;
        }

        Span<byte> id = stackalloc byte[FamilyIdBytes];
        var buffer = new byte[SecretBytes];
        if (!Base64Url.TryDecode(token.AsSpan(0, FamilyIdChars), id, out var idLength) || idLength != FamilyIdBytes
            || !Base64Url.TryDecode(token.AsSpan(FamilyIdChars + 1), buffer, out var length) || length != SecretBytes)
        {
            return false;
        }

        familyId = token[..FamilyIdChars];
        secret = buffer;
        return true;
    }

    private static string Format(string familyId, ReadOnlySpan<byte> secret) => familyId + "." + Base64Url.Encode(secret);

    private static byte[] Hash(string familyId, ReadOnlySpan<byte> secret)
    {
        Span<byte> input = stackalloc byte[28 + FamilyIdChars + 1 + SecretBytes];
        "SecurityKit.RefreshToken.v1\0"u8.CopyTo(input);
        Encoding.ASCII.GetBytes(familyId, input[28..]);
        input[28 + FamilyIdChars] = 0;
        secret.CopyTo(input[(29 + FamilyIdChars)..]);
        var hash = SHA256.HashData(input);
        CryptographicOperations.ZeroMemory(input);
        return hash;
    }

    private static byte[] Protect(string familyId, ReadOnlySpan<byte> presented, ReadOnlySpan<byte> successor)
    {
        var output = new byte[ProtectedSize];
        Span<byte> key = stackalloc byte[32];
        try
        {
            DeriveKey(familyId, presented, key);
            RandomNumberGenerator.Fill(output.AsSpan(0, NonceSize));
            using var aes = new AesGcm(key, TagSize);
            aes.Encrypt(output.AsSpan(0, NonceSize), successor, output.AsSpan(NonceSize, SecretBytes), output.AsSpan(NonceSize + SecretBytes, TagSize), Encoding.ASCII.GetBytes(familyId));
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static bool TryUnprotect(string familyId, ReadOnlySpan<byte> presented, ReadOnlySpan<byte> data, Span<byte> successor)
    {
        if (data.Length != ProtectedSize)
        {
            return false;
        }

        Span<byte> key = stackalloc byte[32];
        try
        {
            DeriveKey(familyId, presented, key);
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(data[..NonceSize], data.Slice(NonceSize, SecretBytes), data.Slice(NonceSize + SecretBytes, TagSize), successor, Encoding.ASCII.GetBytes(familyId));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static void DeriveKey(string familyId, ReadOnlySpan<byte> presented, Span<byte> key) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, presented, key, "SecurityKit.RefreshToken.Successor.v1"u8, Encoding.ASCII.GetBytes(familyId));

    private void Publish(string name, SecurityEventSeverity severity, RefreshTokenFamily? family, string? clientIp, string reason) =>
        _events.Publish(
            name,
            severity,
            userId: family?.UserId,
            clientIp: clientIp,
            reason: reason,
            properties: family is null ? null : [new("family_id", family.FamilyId), new("generation", family.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
}
