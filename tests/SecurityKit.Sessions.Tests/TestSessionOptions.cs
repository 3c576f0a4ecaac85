namespace SecurityKit.Sessions.Tests;

/// <summary>Session options from the values the option-boundary theories vary.</summary>
internal static class TestSessionOptions
{
    public static SessionOptions Build(int lifetimeMinutes, int idleMinutes, double touchMinutes, int? maxPerUser, int v4, int v6) => new()
    {
        AbsoluteLifetime = TimeSpan.FromMinutes(lifetimeMinutes),
        IdleTimeout = TimeSpan.FromMinutes(idleMinutes),
        TouchInterval = TimeSpan.FromMinutes(touchMinutes),
        MaxSessionsPerUser = maxPerUser,
        IPv4AnomalyPrefix = v4,
        IPv6AnomalyPrefix = v6,
    };
}
