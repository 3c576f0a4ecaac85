namespace SecurityKit.Passwords.Strength.Estimation;

/// <summary>zxcvbn 4.4.2's choice of warning and suggestions for a scored match sequence. Stateless.</summary>
internal static class ZxcvbnFeedback
{
    public static PasswordFeedback Get(int score, ZxcvbnMatch[] sequence)
    {
        if (sequence.Length == 0)
        {
            return PasswordFeedback.Default;
        }

        if (score > 2)
        {
            return PasswordFeedback.Empty;
        }

        var longest = sequence[0];
        for (var k = 1; k < sequence.Length; k++)
        {
            if (sequence[k].Token.Length > longest.Token.Length)
            {
                longest = sequence[k];
            }
        }

        var suggestions = new List<PasswordSuggestion>(4) { PasswordSuggestion.AddAnotherWord };
        var warning = ForMatch(longest, sequence.Length == 1, suggestions);
        return new PasswordFeedback(warning, suggestions);
    }

    private static PasswordWarning ForMatch(ZxcvbnMatch match, bool isSoleMatch, List<PasswordSuggestion> suggestions)
    {
        switch (match.Kind)
        {
            case PatternKind.Dictionary:
                return ForDictionary(match, isSoleMatch, suggestions);
            case PatternKind.Spatial:
                suggestions.Add(PasswordSuggestion.LongerKeyboardPattern);
                return match.Turns == 1 ? PasswordWarning.StraightRow : PasswordWarning.KeyboardPattern;
            case PatternKind.Repeat:
                suggestions.Add(PasswordSuggestion.AvoidRepeats);
                return match.BaseToken.Length == 1 ? PasswordWarning.SimpleRepeat : PasswordWarning.ExtendedRepeat;
            case PatternKind.Sequence:
                suggestions.Add(PasswordSuggestion.AvoidSequences);
                return PasswordWarning.Sequence;
            case PatternKind.Regex:
                suggestions.Add(PasswordSuggestion.AvoidRecentYears);
                suggestions.Add(PasswordSuggestion.AvoidAssociatedYears);
                return PasswordWarning.RecentYear;
            case PatternKind.Date:
                suggestions.Add(PasswordSuggestion.AvoidAssociatedDates);
                return PasswordWarning.Date;
            default:
                return PasswordWarning.None;
        }
    }

    private static PasswordWarning ForDictionary(ZxcvbnMatch match, bool isSoleMatch, List<PasswordSuggestion> suggestions)
    {
        var warning = match.Dictionary switch
        {
            DictionaryKind.Passwords when isSoleMatch && !match.L33t && !match.Reversed =>
                !match.PrototypeRank && match.Rank <= 10 ? PasswordWarning.TopTenPassword
                : !match.PrototypeRank && match.Rank <= 100 ? PasswordWarning.TopHundredPassword
                : PasswordWarning.CommonPassword,
            DictionaryKind.Passwords => match.GuessesLog10 <= 4 ? PasswordWarning.SimilarToCommonPassword : PasswordWarning.None,
            DictionaryKind.EnglishWikipedia => isSoleMatch ? PasswordWarning.WordByItself : PasswordWarning.None,
            DictionaryKind.Surnames or DictionaryKind.MaleNames or DictionaryKind.FemaleNames =>
                isSoleMatch ? PasswordWarning.NamesByThemselves : PasswordWarning.CommonNames,
            _ => PasswordWarning.None,
        };

        var word = match.Token;
        if (ZxcvbnScoring.IsStartUpper(word))
        {
            suggestions.Add(PasswordSuggestion.Capitalization);
        }
        else if (ZxcvbnScoring.IsAllUpper(word) && ZxcvbnMatcher.LowerJs(word) != word)
        {
            suggestions.Add(PasswordSuggestion.AllUppercase);
        }

        if (match.Reversed && word.Length >= 4)
        {
            suggestions.Add(PasswordSuggestion.ReversedWords);
        }

        if (match.L33t)
        {
            suggestions.Add(PasswordSuggestion.L33tSubstitutions);
        }

        return warning;
    }
}
