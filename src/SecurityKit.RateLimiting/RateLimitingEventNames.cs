namespace SecurityKit.RateLimiting;

/// <summary>The stable names of the events SecurityKit.RateLimiting publishes.</summary>
public static class RateLimitingEventNames
{
    /// <summary>A request or login attempt was refused because a rate limit or a required delay applies.</summary>
    public const string Throttled = "ratelimit.throttled";

    /// <summary>An account, account + IP or account + device counter reached the lockout threshold (reason <c>threshold</c>)
    /// or the hard stop (<c>max_failures</c>). Each counter is judged on its own, also on an attempt the other counter
    /// refused (it was still counted).</summary>
    public const string Locked = "ratelimit.locked";

    /// <summary>A locked account was unlocked: by a successful sign-in after the lock, or explicitly.</summary>
    public const string Unlocked = "ratelimit.unlocked";

    /// <summary>A client IP address (or its IPv6 /64 or /48 network) reached its failed-login limit and is blocked.</summary>
    public const string IpBlocked = "ratelimit.ip_blocked";

    /// <summary>A sign-in attempt carried a trusted-device token that is forged, tampered with, issued for another account,
    /// expired or under a key no longer in the key ring; the attempt was judged as from an unknown device.</summary>
    public const string DeviceTokenRejected = "ratelimit.device_token_rejected";

    /// <summary>The rate-limit store failed or timed out and the limiter's failure policy applied (published at most every 5 seconds per limiter).</summary>
    public const string StoreUnavailable = "ratelimit.store_unavailable";
}
