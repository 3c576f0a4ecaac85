namespace SecurityKit.Passwords.Strength;

/// <summary>
/// Stable string codes and the English (zxcvbn 4.4.2) texts of <see cref="PasswordWarning"/> and
/// <see cref="PasswordSuggestion"/>. Localise by mapping the codes to your own resources. Thread-safe.
/// </summary>
public static class PasswordFeedbackText
{
    /// <summary>Gets the stable code of a warning (<c>""</c> for <see cref="PasswordWarning.None"/>).</summary>
    /// <param name="warning">The warning.</param>
    /// <returns>A lower-case snake_case code such as <c>straight_row</c>.</returns>
    public static string GetCode(PasswordWarning warning) => warning switch
    {
        PasswordWarning.None => string.Empty,
        PasswordWarning.StraightRow => "straight_row",
        PasswordWarning.KeyboardPattern => "keyboard_pattern",
        PasswordWarning.SimpleRepeat => "simple_repeat",
        PasswordWarning.ExtendedRepeat => "extended_repeat",
        PasswordWarning.Sequence => "sequence",
        PasswordWarning.RecentYear => "recent_year",
        PasswordWarning.Date => "date",
        PasswordWarning.TopTenPassword => "top_10_password",
        PasswordWarning.TopHundredPassword => "top_100_password",
        PasswordWarning.CommonPassword => "common_password",
        PasswordWarning.SimilarToCommonPassword => "similar_to_common_password",
        PasswordWarning.WordByItself => "word_by_itself",
        PasswordWarning.NamesByThemselves => "names_by_themselves",
        PasswordWarning.CommonNames => "common_names",
        _ => throw new ArgumentOutOfRangeException(nameof(warning)),
    };

    /// <summary>Gets zxcvbn 4.4.2's English text of a warning (<c>""</c> for <see cref="PasswordWarning.None"/>).</summary>
    /// <param name="warning">The warning.</param>
    /// <returns>The English text, identical to zxcvbn's.</returns>
    public static string GetText(PasswordWarning warning) => warning switch
    {
        PasswordWarning.None => string.Empty,
        PasswordWarning.StraightRow => "Straight rows of keys are easy to guess",
        PasswordWarning.KeyboardPattern => "Short keyboard patterns are easy to guess",
        PasswordWarning.SimpleRepeat => "Repeats like \"aaa\" are easy to guess",
        PasswordWarning.ExtendedRepeat => "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\"",
        PasswordWarning.Sequence => "Sequences like abc or 6543 are easy to guess",
        PasswordWarning.RecentYear => "Recent years are easy to guess",
        PasswordWarning.Date => "Dates are often easy to guess",
        PasswordWarning.TopTenPassword => "This is a top-10 common password",
        PasswordWarning.TopHundredPassword => "This is a top-100 common password",
        PasswordWarning.CommonPassword => "This is a very common password",
        PasswordWarning.SimilarToCommonPassword => "This is similar to a commonly used password",
        PasswordWarning.WordByItself => "A word by itself is easy to guess",
        PasswordWarning.NamesByThemselves => "Names and surnames by themselves are easy to guess",
        PasswordWarning.CommonNames => "Common names and surnames are easy to guess",
        _ => throw new ArgumentOutOfRangeException(nameof(warning)),
    };

    /// <summary>Gets the stable code of a suggestion.</summary>
    /// <param name="suggestion">The suggestion.</param>
    /// <returns>A lower-case snake_case code such as <c>add_another_word</c>.</returns>
    public static string GetCode(PasswordSuggestion suggestion) => suggestion switch
    {
        PasswordSuggestion.UseWords => "use_words",
        PasswordSuggestion.NoNeedForMixedCharacters => "no_need_for_mixed_chars",
        PasswordSuggestion.AddAnotherWord => "add_another_word",
        PasswordSuggestion.LongerKeyboardPattern => "longer_keyboard_pattern",
        PasswordSuggestion.AvoidRepeats => "avoid_repeats",
        PasswordSuggestion.AvoidSequences => "avoid_sequences",
        PasswordSuggestion.AvoidRecentYears => "avoid_recent_years",
        PasswordSuggestion.AvoidAssociatedYears => "avoid_associated_years",
        PasswordSuggestion.AvoidAssociatedDates => "avoid_associated_dates",
        PasswordSuggestion.Capitalization => "capitalization",
        PasswordSuggestion.AllUppercase => "all_uppercase",
        PasswordSuggestion.ReversedWords => "reversed_words",
        PasswordSuggestion.L33tSubstitutions => "l33t",
        _ => throw new ArgumentOutOfRangeException(nameof(suggestion)),
    };

    /// <summary>Gets zxcvbn 4.4.2's English text of a suggestion.</summary>
    /// <param name="suggestion">The suggestion.</param>
    /// <returns>The English text, identical to zxcvbn's.</returns>
    public static string GetText(PasswordSuggestion suggestion) => suggestion switch
    {
        PasswordSuggestion.UseWords => "Use a few words, avoid common phrases",
        PasswordSuggestion.NoNeedForMixedCharacters => "No need for symbols, digits, or uppercase letters",
        PasswordSuggestion.AddAnotherWord => "Add another word or two. Uncommon words are better.",
        PasswordSuggestion.LongerKeyboardPattern => "Use a longer keyboard pattern with more turns",
        PasswordSuggestion.AvoidRepeats => "Avoid repeated words and characters",
        PasswordSuggestion.AvoidSequences => "Avoid sequences",
        PasswordSuggestion.AvoidRecentYears => "Avoid recent years",
        PasswordSuggestion.AvoidAssociatedYears => "Avoid years that are associated with you",
        PasswordSuggestion.AvoidAssociatedDates => "Avoid dates and years that are associated with you",
        PasswordSuggestion.Capitalization => "Capitalization doesn't help very much",
        PasswordSuggestion.AllUppercase => "All-uppercase is almost as easy to guess as all-lowercase",
        PasswordSuggestion.ReversedWords => "Reversed words aren't much harder to guess",
        PasswordSuggestion.L33tSubstitutions => "Predictable substitutions like '@' instead of 'a' don't help very much",
        _ => throw new ArgumentOutOfRangeException(nameof(suggestion)),
    };
}
