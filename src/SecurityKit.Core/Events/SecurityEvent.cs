namespace SecurityKit.Events;

/// <summary>How serious a <see cref="SecurityEvent"/> is.</summary>
public enum SecurityEventSeverity
{
    /// <summary>Normal operation worth recording (a hash upgraded, a code accepted).</summary>
    Information = 0,

    /// <summary>A failure that may be an attack or a misconfiguration (a wrong password, a malformed hash).</summary>
    Warning = 1,

    /// <summary>Strong evidence of an attack (a refresh token reused, an IP blocked).</summary>
    Critical = 2,
}

/// <summary>
/// What a SecurityKit primitive reports: one schema for every package.
/// </summary>
/// <remarks>
/// <para><see cref="Name"/> is a stable, dotted, lower-case code (<c>area.what</c>, e.g.
/// <c>password.rehash_needed</c>); each package lists its names in an <c>…EventNames</c> class.</para>
/// <para><b>Security:</b> an event never carries a secret, password, code or token. User ids are passed
/// through as the host gave them and IP addresses as resolved.</para>
/// </remarks>
public sealed record SecurityEvent
{
    /// <summary>Gets the stable event name, e.g. <c>password.verify_failed</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the severity.</summary>
    /// <value>The default value is <see cref="SecurityEventSeverity.Information"/>.</value>
    public SecurityEventSeverity Severity { get; init; }

    /// <summary>Gets when it happened, from the injected <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the user (subject) id as the host passed it, if any.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the client IP address as resolved, if any.</summary>
    public string? ClientIp { get; init; }

    /// <summary>Gets a stable reason code, e.g. <c>malformed_hash</c>, if any.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets extra non-secret properties (small, bounded).</summary>
    public IReadOnlyList<KeyValuePair<string, string?>>? Properties { get; init; }
}
