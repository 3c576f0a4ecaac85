namespace SecurityKit.RateLimiting.Login;

/// <summary>Options of <see cref="LoginProtector"/> (<c>AddLoginProtection</c>).</summary>
/// <remarks>
/// With the defaults an account (and, separately, each account + device or account + IP pair) accepts 5
/// failures freely, then requires 1 s, 2 s, 4 s, 8 s, 16 s between attempts ("delay required"), is
/// temporarily locked from the 10th failure for 32 s, doubling up to 1 hour, and stops accepting attempts
/// at 100 consecutive failures (NIST SP 800-63B) until 24 hours pass without an attempt — or, with
/// <see cref="PermanentLockout"/>, until <see cref="LoginProtector.UnlockAsync(string, System.Threading.CancellationToken)"/>.
/// A success resets the counters the attempt went through (a trusted device's success below the lockout threshold resets
/// only its device counter). Rotating the <c>rate-limit-keys</c> key starts every counter afresh, permanent locks included.
/// </remarks>
public sealed class LoginProtectionOptions
{
    /// <summary>A copy, so a service is not changed (past its validation) by later changes to the host's instance.</summary>
    internal LoginProtectionOptions Clone() => (LoginProtectionOptions)MemberwiseClone();

    /// <summary>NIST SP 800-63B's ceiling on consecutive failed attempts per account.</summary>
    public const int NistMaxConsecutiveFailures = 100;

    /// <summary>Gets or sets the consecutive failures accepted without delay.</summary>
    /// <value>The default value is 5.</value>
    public int FreeAttempts { get; set; } = 5;

    /// <summary>Gets or sets the delay required after the first non-free failure; it doubles with each further failure.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the number of consecutive failures from which a refusal is reported as <see cref="LoginAttemptStatus.Locked"/> (and <see cref="RateLimitingEventNames.Locked"/> is published) rather than <see cref="LoginAttemptStatus.Throttled"/>.</summary>
    /// <value>The default value is 10.</value>
    public int LockoutThreshold { get; set; } = 10;

    /// <summary>Gets or sets the longest temporary lock (the cap of the exponential backoff).</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan MaxLockoutDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the consecutive failures after which the account accepts no attempt until <see cref="FailureWindow"/> passes (or an unlock); at most 100.</summary>
    /// <value>The default value is 100.</value>
    public int MaxConsecutiveFailures { get; set; } = NistMaxConsecutiveFailures;

    /// <summary>Gets or sets how long failures are remembered after the last attempt.</summary>
    /// <value>The default value is 24 hours.</value>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets whether reaching <see cref="MaxConsecutiveFailures"/> locks the account until <see cref="LoginProtector.UnlockAsync(string, System.Threading.CancellationToken)"/>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks><b>Security:</b> a permanent lock can be triggered by anyone who knows the account name (from untrusted devices); pair it with a recovery flow.</remarks>
    public bool PermanentLockout { get; set; }

    /// <summary>Gets or sets the sign-in attempts one client IP address may make (across all accounts) per <see cref="IpWindow"/> before it is blocked. Attempts are charged before the credential check, so the limit holds under any concurrency; successful sign-ins count too (size it for NAT gateways).</summary>
    /// <value>The default value is 50.</value>
    public int IpFailureLimit { get; set; } = 50;

    /// <summary>Gets or sets the sign-in attempts one IPv6 /64 network may make per <see cref="IpWindow"/> before it is blocked (charged before the credential check, like <see cref="IpFailureLimit"/>).</summary>
    /// <value>The default value is 200.</value>
    public int NetworkFailureLimit { get; set; } = 200;

    /// <summary>Gets or sets the sign-in attempts one IPv6 /48 network may make per <see cref="IpWindow"/> before it is
    /// blocked (charged before the credential check, like <see cref="NetworkFailureLimit"/>): one site's allocation holds
    /// 65,536 /64 networks, so the /64 bucket alone let a /48 (a free tunnel broker gives one) make that many times
    /// <see cref="NetworkFailureLimit"/> attempts.</summary>
    /// <value>The default value is 1000; at least <see cref="NetworkFailureLimit"/>, at most 10,000,000.</value>
    public int WideNetworkFailureLimit { get; set; } = 1000;

    /// <summary>Gets or sets the window of <see cref="IpFailureLimit"/>, <see cref="NetworkFailureLimit"/> and <see cref="WideNetworkFailureLimit"/> (token buckets refilled evenly over it; at most one permit per microsecond).</summary>
    /// <value>The default value is 15 minutes.</value>
    public TimeSpan IpWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets what happens when the store fails or times out.</summary>
    /// <value>The default value is <see cref="StoreFailurePolicy.FallbackToMemory"/>.</value>
    public StoreFailurePolicy FailurePolicy { get; set; } = StoreFailurePolicy.FallbackToMemory;

    /// <summary>Gets or sets the factor applied by the in-memory fallback to free attempts, the consecutive-failure hard stop
    /// (at least one more than the fallback's free attempts) and IP limits, in (0, 1].</summary>
    /// <value>The default value is 0.5.</value>
    public double FallbackLimitFactor { get; set; } = 0.5;

    /// <summary>Gets or sets the longest accepted account identifier, in characters after trimming.</summary>
    /// <value>The default value is 256.</value>
    public int MaxAccountIdLength { get; set; } = 256;

    /// <summary>Gets or sets how long a token from <see cref="LoginProtector.IssueTrustedDeviceToken"/> is accepted after it
    /// was issued (reissue it at each successful sign-in to keep a device trusted while it is used).</summary>
    /// <value>The default value is 90 days; 1 hour to 366 days.</value>
    public TimeSpan TrustedDeviceLifetime { get; set; } = TimeSpan.FromDays(90);
}
