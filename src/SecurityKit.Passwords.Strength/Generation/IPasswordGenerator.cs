namespace SecurityKit.Passwords.Strength;

/// <summary>Generates random passwords and passphrases from a cryptographically secure source.</summary>
public interface IPasswordGenerator
{
    /// <summary>Generates a random password.</summary>
    /// <param name="options">The shape; null for the defaults (20 characters, every class).</param>
    /// <returns>The password and its entropy.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    GeneratedPassword GeneratePassword(RandomPasswordOptions? options = null);

    /// <summary>Generates a passphrase from the embedded EFF large word list.</summary>
    /// <param name="options">The shape; null for the defaults (6 words, hyphens).</param>
    /// <returns>The passphrase and its entropy.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    GeneratedPassword GeneratePassphrase(PassphraseOptions? options = null);
}
