namespace SecurityKit.Passwords.Strength.Estimation;

/// <summary>The kinds of pattern the zxcvbn 4.4.2 model recognises.</summary>
internal enum PatternKind
{
    Dictionary,
    Spatial,
    Repeat,
    Sequence,
    Regex,
    Date,
    Bruteforce,
}

/// <summary>
/// One candidate pattern over <c>password[I..J]</c> (inclusive, UTF-16 indices as in zxcvbn).
/// Only the fields of its <see cref="Kind"/> are meaningful. Not thread-safe; lives for one estimate.
/// </summary>
internal sealed class ZxcvbnMatch
{
    public PatternKind Kind;
    public int I;
    public int J;
    public string Token = string.Empty;

    // dictionary
    public string MatchedWord = string.Empty;
    public int Rank;

    // zxcvbn's word lists are JavaScript objects: "constructor" and "__proto__" are found in every list through the
    // object prototype, with a rank that is not a number, so their guesses are NaN. Reproduced, not fixed.
    public bool PrototypeRank;
    public DictionaryKind Dictionary;
    public bool Reversed;
    public bool L33t;
    public (char Subbed, char Letter)[]? Substitutions;

    // spatial
    public int Graph;
    public int Turns;
    public int ShiftedCount;

    // repeat
    public string BaseToken = string.Empty;
    public double BaseGuesses;
    public ZxcvbnMatch[]? BaseMatches;
    public double RepeatCount;

    // sequence
    public bool Ascending;

    // regex (recent_year) and date
    public int Year;
    public int Month;
    public int Day;
    public bool HasSeparator;

    // scoring cache, as zxcvbn caches it on the match
    public double Guesses = double.NaN;
    public double GuessesLog10;

    public int Length => J - I + 1;
}

/// <summary>The ranked dictionaries, in zxcvbn's iteration order (the order breaks ties).</summary>
internal enum DictionaryKind
{
    Passwords,
    EnglishWikipedia,
    FemaleNames,
    Surnames,
    UsTvAndFilm,
    MaleNames,
    UserInputs,
}
