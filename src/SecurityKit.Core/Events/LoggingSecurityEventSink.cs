using Microsoft.Extensions.Logging;
using SecurityKit.Primitives;

namespace SecurityKit.Events;

/// <summary>Writes every event as one structured <see cref="ILogger"/> message (category <c>SecurityKit.Events</c>).</summary>
/// <remarks>Information events log at Information, warnings at Warning, critical events at Error. Thread-safe.</remarks>
public sealed partial class LoggingSecurityEventSink : ISecurityEventSink
{
    /// <summary>The logger category.</summary>
    public const string Category = "SecurityKit.Events";

    private readonly ILogger _logger;

    /// <summary>Initializes the sink.</summary>
    /// <param name="loggerFactory">The logger factory.</param>
    public LoggingSecurityEventSink(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _logger = loggerFactory.CreateLogger(Category);
    }

    /// <inheritdoc />
    public void Handle(SecurityEvent securityEvent)
    {
        ArgumentNullException.ThrowIfNull(securityEvent);
        var level = securityEvent.Severity switch
        {
            SecurityEventSeverity.Critical => LogLevel.Error,
            SecurityEventSeverity.Warning => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        // (The level was checked above: the fields are made safe only when the event is written.)
        var userId = Safe(securityEvent.UserId);
        var clientIp = Safe(securityEvent.ClientIp);
        var reason = Safe(securityEvent.Reason);
        LogEvent(_logger, level, securityEvent.Name, securityEvent.Severity, userId, clientIp, reason);
    }

    /// <summary>The maximum characters of one field written to the log.</summary>
    internal const int MaxFieldLength = 256;

    /// <summary>
    /// Makes a field safe for a text log: a host's user id may be a user name, and CR/LF in it would forge log lines,
    /// bidi controls would display it reversed. Control, line-separator and bidi characters become <c>\uXXXX</c>;
    /// the field is cut at <see cref="MaxFieldLength"/> characters.
    /// </summary>
    internal static string? Safe(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var needs = value.Length > MaxFieldLength;
        foreach (var c in value)
        {
            needs |= WellFormedText.IsControlOrBidi(c);
        }

        if (!needs)
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(Math.Min(value.Length, MaxFieldLength) + 16);
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, MaxFieldLength)))
        {
            if (WellFormedText.IsControlOrBidi(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return value.Length > MaxFieldLength ? builder.Append('…').ToString() : builder.ToString();
    }

    [LoggerMessage(EventId = 4100, EventName = "SecurityEvent", Message = "Security event {SecurityEventName} ({Severity}) user={UserId} ip={ClientIp} reason={Reason}")]
    private static partial void LogEvent(ILogger logger, LogLevel level, string securityEventName, SecurityEventSeverity severity, string? userId, string? clientIp, string? reason);
}
