namespace SecurityKit.Passwords.Strength;

/// <summary>Checks whether a password appears in a corpus of breached passwords.</summary>
public interface IBreachedPasswordChecker
{
    /// <summary>Checks <paramref name="password"/> against the breach corpus.</summary>
    /// <param name="password">The password; implementations must never send or log it in clear.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The outcome; an unreachable service is a result (<see cref="BreachCheckStatus.Unavailable"/>), not an exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<BreachCheckResult> CheckAsync(string password, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of a breach check. The zero value, <see cref="Unavailable"/>, is the one that proves nothing.</summary>
public enum BreachCheckStatus
{
    /// <summary>The check could not be made (service down, timeout, malformed response).</summary>
    Unavailable = 0,

    /// <summary>The password was not found, or fewer times than the threshold.</summary>
    NotBreached = 1,

    /// <summary>The password was found at least the threshold number of times.</summary>
    Breached = 2,
}

/// <summary>What to do when the breach check cannot be made. The zero value is the safe one.</summary>
public enum BreachCheckFailureMode
{
    /// <summary>Reject the password (<see cref="PasswordRuleCode.BreachCheckUnavailable"/>): no password is accepted unchecked.</summary>
    FailClosed = 0,

    /// <summary>Accept the password as if not breached (and publish a warning event): availability over the check.</summary>
    FailOpen = 1,
}

/// <summary>The result of <see cref="IBreachedPasswordChecker.CheckAsync"/>.</summary>
/// <param name="Status">Found, not found, or unavailable.</param>
/// <param name="Count">How often the corpus contains the password (0 if not found or unavailable).</param>
/// <param name="IsRejected">Whether the password must be rejected: breached, or unavailable with <see cref="BreachCheckFailureMode.FailClosed"/>.</param>
/// <remarks><see cref="ToString"/> shows the count's order of magnitude only: for a common password the exact count
/// nearly names it in the public HIBP data, and results end up in logs.</remarks>
public readonly record struct BreachCheckResult(BreachCheckStatus Status, long Count, bool IsRejected)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"BreachCheckResult {{ Status = {Status}, CountAtLeast = {(Count > 0 ? HaveIBeenPwnedPasswordChecker.CountMagnitude(Count) : 0)}, IsRejected = {IsRejected} }}");
}
