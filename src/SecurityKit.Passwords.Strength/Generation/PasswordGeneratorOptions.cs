namespace SecurityKit.Passwords.Strength;

/// <summary>What a random password looks like. Validated on each call.</summary>
public sealed class RandomPasswordOptions
{
    /// <summary>The smallest accepted <see cref="Length"/>.</summary>
    public const int MinimumLength = 4;

    /// <summary>The largest accepted <see cref="Length"/>.</summary>
    public const int MaximumLength = 1024;

    /// <summary>Gets or sets the length in characters, 4 to 1024.</summary>
    /// <value>The default value is 20 (about 124.8 bits over the 76 default characters with every class).</value>
    public int Length { get; set; } = 20;

    /// <summary>Gets or sets whether lower-case ASCII letters are used.</summary>
    /// <value>The default value is true.</value>
    public bool Lowercase { get; set; } = true;

    /// <summary>Gets or sets whether upper-case ASCII letters are used.</summary>
    /// <value>The default value is true.</value>
    public bool Uppercase { get; set; } = true;

    /// <summary>Gets or sets whether digits are used.</summary>
    /// <value>The default value is true.</value>
    public bool Digits { get; set; } = true;

    /// <summary>Gets or sets whether symbols (<see cref="SymbolSet"/>) are used.</summary>
    /// <value>The default value is true.</value>
    public bool Symbols { get; set; } = true;

    /// <summary>Gets or sets the symbols used when <see cref="Symbols"/> is on: distinct printable ASCII non-alphanumerics.</summary>
    /// <value>The default value is <c>!#$%&amp;*+-=?@^_~</c>.</value>
    public string SymbolSet { get; set; } = "!#$%&*+-=?@^_~";

    /// <summary>Gets or sets whether every selected class appears at least once (the output is uniform over such passwords).</summary>
    /// <value>The default value is true.</value>
    public bool RequireEveryClass { get; set; } = true;

    /// <summary>Gets or sets whether look-alike characters (0 O o 1 l I |) are left out.</summary>
    /// <value>The default value is false.</value>
    public bool ExcludeAmbiguous { get; set; }
}

/// <summary>What a passphrase looks like. Validated on each call.</summary>
public sealed class PassphraseOptions
{
    /// <summary>The smallest accepted <see cref="WordCount"/>.</summary>
    public const int MinimumWordCount = 3;

    /// <summary>The largest accepted <see cref="WordCount"/>.</summary>
    public const int MaximumWordCount = 40;

    /// <summary>Gets or sets how many words, drawn uniformly from the EFF large word list (7,776 words, 12.9 bits each), 3 to 40.</summary>
    /// <value>The default value is 6 (77.5 bits).</value>
    public int WordCount { get; set; } = 6;

    /// <summary>Gets or sets the separator between words (at most 8 characters).</summary>
    /// <value>The default value is <c>"-"</c>.</value>
    public string Separator { get; set; } = "-";

    /// <summary>Gets or sets whether each word starts with a capital (adds no entropy).</summary>
    /// <value>The default value is false.</value>
    public bool Capitalize { get; set; }

    /// <summary>Gets or sets whether a random digit is appended to one random word (adds log2(10 × WordCount) bits).</summary>
    /// <value>The default value is false.</value>
    public bool IncludeDigit { get; set; }
}
