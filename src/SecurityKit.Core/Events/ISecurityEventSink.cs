namespace SecurityKit.Events;

/// <summary>Receives every <see cref="SecurityEvent"/>; register more with <c>builder.AddEventSink&lt;T&gt;()</c>.</summary>
/// <remarks>Implementations must be thread-safe, fast and should not throw (exceptions are caught; the publisher logs the
/// sink's and the exception's types, at most once a minute per sink). Register sinks as singletons: startup refuses a
/// scoped one.</remarks>
public interface ISecurityEventSink
{
    /// <summary>Handles one event.</summary>
    /// <param name="securityEvent">The event.</param>
    void Handle(SecurityEvent securityEvent);
}
