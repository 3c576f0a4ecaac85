namespace SecurityKit.Events;

/// <summary>
/// Stamps and fans out <see cref="SecurityEvent"/>s to every registered <see cref="ISecurityEventSink"/>.
/// </summary>
/// <remarks>
/// A failing sink never breaks the operation that reported the event. This type is thread-safe.
/// Use <see cref="None"/> where events are not wanted (tests, tools).
/// </remarks>
public sealed class SecurityEventPublisher
{
    private readonly ISecurityEventSink[] _sinks;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a publisher.</summary>
    /// <param name="sinks">The sinks.</param>
    /// <param name="timeProvider">The clock used for <see cref="SecurityEvent.Timestamp"/>.</param>
    public SecurityEventPublisher(IEnumerable<ISecurityEventSink> sinks, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _sinks = sinks.ToArray();
        _timeProvider = timeProvider;
    }

    /// <summary>Gets a publisher with no sinks.</summary>
    public static SecurityEventPublisher None { get; } = new([], TimeProvider.System);

    /// <summary>Gets whether any sink is registered.</summary>
    public bool IsEnabled => _sinks.Length > 0;

    /// <summary>Publishes an event, stamping its time.</summary>
    /// <param name="name">The stable event name.</param>
    /// <param name="severity">The severity.</param>
    /// <param name="userId">The user id, if known.</param>
    /// <param name="clientIp">The client IP, if known.</param>
    /// <param name="reason">A stable reason code.</param>
    /// <param name="properties">Extra non-secret properties.</param>
    public void Publish(
        string name,
        SecurityEventSeverity severity,
        string? userId = null,
        string? clientIp = null,
        string? reason = null,
        IReadOnlyList<KeyValuePair<string, string?>>? properties = null)
    {
        if (_sinks.Length == 0)
        {
            return;
        }

        Publish(new SecurityEvent
        {
            Name = name,
            Severity = severity,
            Timestamp = _timeProvider.GetUtcNow(),
            UserId = userId,
            ClientIp = clientIp,
            Reason = reason,
            Properties = properties,
        });
    }

    /// <summary>Publishes a prepared event as is.</summary>
    /// <param name="securityEvent">The event.</param>
    public void Publish(SecurityEvent securityEvent)
    {
        ArgumentNullException.ThrowIfNull(securityEvent);
        foreach (var sink in _sinks)
        {
            try
            {
                sink.Handle(securityEvent);
            }
#pragma warning disable CA1031 // A sink must never break the security operation that reported the event.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
