using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Tests;

internal sealed class CapturingSink : ISecurityEventSink
{
    public ConcurrentQueue<SecurityEvent> Events { get; } = new();

    public void Handle(SecurityEvent securityEvent) => Events.Enqueue(securityEvent);

    public IReadOnlyList<SecurityEvent> Named(string name) => Events.Where(e => e.Name == name).ToList();

    public static (SecurityEventPublisher Publisher, CapturingSink Sink) Create(TimeProvider time)
    {
        var sink = new CapturingSink();
        return (new SecurityEventPublisher([sink], time), sink);
    }
}

/// <summary>A store whose behaviour the test switches: healthy (delegates), throwing, or hanging.</summary>
internal sealed class FlakyStore(IRateLimitStore inner) : IRateLimitStore
{
    public enum Mode
    {
        Healthy,
        Throwing,
        Hanging,

        /// <summary>Rate checks answer; lockout counters (register and reset) throw.</summary>
        LockoutThrowing,
    }

    public Mode Current { get; set; }

    /// <summary>When set, rate checks on the keys it matches throw whatever the mode (one counter down, the others up).</summary>
    public Func<string, bool>? FailingKeys { get; set; }

    public ConcurrentQueue<string> Keys { get; } = new();

    public ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimitRule rule, int permits = 1, CancellationToken cancellationToken = default)
    {
        Keys.Enqueue(key);
        if (FailingKeys?.Invoke(key) == true)
        {
            return ValueTask.FromException<RateLimitDecision>(new InvalidOperationException("store down"));
        }

        return Current switch
        {
            Mode.Healthy or Mode.LockoutThrowing => inner.AcquireAsync(key, rule, permits, cancellationToken),
            Mode.Throwing => ValueTask.FromException<RateLimitDecision>(new InvalidOperationException("store down")),
            _ => new ValueTask<RateLimitDecision>(new TaskCompletionSource<RateLimitDecision>().Task),
        };
    }

    public ValueTask<LockoutDecision> RegisterAttemptAsync(string key, LockoutRule rule, CancellationToken cancellationToken = default)
    {
        Keys.Enqueue(key);
        return Current switch
        {
            Mode.Healthy => inner.RegisterAttemptAsync(key, rule, cancellationToken),
            Mode.Throwing or Mode.LockoutThrowing => ValueTask.FromException<LockoutDecision>(new InvalidOperationException("store down")),
            _ => new ValueTask<LockoutDecision>(new TaskCompletionSource<LockoutDecision>().Task),
        };
    }

    public ValueTask ResetAsync(string key, CancellationToken cancellationToken = default)
    {
        Keys.Enqueue(key);
        return Current == Mode.Healthy ? inner.ResetAsync(key, cancellationToken) : ValueTask.FromException(new InvalidOperationException("store down"));
    }
}

internal static class TestKeys
{
    public static ISecretKeyRing Ring() => SecretKeyRing.FromRootKey("k1", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
}
