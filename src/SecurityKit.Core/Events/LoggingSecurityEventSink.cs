using Microsoft.Extensions.Logging;

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

        LogEvent(_logger, level, securityEvent.Name, securityEvent.Severity, securityEvent.UserId, securityEvent.ClientIp, securityEvent.Reason);
    }

    [LoggerMessage(EventId = 4100, EventName = "SecurityEvent", Message = "Security event {SecurityEventName} ({Severity}) user={UserId} ip={ClientIp} reason={Reason}")]
    private static partial void LogEvent(ILogger logger, LogLevel level, string securityEventName, SecurityEventSeverity severity, string? userId, string? clientIp, string? reason);
}
