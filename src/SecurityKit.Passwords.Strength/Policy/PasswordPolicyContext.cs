namespace SecurityKit.Passwords.Strength;

/// <summary>
/// What the policy knows about the user whose password it checks: these words may not appear in the
/// password and make the strength estimate lower (zxcvbn's user inputs).
/// </summary>
/// <remarks>The context usually comes from a registration form, so it is bounded: a <see cref="UserName"/>,
/// <see cref="Email"/>, <see cref="DisplayName"/> or additional word longer than <see cref="MaxFieldLength"/> characters
/// is not used (nor split), and only the first <see cref="MaxAdditionalWords"/> additional words are.</remarks>
public sealed class PasswordPolicyContext
{
    /// <summary>The longest context field (or additional word) the policy uses: 256 characters.</summary>
    public const int MaxFieldLength = 256;

    /// <summary>The number of <see cref="AdditionalWords"/> the policy uses at most: 64.</summary>
    public const int MaxAdditionalWords = 64;

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
