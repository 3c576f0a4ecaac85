using Microsoft.Extensions.Logging;

namespace SecurityKit;

/// <summary>The log messages of the core (category <c>SecurityKit</c>); none carries key material or event data.</summary>
internal static partial class CoreLog
{
    public const string Category = "SecurityKit";

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "SecurityKit's key ring holds an ephemeral root key ({KeyId}, from AddEphemeralRootKey): everything it protects (sessions, tokens, OTP secrets, backup codes, fingerprints) is lost on restart and differs per instance. Configure durable keys outside development.")]
    public static partial void EphemeralKey(ILogger logger, string keyId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Security event sink {SinkType} threw {ExceptionType}: the event was not recorded there (the operation went on; further failures of this sink are logged at most once a minute).")]
    public static partial void SinkFailed(ILogger logger, string sinkType, string exceptionType);
}
