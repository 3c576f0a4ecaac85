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
    /// bidi controls would display it reversed. Control, line-separator and bidi characters and lone surrogates become
    /// <c>\uXXXX</c>, and a backslash becomes <c>\\</c> (so a user id that literally contains <c>\u000A</c> cannot pass
    /// for an escaped line feed); the field is cut at <see cref="MaxFieldLength"/> characters, never inside a surrogate pair.
    /// </summary>
    internal static string? Safe(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var needs = value.Length > MaxFieldLength;
        for (var i = 0; i < value.Length && !needs; i++)
        {
            needs = NeedsEscape(value, i) || value[i] == '\\';
        }

        if (!needs)
        {
            return value;
        }

        var length = Math.Min(value.Length, MaxFieldLength);
        if (length < value.Length && char.IsHighSurrogate(value[length - 1]) && char.IsLowSurrogate(value[length]))
        {
            length--; // keep the pair whole: drop it rather than cut it
        }

        var builder = new System.Text.StringBuilder(length + 16);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            if (c == '\\')
            {
                builder.Append("\\\\");
            }
            else if (NeedsEscape(value, i))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return length < value.Length ? builder.Append('…').ToString() : builder.ToString();
    }

    /// <summary>A control or bidi character, or half of a surrogate pair without its other half.</summary>
    private static bool NeedsEscape(string value, int i)
    {
        var c = value[i];
        if (WellFormedText.IsControlOrBidi(c))
        {
            return true;
        }

        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]);
        }

        return char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1]));
    }

    [LoggerMessage(EventId = 4100, EventName = "SecurityEvent", Message = "Security event {SecurityEventName} ({Severity}) user={UserId} ip={ClientIp} reason={Reason}")]
    private static partial void LogEvent(ILogger logger, LogLevel level, string securityEventName, SecurityEventSeverity severity, string? userId, string? clientIp, string? reason);
}
