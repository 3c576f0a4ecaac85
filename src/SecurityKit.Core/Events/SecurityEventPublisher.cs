using Microsoft.Extensions.Logging;

namespace SecurityKit.Events;

/// <summary>
/// Stamps and fans out <see cref="SecurityEvent"/>s to every registered <see cref="ISecurityEventSink"/>.
/// </summary>
/// <remarks>
/// A failing sink never breaks the operation that reported the event; with a logger, its failure is logged (the sink and
/// exception types only, at most once a minute per sink), so a broken audit sink does not go unnoticed. This type is
/// thread-safe.
/// Use <see cref="None"/> where events are not wanted (tests, tools).
/// </remarks>
public sealed class SecurityEventPublisher
{
    private readonly ISecurityEventSink[] _sinks;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger? _logger;
    private readonly long[] _lastFailureLogged;

    /// <summary>Initializes a publisher.</summary>
    /// <param name="sinks">The sinks.</param>
    /// <param name="timeProvider">The clock used for <see cref="SecurityEvent.Timestamp"/>.</param>
    public SecurityEventPublisher(IEnumerable<ISecurityEventSink> sinks, TimeProvider timeProvider)
        : this(sinks, timeProvider, null)
    {
    }

    /// <summary>Initializes a publisher that logs the failures of its sinks.</summary>
    /// <param name="sinks">The sinks.</param>
    /// <param name="timeProvider">The clock used for <see cref="SecurityEvent.Timestamp"/> and the failure-log interval.</param>
    /// <param name="logger">Where a sink's failure is reported (its type and the exception type only), or <see langword="null"/>.</param>
    public SecurityEventPublisher(IEnumerable<ISecurityEventSink> sinks, TimeProvider timeProvider, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _sinks = sinks.ToArray();
        _timeProvider = timeProvider;
        _logger = logger;
        _lastFailureLogged = new long[_sinks.Length];
        Array.Fill(_lastFailureLogged, long.MinValue);
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
        for (var i = 0; i < _sinks.Length; i++)
        {
            try
            {
                _sinks[i].Handle(securityEvent);
            }
#pragma warning disable CA1031 // A sink must never break the security operation that reported the event.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Used to be dropped without a trace: a broken audit sink lost every event unnoticed (found in review). Only
                // the types are logged: a sink's exception message may quote the event.
                ReportSinkFailure(i, ex);
            }
        }
    }

    private void ReportSinkFailure(int index, Exception exception)
    {
        if (_logger is null)
        {
            return;
        }

        var now = _timeProvider.GetTimestamp();
        var last = Volatile.Read(ref _lastFailureLogged[index]);
        if ((last == long.MinValue || now - last >= 60 * _timeProvider.TimestampFrequency) && Interlocked.CompareExchange(ref _lastFailureLogged[index], now, last) == last)
        {
            try
            {
                CoreLog.SinkFailed(_logger, _sinks[index].GetType().FullName ?? _sinks[index].GetType().Name, exception.GetType().FullName ?? exception.GetType().Name);
            }
#pragma warning disable CA1031 // A failing logger must not break the operation either.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
