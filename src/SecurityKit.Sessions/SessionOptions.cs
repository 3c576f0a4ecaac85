using Microsoft.Extensions.Options;
using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions;

/// <summary>Options of <see cref="SessionManager"/> (<c>builder.AddSessions(o => …)</c>).</summary>
public sealed class SessionOptions
{
    /// <summary>A copy, so a service is not changed (past its validation) by later changes to the host's instance.</summary>
    internal SessionOptions Clone() => (SessionOptions)MemberwiseClone();

    /// <summary>The largest accepted <see cref="MaxSessionsPerUser"/>.</summary>
    public const int MaxSessionsPerUserLimit = 1_000;

    /// <summary>Gets or sets how long a session may stay unused before it ends.</summary>
    /// <value>The default value is 30 minutes (1 minute to <see cref="AbsoluteLifetime"/>).</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Gets or sets how long a session lasts from sign-in whatever its use; rotation does not extend it.</summary>
    /// <value>The default value is 12 hours (at most 400 days).</value>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Gets or sets the smallest interval between two last-used writes of one session: a validation
    /// writes only when the recorded last-used time is at least this old. Idle expiry is therefore
    /// exact to within this interval (a session may end up to this much early, never late).
    /// </summary>
    /// <value>The default value is 1 minute (1 second to half of <see cref="IdleTimeout"/>).</value>
    public TimeSpan TouchInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets the most concurrent sessions of one user, or <see langword="null"/> for no policy (the store's own bound of 1 000 applies, evicting the oldest).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxSessionsPerUser { get; set; }

    /// <summary>Gets or sets what happens when <see cref="MaxSessionsPerUser"/> is reached.</summary>
    /// <value>The default value is <see cref="SessionLimitMode.EvictOldest"/>.</value>
    public SessionLimitMode LimitMode { get; set; } = SessionLimitMode.EvictOldest;

    /// <summary>Gets or sets the IPv4 prefix of the "IP changed" anomaly: a change inside this network is not reported.</summary>
    /// <value>The default value is 24 (8 to 32).</value>
    public int IPv4AnomalyPrefix { get; set; } = 24;

    /// <summary>Gets or sets the IPv6 prefix of the "IP changed" anomaly.</summary>
    /// <value>The default value is 64 (16 to 128).</value>
    public int IPv6AnomalyPrefix { get; set; } = 64;
}

/// <summary>Validates <see cref="SessionOptions"/> at startup.</summary>
internal sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options)
    {
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static List<string> Check(SessionOptions options)
    {
        var errors = new List<string>();
        if (options.AbsoluteLifetime <= TimeSpan.Zero || options.AbsoluteLifetime > TimeSpan.FromDays(400))
        {
            errors.Add("SessionOptions.AbsoluteLifetime must be positive and at most 400 days (e.g. TimeSpan.FromHours(12)).");
        }

        if (options.IdleTimeout < TimeSpan.FromMinutes(1) || options.IdleTimeout > options.AbsoluteLifetime)
        {
            errors.Add("SessionOptions.IdleTimeout must be at least 1 minute and at most AbsoluteLifetime (e.g. TimeSpan.FromMinutes(30)).");
        }

        if (options.TouchInterval < TimeSpan.FromSeconds(1) || options.TouchInterval > options.IdleTimeout / 2)
        {
            errors.Add("SessionOptions.TouchInterval must be at least 1 second and at most half of IdleTimeout (e.g. TimeSpan.FromMinutes(1)).");
        }

        if (options.MaxSessionsPerUser is < 1 or > SessionOptions.MaxSessionsPerUserLimit)
        {
            errors.Add($"SessionOptions.MaxSessionsPerUser must be between 1 and {SessionOptions.MaxSessionsPerUserLimit}, or null.");
        }

        if (!Enum.IsDefined(options.LimitMode))
        {
            errors.Add("SessionOptions.LimitMode must be EvictOldest or RefuseNew.");
        }

        if (options.IPv4AnomalyPrefix is < 8 or > 32)
        {
            errors.Add("SessionOptions.IPv4AnomalyPrefix must be between 8 and 32 (24 reports a move to another /24).");
        }

        if (options.IPv6AnomalyPrefix is < 16 or > 128)
        {
            errors.Add("SessionOptions.IPv6AnomalyPrefix must be between 16 and 128 (64 reports a move to another /64).");
        }

        return errors;
    }
}
