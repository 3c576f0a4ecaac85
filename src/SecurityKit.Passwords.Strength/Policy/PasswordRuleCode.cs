namespace SecurityKit.Passwords.Strength;

/// <summary>
/// Why a password policy rejected a password. Stable codes: the numeric values and
/// <see cref="PasswordRuleFailure.CodeName"/> strings never change, so applications can localise them.
/// </summary>
public enum PasswordRuleCode
{
    /// <summary>Fewer Unicode code points than the minimum length (<c>too_short</c>).</summary>
    TooShort = 1,

    /// <summary>More Unicode code points than the maximum length (<c>too_long</c>).</summary>
    TooLong = 2,

    /// <summary>The whole password, compared case-insensitively, is a common password (<c>common_password</c>).</summary>
    CommonPassword = 3,

    /// <summary>The zxcvbn score is below the minimum score (<c>too_guessable</c>).</summary>
    TooGuessable = 4,

    /// <summary>The password contains a context word: user name, e-mail, name, service name (<c>contains_context_word</c>).</summary>
    ContainsContextWord = 5,

    /// <summary>Opt-in composition rule: no lower-case letter (<c>missing_lowercase</c>).</summary>
    MissingLowercase = 6,

    /// <summary>Opt-in composition rule: no upper-case letter (<c>missing_uppercase</c>).</summary>
    MissingUppercase = 7,

    /// <summary>Opt-in composition rule: no digit (<c>missing_digit</c>).</summary>
    MissingDigit = 8,

    /// <summary>Opt-in composition rule: no symbol (<c>missing_symbol</c>).</summary>
    MissingSymbol = 9,

    /// <summary>The password appears in a breach corpus (Have I Been Pwned) at least the configured number of times (<c>breached</c>).</summary>
    Breached = 10,

    /// <summary>The breach check could not be made and the checker fails closed, or the checker threw (<c>breach_check_unavailable</c>).</summary>
    BreachCheckUnavailable = 11,

    /// <summary>The password contains a control character or an unpaired surrogate (<c>invalid_characters</c>).</summary>
    InvalidCharacters = 12,
}

/// <summary>One failed rule of a password policy: a stable code and an English message.</summary>
/// <param name="Code">The rule that failed.</param>
/// <param name="Message">An English explanation for the user; never contains the password.</param>
public readonly record struct PasswordRuleFailure(PasswordRuleCode Code, string Message)
{
    /// <summary>Gets the stable snake_case name of <see cref="Code"/>, e.g. <c>too_short</c>.</summary>
    public string CodeName => GetCodeName(Code);

    /// <summary>Gets the stable snake_case name of a rule code.</summary>
    /// <param name="code">The code.</param>
    /// <returns>The name, e.g. <c>too_short</c>.</returns>
    public static string GetCodeName(PasswordRuleCode code) => code switch
    {
        PasswordRuleCode.TooShort => "too_short",
        PasswordRuleCode.TooLong => "too_long",
        PasswordRuleCode.CommonPassword => "common_password",
        PasswordRuleCode.TooGuessable => "too_guessable",
        PasswordRuleCode.ContainsContextWord => "contains_context_word",
        PasswordRuleCode.MissingLowercase => "missing_lowercase",
        PasswordRuleCode.MissingUppercase => "missing_uppercase",
        PasswordRuleCode.MissingDigit => "missing_digit",
        PasswordRuleCode.MissingSymbol => "missing_symbol",
        PasswordRuleCode.Breached => "breached",
        PasswordRuleCode.BreachCheckUnavailable => "breach_check_unavailable",
        PasswordRuleCode.InvalidCharacters => "invalid_characters",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };
}
