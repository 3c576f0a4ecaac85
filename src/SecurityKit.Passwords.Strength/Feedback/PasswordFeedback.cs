namespace SecurityKit.Passwords.Strength;

/// <summary>
/// What to tell the user about a password: one warning and zero or more suggestions, chosen exactly as
/// zxcvbn 4.4.2 chooses them (empty when the score is 3 or 4). Immutable, so thread-safe.
/// </summary>
public sealed class PasswordFeedback
{
    internal static readonly PasswordFeedback Empty = new(PasswordWarning.None, []);

    internal static readonly PasswordFeedback Default =
        new(PasswordWarning.None, [PasswordSuggestion.UseWords, PasswordSuggestion.NoNeedForMixedCharacters]);

    /// <summary>Initializes a new instance of the <see cref="PasswordFeedback"/> class.</summary>
    /// <param name="warning">The warning.</param>
    /// <param name="suggestions">The suggestions, in display order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="suggestions"/> is null.</exception>
    public PasswordFeedback(PasswordWarning warning, IReadOnlyList<PasswordSuggestion> suggestions)
    {
        ArgumentNullException.ThrowIfNull(suggestions);
        Warning = warning;
        Suggestions = suggestions;
    }

    /// <summary>Gets the warning, <see cref="PasswordWarning.None"/> if there is none.</summary>
    public PasswordWarning Warning { get; }

    /// <summary>Gets the suggestions, in zxcvbn's display order.</summary>
    public IReadOnlyList<PasswordSuggestion> Suggestions { get; }

    /// <summary>Gets the English text of <see cref="Warning"/> (zxcvbn's wording; <c>""</c> if none).</summary>
    public string WarningText => PasswordFeedbackText.GetText(Warning);

    /// <summary>Gets the English texts of <see cref="Suggestions"/> (zxcvbn's wording).</summary>
    public IReadOnlyList<string> SuggestionTexts => Suggestions.Select(PasswordFeedbackText.GetText).ToArray();

    /// <inheritdoc />
    public override string ToString() =>
        $"{PasswordFeedbackText.GetCode(Warning)} [{string.Join(", ", Suggestions.Select(PasswordFeedbackText.GetCode))}]";
}
