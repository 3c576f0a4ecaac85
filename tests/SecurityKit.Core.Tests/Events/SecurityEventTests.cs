using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;

namespace SecurityKit.Core.Tests.Events;

public sealed class SecurityEventTests
{
    private sealed class ThrowingSink : ISecurityEventSink
    {
        public void Handle(SecurityEvent securityEvent) => throw new InvalidOperationException("boom");
    }

    private sealed class CollectingSink : ISecurityEventSink
    {
        public List<SecurityEvent> Events { get; } = [];

        public void Handle(SecurityEvent securityEvent) => Events.Add(securityEvent);
    }

    [Fact]
    public void Publish_StampsTimeFromTimeProvider_AndIsolatesFailingSinks()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var sink = new CollectingSink();
        var publisher = new SecurityEventPublisher([new ThrowingSink(), sink], time);
        publisher.Publish("password.verify_failed", SecurityEventSeverity.Warning, userId: "u1", clientIp: "203.0.113.9", reason: "wrong_password");
        sink.Events.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Name = "password.verify_failed",
            Severity = SecurityEventSeverity.Warning,
            Timestamp = time.GetUtcNow(),
            UserId = "u1",
            ClientIp = "203.0.113.9",
            Reason = "wrong_password",
        });
        SecurityEventPublisher.None.IsEnabled.Should().BeFalse();
    }

    [Fact]
    public void LoggingSink_WritesStructuredMessageAtSeverityLevel()
    {
        var collector = new FakeLogCollector();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        var sink = new LoggingSecurityEventSink(factory);
        sink.Handle(new SecurityEvent { Name = "token.refresh_reused", Severity = SecurityEventSeverity.Critical, UserId = "u1", Reason = "reuse" });
        sink.Handle(new SecurityEvent { Name = "password.rehashed", Severity = SecurityEventSeverity.Information });
        var records = collector.GetSnapshot();
        records.Should().HaveCount(2);
        records[0].Level.Should().Be(LogLevel.Error);
        records[0].Category.Should().Be(LoggingSecurityEventSink.Category);
        records[0].Message.Should().Contain("token.refresh_reused").And.Contain("u1");
        records[0].StructuredState!.Should().Contain(new KeyValuePair<string, string?>("SecurityEventName", "token.refresh_reused"));
        records[1].Level.Should().Be(LogLevel.Information);
    }

    [Fact]
    public void LoggingSink_UserIdWithLineBreaksOrBidiControls_CannotForgeALogLine()
    {
        // A host whose user ids are user names: "bob\r\ninfo: ..." would write a second, forged line to a text log.
        var collector = new FakeLogCollector();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        var sink = new LoggingSecurityEventSink(factory);
        sink.Handle(new SecurityEvent { Name = "otp.failed", Severity = SecurityEventSeverity.Warning, UserId = "bob\r\ninfo: SecurityKit.Events[4100] Security event otp.verified", Reason = "a\u202Eb" });
        sink.Handle(new SecurityEvent { Name = "otp.failed", Severity = SecurityEventSeverity.Warning, UserId = new string('u', 1000) });

        var records = collector.GetSnapshot();
        records[0].Message.Should().NotContain("\r").And.NotContain("\n").And.Contain("bob\\u000D\\u000Ainfo").And.Contain("a\\u202Eb");
        records[1].Message.Length.Should().BeLessThan(400, "a field is cut at 256 characters");
    }

    [Fact]
    public void LoggingSink_EscapesAreUnambiguous_AndACutNeverSplitsASurrogatePair()
    {
        var collector = new FakeLogCollector();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        var sink = new LoggingSecurityEventSink(factory);

        // A user id that literally contains the six characters \u000A must not print like an escaped line feed.
        sink.Handle(new SecurityEvent { Name = "otp.failed", Severity = SecurityEventSeverity.Warning, UserId = "eve\\u000Aadmin" });
        sink.Handle(new SecurityEvent { Name = "otp.failed", Severity = SecurityEventSeverity.Warning, UserId = "eve\nadmin" });
        // 255 characters, then an emoji (a surrogate pair) across the 256-character cut; and lone surrogates.
        sink.Handle(new SecurityEvent { Name = "otp.failed", Severity = SecurityEventSeverity.Warning, UserId = new string('u', 255) + "\U0001F600" + new string('v', 10) });
        sink.Handle(new SecurityEvent { Name = "otp.failed", Severity = SecurityEventSeverity.Warning, UserId = "x\uD800y\uDC00" });

        var records = collector.GetSnapshot();
        records[0].Message.Should().Contain("eve\\\\u000Aadmin");
        records[1].Message.Should().Contain("eve\\u000Aadmin");
        records[0].Message.Should().NotBe(records[1].Message);
        records[2].Message.Should().Contain(new string('u', 255) + "…").And.NotContain("\uD83D");
        records[3].Message.Should().Contain("x\\uD800y\\uDC00");
    }

    [Fact]
    public void MetricsSink_CountsEventsWithNameSeverityAndReasonTags()
    {
        using var sink = new MetricsSecurityEventSink();
        using var collector = new MetricCollector<long>(null, MetricsSecurityEventSink.MeterName, MetricsSecurityEventSink.CounterName);
        sink.Handle(new SecurityEvent { Name = "otp.replayed", Severity = SecurityEventSeverity.Warning, Reason = "replay", UserId = "secret-user" });
        sink.Handle(new SecurityEvent { Name = "otp.replayed", Severity = SecurityEventSeverity.Warning });
        var measurements = collector.GetMeasurementSnapshot();
        measurements.Should().HaveCount(2);
        measurements[0].Tags["securitykit.event.name"].Should().Be("otp.replayed");
        measurements[0].Tags["securitykit.event.severity"].Should().Be("warning");
        measurements[0].Tags["securitykit.event.reason"].Should().Be("replay");
        measurements[0].Tags.Values.Should().NotContain("secret-user");
    }
}
