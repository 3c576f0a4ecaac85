using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SecurityKit.Events;

/// <summary>
/// Counts every event on the <c>SecurityKit</c> meter, counter <c>securitykit.events</c>, tagged with
/// <c>securitykit.event.name</c>, <c>securitykit.event.severity</c> and <c>securitykit.event.reason</c>.
/// </summary>
/// <remarks>
/// Tags never include user ids or IP addresses (unbounded cardinality and personal data). Thread-safe.
/// </remarks>
public sealed class MetricsSecurityEventSink : ISecurityEventSink, IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "SecurityKit";

    /// <summary>The counter name.</summary>
    public const string CounterName = "securitykit.events";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _counter;

    /// <summary>Initializes the sink with a meter from <paramref name="meterFactory"/> (DI).</summary>
    /// <param name="meterFactory">The meter factory.</param>
    public MetricsSecurityEventSink(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _counter = _meter.CreateCounter<long>(CounterName, unit: "{event}", description: "Security events reported by SecurityKit.");
    }

    /// <summary>Initializes the sink with its own meter (no DI).</summary>
    public MetricsSecurityEventSink()
    {
        _meter = new Meter(MeterName);
        _ownsMeter = true;
        _counter = _meter.CreateCounter<long>(CounterName, unit: "{event}", description: "Security events reported by SecurityKit.");
    }

    /// <inheritdoc />
    public void Handle(SecurityEvent securityEvent)
    {
        ArgumentNullException.ThrowIfNull(securityEvent);
        if (!_counter.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "securitykit.event.name", securityEvent.Name },
            { "securitykit.event.severity", SeverityName(securityEvent.Severity) },
        };
        if (securityEvent.Reason is not null)
        {
            tags.Add("securitykit.event.reason", securityEvent.Reason);
        }

        _counter.Add(1, tags);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static string SeverityName(SecurityEventSeverity severity) => severity switch
    {
        SecurityEventSeverity.Critical => "critical",
        SecurityEventSeverity.Warning => "warning",
        _ => "information",
    };
}
