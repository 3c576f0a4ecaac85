using SecurityKit.Passwords.Strength.DangerZone;

namespace SecurityKit.Passwords.Strength;

/// <summary>
/// Options of <see cref="PasswordPolicy"/>. The defaults follow NIST SP 800-63B rev. 4 (§3.1.1.2) and
/// OWASP ASVS 5 (V6.2): length over composition, a blocklist, context words, and a zxcvbn score floor.
/// </summary>
/// <remarks>
/// <b>Security:</b> values weaker than the NIST floor (<see cref="NistMinimumLength"/>,
/// <see cref="NistMinimumLengthWithMultiFactor"/>, <see cref="NistMaximumLengthFloor"/>, blocklist on) are a
/// startup error unless <see cref="PasswordPolicyDangerZoneExtensions.AllowWeakerThanNist(PasswordPolicyOptions)"/>
/// is called.
/// </remarks>
public sealed class PasswordPolicyOptions
{
    /// <summary>NIST SP 800-63B rev. 4 minimum length of a password that is the only factor.</summary>
    public const int NistMinimumLength = 15;

    /// <summary>NIST SP 800-63B rev. 4 minimum length of a password used only with a second factor.</summary>
    public const int NistMinimumLengthWithMultiFactor = 8;

    /// <summary>NIST SP 800-63B rev. 4: a verifier should accept passwords of at least 64 characters.</summary>
    public const int NistMaximumLengthFloor = 64;

    /// <summary>The largest accepted <see cref="MaximumLength"/> (bounds hashing and estimation cost).</summary>
    public const int MaximumLengthCeiling = 4096;

    /// <summary>Gets or sets the minimum length, in Unicode code points, of a password that is the only authentication factor:
    /// at least 15 unless <c>AllowWeakerThanNist()</c>, also with <see cref="MultiFactorRequired"/> (a context with
    /// <c>UsesMultiFactor = false</c> uses it).</summary>
    /// <value>The default value is 15.</value>
    public int MinimumLength { get; set; } = NistMinimumLength;

    /// <summary>Gets or sets the minimum length, in Unicode code points, when the account uses multi-factor authentication.</summary>
    /// <value>The default value is 8.</value>
    public int MinimumLengthWithMultiFactor { get; set; } = NistMinimumLengthWithMultiFactor;

    /// <summary>Gets or sets whether every account of the application uses multi-factor authentication (so <see cref="MinimumLengthWithMultiFactor"/> applies unless the context says otherwise).</summary>
    /// <value>The default value is false.</value>
    public bool MultiFactorRequired { get; set; }

    /// <summary>Gets or sets the maximum length in Unicode code points: at least 64, at most 4096.</summary>
    /// <value>The default value is 256.</value>
    public int MaximumLength { get; set; } = 256;

    /// <summary>Gets or sets the minimum zxcvbn score (0–4) a password must reach.</summary>
    /// <value>The default value is 3.</value>
    public int MinimumScore { get; set; } = 3;

    /// <summary>Gets or sets whether the whole password, compared case-insensitively, is rejected when it is one of the 30,000 most common passwords (zxcvbn's list) or of <see cref="AdditionalBlockedPasswords"/>.</summary>
    /// <value>The default value is true.</value>
    public bool BlockCommonPasswords { get; set; } = true;

    /// <summary>Gets more passwords to reject (compared case-insensitively on the whole password), e.g. the service's own name variants.</summary>
    public IList<string> AdditionalBlockedPasswords { get; private set; } = [];

    /// <summary>Gets application-wide context words (the service's name, its domain…) that passwords may not contain; they also lower the strength estimate.</summary>
    public IList<string> ContextWords { get; private set; } = [];

    /// <summary>Gets or sets whether a password containing a context word (of at least <see cref="MinimumContextWordLength"/> characters), compared case-insensitively, is rejected.</summary>
    /// <value>The default value is true.</value>
    public bool RejectContextWords { get; set; } = true;

    /// <summary>Gets or sets the shortest context word the containment rule considers (shorter ones still lower the estimate).</summary>
    /// <value>The default value is 4.</value>
    public int MinimumContextWordLength { get; set; } = 4;

    /// <summary>Gets or sets whether a lower-case letter is required (composition rule; off by default as NIST SP 800-63B forbids them).</summary>
    /// <value>The default value is false.</value>
    public bool RequireLowercase { get; set; }

    /// <summary>Gets or sets whether an upper-case letter is required (composition rule; off by default).</summary>
    /// <value>The default value is false.</value>
    public bool RequireUppercase { get; set; }

    /// <summary>Gets or sets whether a digit is required (composition rule; off by default).</summary>
    /// <value>The default value is false.</value>
    public bool RequireDigit { get; set; }

    /// <summary>Gets or sets whether a symbol (neither letter nor digit) is required (composition rule; off by default).</summary>
    /// <value>The default value is false.</value>
    public bool RequireSymbol { get; set; }

    /// <summary>Gets or sets whether <see cref="PasswordPolicy.EvaluateAsync"/> also asks the <see cref="IBreachedPasswordChecker"/> (Have I Been Pwned). Off by default because it sends a hash prefix to a third party.</summary>
    /// <value>The default value is false.</value>
    public bool CheckBreachedPasswords { get; set; }

    /// <summary>Gets the Have I Been Pwned options (timeout, fail mode, threshold, cache) used when <see cref="CheckBreachedPasswords"/> is on.</summary>
    public HaveIBeenPwnedOptions BreachCheck { get; private set; } = new();

    /// <summary>Gets the strength estimator options (length cap, reference year).</summary>
    public PasswordStrengthOptions Strength { get; private set; } = new();

    internal bool WeakerThanNistAllowed { get; set; }

    /// <summary>Copies every setting (lists and nested options included), so a policy keeps what it validated.</summary>
    /// <returns>The copy.</returns>
    internal PasswordPolicyOptions Clone()
    {
        var copy = (PasswordPolicyOptions)MemberwiseClone();
        copy.CopyCollectionsFrom(this);
        return copy;
    }

    private void CopyCollectionsFrom(PasswordPolicyOptions source)
    {
        // MemberwiseClone shared the lists and nested options with the source: give the copy its own.
        var blocked = source.AdditionalBlockedPasswords.ToArray();
        var words = source.ContextWords.ToArray();
        AdditionalBlockedPasswords = new List<string>(blocked);
        ContextWords = new List<string>(words);
        BreachCheck = source.BreachCheck.Clone();
        Strength = source.Strength.Clone();
    }
}
