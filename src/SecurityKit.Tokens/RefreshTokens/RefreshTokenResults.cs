using SecurityKit.Stores.Tokens;

namespace SecurityKit.Tokens.RefreshTokens;

/// <summary>A new refresh token: return <see cref="Token"/> to the client once; it is not stored anywhere.</summary>
/// <remarks><b>Security:</b> <see cref="ToString"/> never shows the token.</remarks>
public sealed class IssuedRefreshToken
{
    internal IssuedRefreshToken(string token, RefreshTokenFamily family)
    {
        Token = token;
        Family = family;
    }

    /// <summary>Gets the opaque token (<c>family-id.secret</c>, 66 characters).</summary>
    public string Token { get; }

    /// <summary>Gets the family.</summary>
    public RefreshTokenFamily Family { get; }

    /// <summary>Returns the family id only.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"IssuedRefreshToken(family={Family.FamilyId})";
}

/// <summary>The outcome of <see cref="RefreshTokenService.RefreshAsync"/>. Stable codes.</summary>
public enum RefreshStatus
{
    /// <summary>The token is not a refresh token of this service (wrong shape or unknown).</summary>
    Invalid = 0,

    /// <summary>The token was current: a new token was issued.</summary>
    Refreshed = 1,

    /// <summary>The token was rotated moments ago (grace window): the same successor is returned again.</summary>
    GraceReplay = 2,

    /// <summary>An already-rotated token was reused: its family is now revoked.</summary>
    ReuseDetected = 3,

    /// <summary>The family was revoked.</summary>
    Revoked = 4,

    /// <summary>The family expired.</summary>
    Expired = 5,
}

/// <summary>The outcome of a refresh: a successor token for <see cref="RefreshStatus.Refreshed"/> and <see cref="RefreshStatus.GraceReplay"/>.</summary>
/// <remarks><b>Security:</b> <see cref="ToString"/> never shows the token.</remarks>
public sealed class RefreshResult
{
    internal RefreshResult(RefreshStatus status, string? token, RefreshTokenFamily? family)
    {
        Status = status;
        Token = token;
        Family = family;
    }

    /// <summary>Gets what happened.</summary>
    public RefreshStatus Status { get; }

    /// <summary>Gets whether a successor token was returned.</summary>
    public bool Succeeded => Status is RefreshStatus.Refreshed or RefreshStatus.GraceReplay;

    /// <summary>Gets the successor token to return to the client, when <see cref="Succeeded"/>.</summary>
    public string? Token { get; }

    /// <summary>Gets the family (user id, session id…), when known.</summary>
    public RefreshTokenFamily? Family { get; }

    /// <summary>Returns the status and family id only.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"RefreshResult({Status}, family={Family?.FamilyId})";
}
