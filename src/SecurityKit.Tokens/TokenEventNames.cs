namespace SecurityKit.Tokens;

/// <summary>The stable names of the security events SecurityKit.Tokens publishes. Events never carry a token.</summary>
public static class TokenEventNames
{
    /// <summary>An already-rotated refresh token was presented outside the grace window; its family was revoked (Critical).</summary>
    public const string RefreshReuseDetected = "token.refresh_reuse_detected";

    /// <summary>A token of a revoked family was presented again (Warning).</summary>
    public const string RefreshRevokedFamilyUsed = "token.refresh_revoked_family_used";

    /// <summary>The previous refresh token was presented within the grace window and got the same successor (Information).</summary>
    public const string RefreshGraceReplay = "token.refresh_grace_replay";

    /// <summary>A refresh-token family was revoked by the host (Information).</summary>
    public const string RefreshFamilyRevoked = "token.refresh_family_revoked";

    /// <summary>Every refresh-token family of a user was revoked (Information).</summary>
    public const string RefreshUserRevoked = "token.refresh_user_revoked";

    /// <summary>A user's token version was incremented: every earlier access token is invalid (Information).</summary>
    public const string SignedOutEverywhere = "token.signed_out_everywhere";

    /// <summary>An access token was rejected by <c>AccessTokenService.ValidateAsync</c>; the reason is the failure code (Warning).</summary>
    public const string AccessTokenRejected = "token.access_rejected";
}
