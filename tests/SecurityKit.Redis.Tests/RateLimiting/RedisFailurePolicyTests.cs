using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.RateLimiting;
using SecurityKit.RateLimiting.Login;
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
        var connection = RedisTestConnections.OwnWithoutClientTimeouts(_server, "fault:");
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

        var open = await Timed(() => limiter.AcquireAsync("open", key));
        var closed = await Timed(() => limiter.AcquireAsync("closed", key));
        var fallback = new List<RateLimitDecision>();
        for (var i = 0; i < 3; i++)
        {
            fallback.Add(await Timed(() => limiter.AcquireAsync("fallback", key)));
        }

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

    [SkippableTheory]
    [InlineData(StoreFailurePolicy.FailClosed)]
    [InlineData(StoreFailurePolicy.FallbackToMemory)]
    [InlineData(StoreFailurePolicy.FailOpen)]
    public async Task LoginProtection_ServerStoppedMidTest_PolicyAppliesWithinTimeout_ThenRecovers(StoreFailurePolicy policy)
    {
        _server.EnsureAvailable();
        var connection = RedisTestConnections.OwnWithoutClientTimeouts(_server, "loginfault:");
        await using var _ = connection.ConfigureAwait(false);
        var sink = new Sink();
        var protector = new LoginProtector(
            new RedisRateLimitStore(connection),
            new LoginProtectionOptions { FailurePolicy = policy, FreeAttempts = 4, FallbackLimitFactor = 0.5, InitialDelay = TimeSpan.FromMinutes(1) },
            SecretKeyRing.FromRootKey("k1", new byte[32]),
            TimeProvider.System,
            new SecurityEventPublisher([sink], TimeProvider.System),
            TimeSpan.FromMilliseconds(500));
        var verifications = 0;
        ValueTask<LoginAttemptResult> Attempt(string account, bool correct) =>
            protector.AttemptAsync(new LoginAttempt(account, IPAddress.Parse("192.0.2.80")), _ =>
            {
                Interlocked.Increment(ref verifications);
                return ValueTask.FromResult(correct);
            });

        // Warm up until Redis answers within the timeout (first connect and script loads on a loaded machine).
        var warmup = Stopwatch.StartNew();
        LoginAttemptResult first;
        do
        {
            first = await Attempt("warm" + Guid.NewGuid().ToString("N"), correct: true);
        }
        while (first.IsDegraded && warmup.Elapsed < TimeSpan.FromSeconds(20));

        first.Should().Be(new LoginAttemptResult(LoginAttemptStatus.Succeeded, TimeSpan.Zero));

        _server.StopServer();
        verifications = 0;
        var account = "victim" + Guid.NewGuid().ToString("N");
        var outage = new List<LoginAttemptResult>();
        for (var i = 0; i < 3; i++)
        {
            // An attempt waits for the store in two phases (IP buckets, then account counters), each bounded by the timeout.
            outage.Add(await Timed(() => Attempt(account, correct: false), phases: 2));
        }

        outage.Should().OnlyContain(r => r.IsDegraded);
        switch (policy)
        {
            case StoreFailurePolicy.FailClosed:
                outage.Should().OnlyContain(r => r.Status == LoginAttemptStatus.Unavailable);
                verifications.Should().Be(0, "fail-closed never checks credentials without the counters");
                break;
            case StoreFailurePolicy.FallbackToMemory:
                outage.Select(r => r.Status).Should().Equal(LoginAttemptStatus.Failed, LoginAttemptStatus.Failed, LoginAttemptStatus.Throttled);
                verifications.Should().Be(2, "the in-memory fallback halves the 4 free attempts");
                break;
            default:
                outage.Should().OnlyContain(r => r.Status == LoginAttemptStatus.Failed);
                verifications.Should().Be(3);
                break;
        }

        sink.Events.Should().Contain(e => e.Name == RateLimitingEventNames.StoreUnavailable);
        sink.Events.Should().NotContain(e => e.Name == RateLimitingEventNames.IpBlocked, "an unreachable store blocks no IP");

        await _server.RestartAsync();

        var recovery = Stopwatch.StartNew();
        LoginAttemptResult recovered;
        do
        {
            recovered = await Attempt("after" + Guid.NewGuid().ToString("N"), correct: true);
            if (recovered.IsDegraded)
            {
                await Task.Delay(100);
            }
        }
        while (recovered.IsDegraded && recovery.Elapsed < TimeSpan.FromSeconds(20));

        recovered.Should().Be(new LoginAttemptResult(LoginAttemptStatus.Succeeded, TimeSpan.Zero), "the protector uses Redis again once it is back");
    }

    /// <summary>Runs one call and checks it alone was bounded by the 500 ms store timeout per sequential store phase (plus
    /// scheduling slack). The connection's own timeouts are 30 s, so they cannot be what ends the call this soon.</summary>
    private static async Task<T> Timed<T>(Func<ValueTask<T>> call, int phases = 1)
    {
        var clock = Stopwatch.StartNew();
        var result = await call();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromMilliseconds((phases * 500) + 2_000), "each store phase is bounded by the store timeout (plus slack for a shared 2-core machine)");
        return result;
    }

    private sealed class Sink : ISecurityEventSink
    {
        public System.Collections.Concurrent.ConcurrentQueue<SecurityEvent> Events { get; } = new();

        public void Handle(SecurityEvent securityEvent) => Events.Enqueue(securityEvent);
    }
}
