using System.ComponentModel;

namespace SecurityKit.Passwords.Strength.DangerZone;

/// <summary>Switches that weaken the password policy below the NIST SP 800-63B floor. Hidden on purpose.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PasswordPolicyDangerZoneExtensions
{
    /// <summary>
    /// Allows a policy weaker than NIST SP 800-63B rev. 4 (shorter minimum lengths, a maximum below 64,
    /// no blocklist) without a startup error.
    /// </summary>
    /// <param name="options">The policy options.</param>
    /// <returns>The same options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <remarks><b>Security:</b> only for legacy systems or tests; users then get weaker passwords than the standard requires.</remarks>
    public static PasswordPolicyOptions AllowWeakerThanNist(this PasswordPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.WeakerThanNistAllowed = true;
        return options;
    }
}
