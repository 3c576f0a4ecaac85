namespace SecurityKit.Passwords.Strength;

/// <summary>Options of <see cref="ZxcvbnPasswordStrengthEstimator"/>.</summary>
public sealed class PasswordStrengthOptions
{
    /// <summary>The default <see cref="MaxEstimatedLength"/>.</summary>
    public const int DefaultMaxEstimatedLength = 128;

    /// <summary>The smallest accepted <see cref="MaxEstimatedLength"/>.</summary>
    public const int MinimumMaxEstimatedLength = 64;

    /// <summary>The largest accepted <see cref="MaxEstimatedLength"/>.</summary>
    public const int MaximumMaxEstimatedLength = 256;

    /// <summary>
    /// Gets or sets how many UTF-16 code units of a password are estimated; a longer password is estimated on
    /// this prefix (never splitting a surrogate pair) and flagged <see cref="PasswordStrength.IsTruncated"/>.
    /// Below the cap the estimate is exactly zxcvbn 4.4.2's. The cost of zxcvbn's model grows with the
    /// cube of the length in the worst case, so the cap bounds time and memory. 64 to 256.
    /// </summary>
    /// <value>The default value is 128.</value>
    public int MaxEstimatedLength { get; set; } = DefaultMaxEstimatedLength;

    /// <summary>Gets or sets how many user inputs are used; further ones are ignored.</summary>
    /// <value>The default value is 64.</value>
    public int MaxUserInputs { get; set; } = 64;

    /// <summary>
    /// Gets or sets the year dates and recent years are compared with. Null uses the current local year of
    /// the <see cref="TimeProvider"/>, as zxcvbn does in the browser.
    /// </summary>
    /// <value>The default value is null.</value>
    public int? ReferenceYear { get; set; }

    /// <summary>Copies every setting.</summary>
    /// <returns>The copy.</returns>
    internal PasswordStrengthOptions Clone() => (PasswordStrengthOptions)MemberwiseClone();
}
