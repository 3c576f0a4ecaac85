using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;
using SecurityKit.RateLimiting;
using SecurityKit.Redis.RateLimiting;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.Redis.Tests.RateLimiting;

/// <summary>
/// Stops a private redis-server mid-test (its own fixture instance, so the shared server of the other Redis tests
/// is not disturbed): each policy applies within the timeout, then the limiter recovers when the server returns.
/// </summary>
[Collection(RedisCollection.Name)] // not in parallel with the heavy Redis tests: the 500 ms timeout is part of what is tested
public sealed class RedisFailurePolicyTests : IAsyncLifetime
{
    private readonly RedisServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [SkippableFact]
    public async Task AcquireAsync_ServerStoppedMidTest_PolicyAppliesWithinTimeout_ThenRecovers()
    {
        _server.EnsureAvailable();
        var connection = RedisTestConnections.Own(_server, "fault:", TimeSpan.FromMilliseconds(300));
        await using var _ = connection.ConfigureAwait(false);
        var sink = new Sink();
        var options = new RateLimitingOptions { StoreTimeout = TimeSpan.FromMilliseconds(500) }
            .AddPolicy("open", RateLimitRule.FixedWindow(10, TimeSpan.FromMinutes(1)), StoreFailurePolicy.FailOpen)
            .AddPolicy("closed", RateLimitRule.FixedWindow(10, TimeSpan.FromMinutes(1)), StoreFailurePolicy.FailClosed)
            .AddPolicy("fallback", RateLimitRule.FixedWindow(10, TimeSpan.FromMinutes(1)), StoreFailurePolicy.FallbackToMemory, 0.2);
        var limiter = new SecurityRateLimiter(new RedisRateLimitStore(connection), options, TimeProvider.System, new SecurityEventPublisher([sink], TimeProvider.System));
        var key = "k" + Guid.NewGuid().ToString("N");

        // Warm up: the first connect and script load can exceed the 500 ms store timeout on a loaded CI machine.
        var warmup = Stopwatch.StartNew();
        while ((await limiter.AcquireAsync("closed", "warmup:" + key)).IsDegraded && warmup.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(100);
        }

        var firstAttempt = 0;
        RateLimitDecision first;
        do
        {
            first = await limiter.AcquireAsync("closed", $"first{firstAttempt++}:" + key);
        }
        while (first.IsDegraded && warmup.Elapsed < TimeSpan.FromSeconds(20));

        first.Should().Be(new RateLimitDecision(true, 9, TimeSpan.Zero), "Redis answers within the timeout again");

        _server.StopServer();

        var clock = Stopwatch.StartNew();
        var open = await limiter.AcquireAsync("open", key);
        var closed = await limiter.AcquireAsync("closed", key);
        var fallback = new List<RateLimitDecision>();
        for (var i = 0; i < 3; i++)
        {
            fallback.Add(await limiter.AcquireAsync("fallback", key));
        }

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5 * 0.5 + 2), "each check is bounded by the timeout");
        open.Should().Be(new RateLimitDecision(true, 0, TimeSpan.Zero) { IsDegraded = true });
        closed.IsAllowed.Should().BeFalse();
        closed.IsDegraded.Should().BeTrue();
        fallback.Select(d => d.IsAllowed).Should().Equal(true, true, false);
        fallback.Should().OnlyContain(d => d.IsDegraded);
        sink.Events.Should().Contain(e => e.Name == RateLimitingEventNames.StoreUnavailable);

        await _server.RestartAsync();

        // A fresh key per attempt: a check that timed out while the client was reconnecting may still reach the server
        // afterwards (StackExchange.Redis sends its backlog once connected), so reusing one key could count twice.
        var recovery = Stopwatch.StartNew();
        var attempt = 0;
        RateLimitDecision recovered;
        do
        {
            recovered = await limiter.AcquireAsync("closed", $"after{attempt++}:" + key);
            if (recovered.IsDegraded)
            {
                await Task.Delay(100);
            }
        }
        while (recovered.IsDegraded && recovery.Elapsed < TimeSpan.FromSeconds(20));

        recovered.Should().Be(new RateLimitDecision(true, 9, TimeSpan.Zero), "the limiter uses Redis again once it is back");
    }

    private sealed class Sink : ISecurityEventSink
    {
        public System.Collections.Concurrent.ConcurrentQueue<SecurityEvent> Events { get; } = new();

        public void Handle(SecurityEvent securityEvent) => Events.Enqueue(securityEvent);
    }
}
