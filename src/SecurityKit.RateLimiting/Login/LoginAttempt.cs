using System.Net;

namespace SecurityKit.RateLimiting.Login;

/// <summary>One sign-in attempt as the host sees it.</summary>
/// <param name="AccountId">The account identifier as typed (e-mail, user name); normalised (trimmed, NFKC, lower-case) and HMAC'd before use. Pass it for unknown accounts too.</param>
/// <param name="ClientIp">The client IP address as resolved (behind proxies: from trusted forwarding headers only), or
/// <see langword="null"/> when unknown. Without one no per-address limit applies to the attempt (only the account counters).</param>
/// <remarks>
/// <b>Security:</b> <see cref="TrustedDeviceToken"/> is verified by the protector: only a token it issued for this
/// account (<see cref="LoginProtector.IssueTrustedDeviceToken"/>) and not expired makes the attempt trusted, so a client
/// cannot escape the account counter by inventing device ids.
/// </remarks>
public readonly record struct LoginAttempt(string AccountId, IPAddress? ClientIp)
{
    /// <summary>
    /// Gets the trusted-device token this browser or device received after an earlier successful sign-in to this account
    /// (from <see cref="LoginProtector.IssueTrustedDeviceToken"/>, kept e.g. in a long-lived HttpOnly cookie). A valid token
    /// makes the attempt count on its own account + device counter only: an attacker hammering the account from
    /// elsewhere (and IP blocks) cannot lock the owner out of that device. An invalid one (forged, for another account,
    /// expired) is ignored: the attempt counts as from an unknown device.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no token).</value>
    public string? TrustedDeviceToken { get; init; }

    /// <summary>
    /// Gets the account's security stamp as the host stores it (e.g. ASP.NET Core Identity's <c>SecurityStamp</c>), when
    /// it keeps one and the account exists: a trusted-device token verifies only with the stamp it was issued with, so
    /// changing the stamp (password reset, "sign out everywhere") revokes the account's device tokens. At most
    /// <see cref="LoginProtector.MaxSecurityStampLength"/> characters (it is hashed into the token's MAC);
    /// <see langword="null"/> and an empty stamp are different stamps.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no stamp).</value>
    public string? AccountSecurityStamp { get; init; }

    /// <summary>Describes the attempt without the account id or the device token (the account id may be personal data or,
    /// when a user types a password into the user-name field, a secret; the token is a credential), so logging the
    /// attempt leaks neither.</summary>
    /// <returns>E.g. <c>LoginAttempt { AccountId = [redacted], ClientIp = 203.0.113.7, TrustedDeviceToken = none }</c>.</returns>
    public override string ToString() =>
        $"LoginAttempt {{ AccountId = [redacted], ClientIp = {ClientIp?.ToString() ?? "none"}, TrustedDeviceToken = {(TrustedDeviceToken is null ? "none" : "[redacted]")} }}";
}
