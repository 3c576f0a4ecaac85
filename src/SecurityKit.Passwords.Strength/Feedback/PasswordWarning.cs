namespace SecurityKit.Passwords.Strength;

/// <summary>
/// The warning of a strength estimate: the zxcvbn 4.4.2 warnings as stable codes an application can
/// localise. The numeric values and <see cref="PasswordFeedbackText.GetCode(PasswordWarning)"/> codes never change.
/// </summary>
public enum PasswordWarning
{
    /// <summary>No warning.</summary>
    None = 0,

    /// <summary>"Straight rows of keys are easy to guess" (code <c>straight_row</c>).</summary>
    StraightRow = 1,

    /// <summary>"Short keyboard patterns are easy to guess" (code <c>keyboard_pattern</c>).</summary>
    KeyboardPattern = 2,

    /// <summary>"Repeats like "aaa" are easy to guess" (code <c>simple_repeat</c>).</summary>
    SimpleRepeat = 3,

    /// <summary>"Repeats like "abcabcabc" are only slightly harder to guess than "abc"" (code <c>extended_repeat</c>).</summary>
    ExtendedRepeat = 4,

    /// <summary>"Sequences like abc or 6543 are easy to guess" (code <c>sequence</c>).</summary>
    Sequence = 5,

    /// <summary>"Recent years are easy to guess" (code <c>recent_year</c>).</summary>
    RecentYear = 6,

    /// <summary>"Dates are often easy to guess" (code <c>date</c>).</summary>
    Date = 7,

    /// <summary>"This is a top-10 common password" (code <c>top_10_password</c>).</summary>
    TopTenPassword = 8,

    /// <summary>"This is a top-100 common password" (code <c>top_100_password</c>).</summary>
    TopHundredPassword = 9,

    /// <summary>"This is a very common password" (code <c>common_password</c>).</summary>
    CommonPassword = 10,

    /// <summary>"This is similar to a commonly used password" (code <c>similar_to_common_password</c>).</summary>
    SimilarToCommonPassword = 11,

    /// <summary>"A word by itself is easy to guess" (code <c>word_by_itself</c>).</summary>
    WordByItself = 12,

    /// <summary>"Names and surnames by themselves are easy to guess" (code <c>names_by_themselves</c>).</summary>
    NamesByThemselves = 13,

    /// <summary>"Common names and surnames are easy to guess" (code <c>common_names</c>).</summary>
    CommonNames = 14,
}

/// <summary>
/// A suggestion of a strength estimate: the zxcvbn 4.4.2 suggestions as stable codes an application can
/// localise. The numeric values and <see cref="PasswordFeedbackText.GetCode(PasswordSuggestion)"/> codes never change.
/// </summary>
public enum PasswordSuggestion
{
    /// <summary>"Use a few words, avoid common phrases" (code <c>use_words</c>).</summary>
    UseWords = 1,

    /// <summary>"No need for symbols, digits, or uppercase letters" (code <c>no_need_for_mixed_chars</c>).</summary>
    NoNeedForMixedCharacters = 2,

    /// <summary>"Add another word or two. Uncommon words are better." (code <c>add_another_word</c>).</summary>
    AddAnotherWord = 3,

    /// <summary>"Use a longer keyboard pattern with more turns" (code <c>longer_keyboard_pattern</c>).</summary>
    LongerKeyboardPattern = 4,

    /// <summary>"Avoid repeated words and characters" (code <c>avoid_repeats</c>).</summary>
    AvoidRepeats = 5,

    /// <summary>"Avoid sequences" (code <c>avoid_sequences</c>).</summary>
    AvoidSequences = 6,

    /// <summary>"Avoid recent years" (code <c>avoid_recent_years</c>).</summary>
    AvoidRecentYears = 7,

    /// <summary>"Avoid years that are associated with you" (code <c>avoid_associated_years</c>).</summary>
    AvoidAssociatedYears = 8,

    /// <summary>"Avoid dates and years that are associated with you" (code <c>avoid_associated_dates</c>).</summary>
    AvoidAssociatedDates = 9,

    /// <summary>"Capitalization doesn't help very much" (code <c>capitalization</c>).</summary>
    Capitalization = 10,

    /// <summary>"All-uppercase is almost as easy to guess as all-lowercase" (code <c>all_uppercase</c>).</summary>
    AllUppercase = 11,

    /// <summary>"Reversed words aren't much harder to guess" (code <c>reversed_words</c>).</summary>
    ReversedWords = 12,

    /// <summary>"Predictable substitutions like '@' instead of 'a' don't help very much" (code <c>l33t</c>).</summary>
    L33tSubstitutions = 13,
}
