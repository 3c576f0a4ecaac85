namespace SecurityKit.Passwords.Strength;

/// <summary>Estimates how guessable a password is.</summary>
public interface IPasswordStrengthEstimator
{
    /// <summary>Estimates the strength of <paramref name="password"/>.</summary>
    /// <param name="password">The password. Only its first <see cref="PasswordStrengthOptions.MaxEstimatedLength"/> UTF-16 code units are estimated.</param>
    /// <param name="userInputs">Words the user or the site is known by (e-mail, name, user name, application name), which make a password containing them weaker. May be null.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is null.</exception>
    PasswordStrength Estimate(string password, IEnumerable<string?>? userInputs = null);
}
