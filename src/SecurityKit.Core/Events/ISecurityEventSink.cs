namespace SecurityKit.Events;

/// <summary>Receives every <see cref="SecurityEvent"/>; register more with <c>builder.AddEventSink&lt;T&gt;()</c>.</summary>
/// <remarks>Implementations must be thread-safe, fast and must not throw (exceptions are caught and dropped).</remarks>
public interface ISecurityEventSink
{
    /// <summary>Handles one event.</summary>
    /// <param name="securityEvent">The event.</param>
    void Handle(SecurityEvent securityEvent);
}
