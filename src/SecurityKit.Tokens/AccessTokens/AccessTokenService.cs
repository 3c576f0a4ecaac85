using SecurityKit.Events;
using SecurityKit.Stores.Tokens;
using SecurityKit.Tokens.Jwt;

namespace SecurityKit.Tokens.AccessTokens;

/// <summary>
/// Issues and validates access tokens (<c>typ: at+jwt</c>), stamping and checking the per-user token
/// version so that <see cref="SignOutEverywhereAsync(string, RefreshTokens.RefreshTokenService, CancellationToken)"/> invalidates every outstanding token of a user.
/// </summary>
/// <remarks>
/// <para>Use <see cref="Validate"/> on the hot path when token versions are not used (no allocation, no
/// store call), <see cref="ValidateAsync"/> otherwise (one store read per token).</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class AccessTokenService
{
    private readonly JwtIssuer _issuer;
    private readonly JwtValidator _validator;
    private readonly TokenVersionStore? _versions;
    private readonly SecurityEventPublisher _events;

    /// <summary>Initializes the service.</summary>
    /// <param name="issuer">Issues tokens.</param>
    /// <param name="validator">Validates tokens.</param>
    /// <param name="versions">The per-user token versions, or <see langword="null"/> to disable them.</param>
    /// <param name="events">The event publisher, or <see langword="null"/> for none.</param>
    public AccessTokenService(JwtIssuer issuer, JwtValidator validator, TokenVersionStore? versions = null, SecurityEventPublisher? events = null)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(validator);
        _issuer = issuer;
        _validator = validator;
        _versions = versions;
        _events = events ?? SecurityEventPublisher.None;
    }

    /// <summary>Gets the issuer (for its key set and JWKS).</summary>
    public JwtIssuer Issuer => _issuer;

    /// <summary>Gets the validator.</summary>
    public JwtValidator Validator => _validator;

    /// <summary>Issues an access token; with token versions enabled, <c>ver</c> is set to the subject's current version.</summary>
    /// <param name="descriptor">The claims; <see cref="JwtDescriptor.Subject"/> is required.</param>
    /// <param name="cancellationToken">Cancels the version lookup.</param>
    /// <returns>The token.</returns>
    /// <exception cref="ArgumentException">The descriptor has no subject.</exception>
    public async ValueTask<string> IssueAsync(JwtDescriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (string.IsNullOrEmpty(descriptor.Subject))
        {
            throw new ArgumentException("An access token needs a subject (the user id): set JwtDescriptor.Subject.", nameof(descriptor));
        }

        if (_versions is not null)
        {
            descriptor.TokenVersion = await _versions.GetVersionAsync(descriptor.Subject, cancellationToken).ConfigureAwait(false);
        }

        return _issuer.CreateToken(descriptor);
    }

    /// <summary>Validates a token without the token-version check (synchronous, allocation-free). <b>Security:</b> a
    /// token of a user who has since signed out everywhere still passes until it expires; use
    /// <see cref="ValidateAsync"/> where that matters.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The result.</returns>
    public JwtValidationResult Validate(string? token) => _validator.Validate(token);

    /// <summary>Validates a token and, with token versions enabled, checks that its <c>ver</c> is the subject's current version.</summary>
    /// <param name="token">The token.</param>
    /// <param name="clientIp">The client IP for events, if known.</param>
    /// <param name="cancellationToken">Cancels the version lookup.</param>
    /// <returns>The result; <see cref="JwtFailureReason.TokenVersionRevoked"/> when the user signed out everywhere since it was issued.</returns>
    public async ValueTask<JwtValidationResult> ValidateAsync(string? token, string? clientIp = null, CancellationToken cancellationToken = default)
    {
        var result = _validator.Validate(token);
        if (result.IsValid && _versions is not null)
        {
            var subject = result.GetSubject();
            var current = string.IsNullOrEmpty(subject) || subject.Length > TokenVersionStore.MaxUserIdLength
                ? long.MaxValue
                : await _versions.GetVersionAsync(subject, cancellationToken).ConfigureAwait(false);
            if (result.TokenVersion is not { } version || version < current)
            {
                result = JwtValidationResult.Failed(JwtFailureReason.TokenVersionRevoked);
            }
        }

        if (!result.IsValid && _events.IsEnabled)
        {
            _events.Publish(TokenEventNames.AccessTokenRejected, SecurityEventSeverity.Warning, clientIp: clientIp, reason: ToCode(result.FailureReason));
        }

        return result;
    }

    /// <summary>Increments the user's token version: every access token issued before is rejected by <see cref="ValidateAsync"/>.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new version.</returns>
    /// <exception cref="InvalidOperationException">Token versions are disabled.</exception>
    /// <remarks>For hosts without refresh tokens. With refresh tokens use
    /// <see cref="SignOutEverywhereAsync(string, RefreshTokens.RefreshTokenService, CancellationToken)"/>, which also
    /// revokes the user's families in the order that leaves no race with a concurrent sign-in or refresh.</remarks>
    public async ValueTask<long> SignOutEverywhereAsync(string userId, CancellationToken cancellationToken = default)
    {
        var version = await IncrementVersionAsync(userId, cancellationToken).ConfigureAwait(false);
        _events.Publish(TokenEventNames.SignedOutEverywhere, SecurityEventSeverity.Information, userId: userId, reason: "token_version_incremented");
        return version;
    }

    /// <summary>
    /// Signs a user out everywhere: every access token issued so far is rejected by <see cref="ValidateAsync"/> and every
    /// refresh-token family is revoked, without a window for a sign-in or refresh running at the same moment.
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="refreshTokens">The refresh-token service whose families are revoked.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The user's new token version.</returns>
    /// <exception cref="InvalidOperationException">Token versions are disabled.</exception>
    /// <remarks>
    /// <para>The steps: increment the token version, revoke every family, increment the version again. With the sign-in
    /// flow (read <see cref="GetTokenVersionAsync"/> before checking the credentials, create the family, issue the access
    /// token, then discard both unless the version is unchanged) and the refresh flow (rotate, issue the access token,
    /// then discard it unless <see cref="RefreshTokens.RefreshTokenService.IsActiveAsync"/>), no sign-in or refresh that
    /// began before this call ends up with a valid token, whatever the interleaving (tested for every interleaving of the
    /// steps). A sign-in that read the version after the first increment began after the sign-out and is kept (unless
    /// its family existed when the families were revoked).</para>
    /// <para>Revoking the families before a single increment, the order documented earlier, missed a sign-in whose
    /// family was created just after the revocation: that family could refresh into valid tokens.</para>
    /// </remarks>
    public async ValueTask<long> SignOutEverywhereAsync(string userId, RefreshTokens.RefreshTokenService refreshTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refreshTokens);
        await IncrementVersionAsync(userId, cancellationToken).ConfigureAwait(false);
        await refreshTokens.RevokeUserAsync(userId, cancellationToken).ConfigureAwait(false);
        var version = await IncrementVersionAsync(userId, cancellationToken).ConfigureAwait(false);
        _events.Publish(TokenEventNames.SignedOutEverywhere, SecurityEventSeverity.Information, userId: userId, reason: "token_version_incremented");
        return version;
    }

    /// <summary>
    /// Gets the user's current token version (0 when token versions are disabled). A sign-in reads it <b>before</b>
    /// checking the credentials and compares it once the refresh-token family and the access token are issued: when it
    /// changed, a sign-out everywhere ran meanwhile, and the host revokes the new family and fails the sign-in.
    /// </summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The version.</returns>
    public async ValueTask<long> GetTokenVersionAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return _versions is null ? 0 : await _versions.GetVersionAsync(userId, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<long> IncrementVersionAsync(string userId, CancellationToken cancellationToken) =>
        _versions is null
            ? throw new InvalidOperationException("Token versions are disabled (TokenOptions.EnableTokenVersions = false); sign-out-everywhere needs them.")
            : _versions.IncrementVersionAsync(userId, cancellationToken);

    /// <summary>Gets the stable snake_case code of a failure reason, as used in events.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The code, e.g. <c>invalid_signature</c>.</returns>
    public static string ToCode(JwtFailureReason reason) => reason switch
    {
        JwtFailureReason.None => "none",
        JwtFailureReason.Malformed => "malformed",
        JwtFailureReason.TokenTooLarge => "token_too_large",
        JwtFailureReason.EncryptedTokenNotSupported => "encrypted_token_not_supported",
        JwtFailureReason.InvalidBase64Url => "invalid_base64url",
        JwtFailureReason.InvalidJson => "invalid_json",
        JwtFailureReason.DuplicateMember => "duplicate_member",
        JwtFailureReason.JsonTooComplex => "json_too_complex",
        JwtFailureReason.AlgorithmNone => "algorithm_none",
        JwtFailureReason.UnsupportedAlgorithm => "unsupported_algorithm",
        JwtFailureReason.AlgorithmMismatch => "algorithm_mismatch",
        JwtFailureReason.MissingKeyId => "missing_key_id",
        JwtFailureReason.UnknownKeyId => "unknown_key_id",
        JwtFailureReason.ForbiddenHeaderParameter => "forbidden_header_parameter",
        JwtFailureReason.CriticalHeaderNotSupported => "critical_header_not_supported",
        JwtFailureReason.InvalidType => "invalid_type",
        JwtFailureReason.InvalidSignature => "invalid_signature",
        JwtFailureReason.MissingExpiration => "missing_expiration",
        JwtFailureReason.InvalidClaim => "invalid_claim",
        JwtFailureReason.Expired => "expired",
        JwtFailureReason.NotYetValid => "not_yet_valid",
        JwtFailureReason.IssuedInFuture => "issued_in_future",
        JwtFailureReason.InvalidIssuer => "invalid_issuer",
        JwtFailureReason.InvalidAudience => "invalid_audience",
        JwtFailureReason.TokenVersionRevoked => "token_version_revoked",
        JwtFailureReason.MissingSubject => "missing_subject",
        JwtFailureReason.LifetimeTooLong => "lifetime_too_long",
        _ => "unknown",
    };
}
