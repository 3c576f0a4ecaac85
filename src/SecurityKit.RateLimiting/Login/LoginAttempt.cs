using System.Net;

namespace SecurityKit.RateLimiting.Login;

/// <summary>One sign-in attempt as the host sees it.</summary>
/// <param name="AccountId">The account identifier as typed (e-mail, user name); normalised (trimmed, NFKC, lower-case) and HMAC'd before use. Pass it for unknown accounts too.</param>
/// <param name="ClientIp">The client IP address as resolved (behind proxies: from trusted forwarding headers only), or <see langword="null"/> when unknown.</param>
/// <remarks>
/// <b>Security:</b> set <see cref="TrustedDeviceId"/> only from a value the host issued to this browser or device after
/// an earlier successful sign-in (a signed cookie, a device-bound token), never from a request header the client chooses freely.
/// </remarks>
public readonly record struct LoginAttempt(string AccountId, IPAddress? ClientIp)
{
    /// <summary>
    /// Gets the id of a device that signed in to this account before, when the host recognises it. Attempts from a
    /// trusted device are counted on their own account + device counter only: an attacker hammering the account from
    /// elsewhere (and IP blocks) cannot lock the owner out of it.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (not trusted).</value>
    public string? TrustedDeviceId { get; init; }

    /// <summary>Describes the attempt without the account id or the device id (either may be personal data or, when a
    /// user types a password into the user-name field, a secret), so logging the attempt leaks neither.</summary>
    /// <returns>E.g. <c>LoginAttempt { AccountId = [redacted], ClientIp = 203.0.113.7, TrustedDeviceId = none }</c>.</returns>
    public override string ToString() =>
        $"LoginAttempt {{ AccountId = [redacted], ClientIp = {ClientIp?.ToString() ?? "none"}, TrustedDeviceId = {(TrustedDeviceId is null ? "none" : "[redacted]")} }}";
}
