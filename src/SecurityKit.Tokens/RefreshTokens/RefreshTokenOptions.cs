namespace SecurityKit.Tokens.RefreshTokens;

/// <summary>Lifetimes of refresh-token families.</summary>
public sealed class RefreshTokenOptions
{
    /// <summary>The longest accepted grace window.</summary>
    public static readonly TimeSpan MaximumGraceWindow = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how long a family (a sign-in) lives whatever its use.</summary>
    /// <value>The default value is 30 days; 5 minutes to 400 days.</value>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Gets or sets how long a family may go unused before it expires.</summary>
    /// <value>The default value is 7 days; 1 minute to <see cref="AbsoluteLifetime"/>.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Gets or sets how long after a rotation the immediately preceding token still yields the same
    /// successor (concurrent requests from one client), instead of being treated as reuse.
    /// </summary>
    /// <value>The default value is 10 seconds; 0 (no grace) to 2 minutes.</value>
    /// <remarks><b>Security:</b> within the window a thief holding the previous token gets the same successor as the client; keep it short.</remarks>
    public TimeSpan GraceWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how many active families (signed-in devices) one user may have; a sign-in beyond it revokes
    /// that user's least recently used families.</summary>
    /// <value>The default value is 100; 1 to 10 000.</value>
    /// <remarks>Without a cap one account signing in over and over filled the in-memory store (whose eviction then
    /// signed other users out) or grew its Redis index until listing and "sign out everywhere" timed out.</remarks>
    public int MaxFamiliesPerUser { get; set; } = 100;

    internal List<string> Validate(string prefix)
    {
        var errors = new List<string>();
        if (AbsoluteLifetime < TimeSpan.FromMinutes(5) || AbsoluteLifetime > TimeSpan.FromDays(400))
        {
            errors.Add($"{prefix}AbsoluteLifetime must be between 5 minutes and 400 days (default 30 days).");
        }

        if (IdleTimeout < TimeSpan.FromMinutes(1) || IdleTimeout > AbsoluteLifetime)
        {
            errors.Add($"{prefix}IdleTimeout must be between 1 minute and AbsoluteLifetime (default 7 days).");
        }

        if (GraceWindow < TimeSpan.Zero || GraceWindow > MaximumGraceWindow)
        {
            errors.Add($"{prefix}GraceWindow must be between 0 and 2 minutes (default 10 seconds).");
        }

        if (MaxFamiliesPerUser is < 1 or > 10_000)
        {
            errors.Add($"{prefix}MaxFamiliesPerUser must be between 1 and 10,000 (default 100).");
        }

        return errors;
    }
}
