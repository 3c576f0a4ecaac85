namespace SecurityKit.Passwords.Strength;

/// <summary>Decides whether a new password is acceptable, and says why not.</summary>
public interface IPasswordPolicy
{
    /// <summary>Applies every offline rule: length, characters, blocklist, context words, composition (if enabled), zxcvbn score.</summary>
    /// <param name="password">The candidate password.</param>
    /// <param name="context">What is known about the user; null for none.</param>
    /// <returns>The verdict with every failed rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is null.</exception>
    PasswordPolicyResult Evaluate(string password, PasswordPolicyContext? context = null);

    /// <summary>Applies every rule of <see cref="Evaluate"/> and, if enabled, the breached-password check (only for a
    /// password every other rule accepts: a rejected one is not sent to the breach service).</summary>
    /// <param name="password">The candidate password.</param>
    /// <param name="context">What is known about the user; null for none.</param>
    /// <param name="cancellationToken">Cancels the breach check.</param>
    /// <returns>The verdict with every failed rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is null.</exception>
    ValueTask<PasswordPolicyResult> EvaluateAsync(string password, PasswordPolicyContext? context = null, CancellationToken cancellationToken = default);
}
