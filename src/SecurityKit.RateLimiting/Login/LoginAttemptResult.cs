namespace SecurityKit.RateLimiting.Login;

/// <summary>What happened to a sign-in attempt. The zero value is <see cref="Failed"/>.</summary>
public enum LoginAttemptStatus
{
    /// <summary>The credentials were checked and are wrong (or the account is unknown).</summary>
    Failed = 0,

    /// <summary>The credentials were checked and are right; the account's counters were reset.</summary>
    Succeeded = 1,

    /// <summary>Refused without checking the credentials: a delay is required after recent failures.</summary>
    Throttled = 2,

    /// <summary>Refused without checking the credentials: the account (or account + device) is temporarily or permanently locked.</summary>
    Locked = 3,

    /// <summary>Refused without checking the credentials: the client IP address, its IPv6 /64 or its IPv6 /48 network is blocked.</summary>
    IpBlocked = 4,

    /// <summary>Refused: the account identifier is empty or too long.</summary>
    InvalidInput = 5,

    /// <summary>Refused: the store is unavailable and the failure policy is fail-closed.</summary>
    Unavailable = 6,
}

/// <summary>
/// The outcome of <see cref="LoginProtector.AttemptAsync"/>: the same shape for wrong passwords, throttling and locks.
/// </summary>
/// <param name="Status">What happened; for logs and metrics, not for the client.</param>
/// <param name="RetryAfter">How long the client should wait before the next attempt (also after a wrong password once delays apply); <see cref="TimeSpan.MaxValue"/> for a permanent lock.</param>
/// <remarks>
/// <b>Security:</b> answer every non-success with the same message ("wrong account or password, try again in …") and
/// the same status code, and call <see cref="LoginProtector.AttemptAsync"/> for unknown accounts as well: refusals then
/// depend only on the attempts the caller made, so they reveal nothing about whether an account exists.
/// </remarks>
public readonly record struct LoginAttemptResult(LoginAttemptStatus Status, TimeSpan RetryAfter)
{
    /// <summary>Gets whether the sign-in succeeded.</summary>
    public bool Succeeded => Status == LoginAttemptStatus.Succeeded;

    /// <summary>Gets whether the credentials were checked (<see cref="LoginAttemptStatus.Succeeded"/> or <see cref="LoginAttemptStatus.Failed"/>).</summary>
    public bool CredentialsChecked => Status is LoginAttemptStatus.Succeeded or LoginAttemptStatus.Failed;

    /// <summary>Gets whether a failure policy decided part of the outcome because the store was unavailable.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IsDegraded { get; init; }
}
