namespace SecurityKit.Passwords.Strength;

/// <summary>
/// The verdict of a password policy: acceptable or not, every failed rule, and the strength estimate.
/// Immutable, so thread-safe.
/// </summary>
/// <remarks><b>Security:</b> contains no part of the password; <see cref="ToString"/> is safe to log.</remarks>
public sealed class PasswordPolicyResult
{
    internal PasswordPolicyResult(IReadOnlyList<PasswordRuleFailure> failures, int length, PasswordStrength strength, long? breachCount)
    {
        Failures = failures;
        Length = length;
        Strength = strength;
        BreachCount = breachCount;
    }

    /// <summary>Gets whether every rule passed.</summary>
    public bool IsAcceptable => Failures.Count == 0;

    /// <summary>Gets every failed rule, in rule order (length, characters, blocklist, context, composition, score, breach).</summary>
    public IReadOnlyList<PasswordRuleFailure> Failures { get; }

    /// <summary>Gets the length in Unicode code points (what the length rules count).</summary>
    public int Length { get; }

    /// <summary>Gets the zxcvbn 4.4.2-compatible strength estimate (with the context words as user inputs).</summary>
    public PasswordStrength Strength { get; }

    /// <summary>Gets the zxcvbn score, 0 to 4.</summary>
    public int Score => Strength.Score;

    /// <summary>Gets the estimated guesses.</summary>
    public double Guesses => Strength.Guesses;

    /// <summary>Gets how often the password appears in the breach corpus, or null when no breach check was made or it failed.</summary>
    public long? BreachCount { get; }

    /// <summary>Returns whether a rule with <paramref name="code"/> failed.</summary>
    /// <param name="code">The rule code.</param>
    /// <returns>True if that rule failed.</returns>
    public bool HasFailure(PasswordRuleCode code) => Failures.Any(f => f.Code == code);

    /// <inheritdoc />
    public override string ToString() => IsAcceptable
        ? $"acceptable (score {Score})"
        : $"rejected (score {Score}): {string.Join(", ", Failures.Select(f => f.CodeName))}";
}
