namespace SecurityKit.Passwords.Strength;

/// <summary>The kinds of pattern a strength estimate is made of (zxcvbn 4.4.2's match patterns).</summary>
public enum PasswordPattern
{
    /// <summary>Characters no pattern explains, costed as 10 guesses per character.</summary>
    Bruteforce = 0,

    /// <summary>A word of a ranked dictionary (common passwords, English words, names, TV and film, user inputs), possibly reversed or with l33t substitutions.</summary>
    Dictionary = 1,

    /// <summary>A walk on a keyboard layout (qwerty, dvorak) or keypad.</summary>
    Spatial = 2,

    /// <summary>A repeated character or string.</summary>
    Repeat = 3,

    /// <summary>A sequence of evenly spaced characters such as <c>abc</c> or <c>9753</c>.</summary>
    Sequence = 4,

    /// <summary>A recent year (1900–2019, zxcvbn's pattern).</summary>
    RecentYear = 5,

    /// <summary>A date, with or without separators.</summary>
    Date = 6,
}

/// <summary>
/// One part of the cheapest explanation of a password. Carries positions, never the characters.
/// </summary>
/// <param name="Pattern">The pattern kind.</param>
/// <param name="Start">The index of the first UTF-16 code unit covered.</param>
/// <param name="Length">The number of UTF-16 code units covered.</param>
/// <param name="Guesses">zxcvbn's guess estimate for this part alone. Sensitive: for a dictionary match it is the word's
/// rank in its list, which names the word.</param>
public readonly record struct PasswordStrengthMatch(PasswordPattern Pattern, int Start, int Length, double Guesses)
{
    /// <summary>Returns the pattern, position and the guesses rounded to a whole power of ten.</summary>
    /// <returns>A description safe to log (the compiler-generated one printed the exact guesses, i.e. a dictionary rank).</returns>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Pattern} [{Start}, +{Length}], guesses ~10^{Math.Floor(Math.Log10(Math.Max(Guesses, 1))):F0}");
}

/// <summary>
/// A strength estimate compatible with zxcvbn 4.4.2: score, guesses, feedback and the match sequence.
/// Immutable, so thread-safe.
/// </summary>
/// <remarks>
/// <b>Security:</b> the estimate never contains the password or any part of it; <see cref="ToString"/>
/// is safe to log.
/// </remarks>
public sealed class PasswordStrength
{
    internal PasswordStrength(int score, double guesses, double guessesLog10, PasswordFeedback feedback,
        IReadOnlyList<PasswordStrengthMatch> sequence, int estimatedLength, bool isTruncated)
    {
        Score = score;
        Guesses = guesses;
        GuessesLog10 = guessesLog10;
        Feedback = feedback;
        Sequence = sequence;
        EstimatedLength = estimatedLength;
        IsTruncated = isTruncated;
    }

    /// <summary>Gets the score, 0 (too guessable) to 4 (very unguessable), with zxcvbn's thresholds of 10^3, 10^6, 10^8 and 10^10 guesses.</summary>
    public int Score { get; }

    /// <summary>Gets the estimated number of guesses an attacker needs.</summary>
    public double Guesses { get; }

    /// <summary>Gets the base-10 logarithm of <see cref="Guesses"/>.</summary>
    public double GuessesLog10 { get; }

    /// <summary>Gets the warning and suggestions (empty when the score is 3 or more).</summary>
    public PasswordFeedback Feedback { get; }

    /// <summary>Gets the cheapest match sequence that explains the (estimated part of the) password.</summary>
    public IReadOnlyList<PasswordStrengthMatch> Sequence { get; }

    /// <summary>Gets how many UTF-16 code units were estimated (at most the configured cap).</summary>
    public int EstimatedLength { get; }

    /// <summary>Gets whether the password was longer than the cap and only its prefix was estimated.</summary>
    public bool IsTruncated { get; }

    /// <summary>Gets the seconds an offline attack at 10^4 guesses per second (a slow hash) needs, as zxcvbn reports it.</summary>
    public double OfflineSlowHashingSeconds => Guesses / 1e4;

    /// <summary>Gets the seconds an online attack throttled to 100 guesses per hour needs, as zxcvbn reports it.</summary>
    public double OnlineThrottledSeconds => Guesses / (100.0 / 3600);

    /// <summary>Returns the score, the guesses rounded to a whole power of ten, and the feedback codes.</summary>
    /// <returns>A description safe to log.</returns>
    /// <remarks><b>Security:</b> the exact <see cref="Guesses"/> of a dictionary word is its rank in the list (so
    /// <c>10^0.48</c> means rank 2, "password"); only the rounded order of magnitude is printed here. Treat
    /// <see cref="Guesses"/>, <see cref="GuessesLog10"/> and the match sequence as sensitive.</remarks>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"score {Score}, guesses ~10^{Math.Floor(GuessesLog10):F0}, {Feedback}");
}
