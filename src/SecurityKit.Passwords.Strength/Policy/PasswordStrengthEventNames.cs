namespace SecurityKit.Passwords.Strength;

/// <summary>Stable names of the security events this package publishes. They never carry the password.</summary>
public static class PasswordStrengthEventNames
{
    /// <summary>A password was rejected by the policy; the reason is the comma-separated rule codes.</summary>
    public const string PolicyRejected = "password.policy_rejected";

    /// <summary>A password was found in the breach corpus; the <c>count</c> property says how often.</summary>
    public const string BreachedPasswordFound = "password.breached_found";

    /// <summary>The breach check could not be made; the reason says why and the <c>mode</c> property whether it failed open or closed.</summary>
    public const string BreachCheckUnavailable = "password.breach_check_unavailable";
}
