namespace SecurityKit.Passwords.Strength;

/// <summary>
/// What the policy knows about the user whose password it checks: these words may not appear in the
/// password and make the strength estimate lower (zxcvbn's user inputs).
/// </summary>
public sealed class PasswordPolicyContext
{
    /// <summary>Gets or sets the host's id of the account (not used in any check): the user id of the
    /// <c>password.policy_rejected</c> event. The user name, typed by a person, never goes into an event.</summary>
    /// <value>The default value is null (the event has no user id).</value>
    public string? UserId { get; set; }

    /// <summary>Gets or sets the user name.</summary>
    /// <value>The default value is null.</value>
    public string? UserName { get; set; }

    /// <summary>Gets or sets the e-mail address; its local part and domain labels count as context words too.</summary>
    /// <value>The default value is null.</value>
    public string? Email { get; set; }

    /// <summary>Gets or sets the display or full name; each part counts as a context word.</summary>
    /// <value>The default value is null.</value>
    public string? DisplayName { get; set; }

    /// <summary>Gets other words specific to this user (a company, a pet's name the app knows…).</summary>
    public IList<string> AdditionalWords { get; } = [];

    /// <summary>
    /// Gets or sets whether this account uses multi-factor authentication, in which case the shorter
    /// <see cref="PasswordPolicyOptions.MinimumLengthWithMultiFactor"/> applies. Null uses
    /// <see cref="PasswordPolicyOptions.MultiFactorRequired"/>.
    /// </summary>
    /// <value>The default value is null.</value>
    public bool? UsesMultiFactor { get; set; }
}
