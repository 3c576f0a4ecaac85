namespace SecurityKit.Passwords.Strength;

/// <summary>A generated password or passphrase and its entropy. Immutable, so thread-safe.</summary>
/// <remarks><b>Security:</b> <see cref="ToString"/> does not reveal <see cref="Value"/>; do not log <see cref="Value"/>.</remarks>
public sealed class GeneratedPassword
{
    internal GeneratedPassword(string value, double entropyBits)
    {
        Value = value;
        EntropyBits = entropyBits;
    }

    /// <summary>Gets the generated password.</summary>
    public string Value { get; }

    /// <summary>
    /// Gets the entropy in bits: log2 of the number of equally likely outputs of the generator with these
    /// settings (exact, including the effect of guaranteed character classes).
    /// </summary>
    public double EntropyBits { get; }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"generated password ({EntropyBits:F1} bits)");
}
