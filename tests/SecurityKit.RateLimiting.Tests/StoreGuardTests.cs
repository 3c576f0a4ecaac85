using Microsoft.Extensions.Time.Testing;
using SecurityKit.RateLimiting.Stores;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Tests;

/// <summary>
/// The guard's skip-and-probe breaker on a fake clock: which calls reach the store, which are decided by the policy at
/// once, and when the store is tried again. (The Redis tests cover it against a real server that is stopped.)
/// </summary>
public sealed class StoreGuardTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);
    private static readonly RateLimitRule Rule = RateLimitRule.FixedWindow(100, TimeSpan.FromMinutes(1));
    private static readonly RateLimitRule FallbackRule = RateLimitRule.FixedWindow(50, TimeSpan.FromMinutes(1));
    private static readonly LockoutRule Lockout = new(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15), 100, TimeSpan.FromHours(1), false);

    private readonly FakeTimeProvider _time = TestKeys.Clock();
    private readonly ScriptedStore _store = new();
    private readonly CapturingSink _sink;
    private readonly StoreGuard _guard;

    public StoreGuardTests()
    {
        Events.SecurityEventPublisher publisher;
        (publisher, _sink) = CapturingSink.Create(_time);
        _guard = new StoreGuard(_store, new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), _time), Timeout, _time, publisher);
    }

    private ValueTask<RateLimitDecision> Acquire(string key = "k") =>
        _guard.AcquireAsync("test", key, Rule, FallbackRule, StoreFailurePolicy.FailClosed, 1, CancellationToken.None);

    /// <summary>Starts one call against a hanging store and lets it time out on the fake clock.</summary>
    private async Task<RateLimitDecision> TimedOut()
    {
        _store.Next = Behaviour.Hang;
        var pending = Acquire();
        pending.IsCompleted.Should().BeFalse("the store has not answered");
        _time.Advance(Timeout);
        return await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task TripBreaker()
    {
        for (var i = 0; i < StoreGuard.TimeoutsToSkip; i++)
        {
            (await TimedOut()).IsDegraded.Should().BeTrue();
        }
    }

    [Fact]
    public async Task Timeout_CancelsTheTokenGivenToARemoteStore_SoAQueuedCheckIsWithdrawn()
    {
        // The guard answered with the policy after its timeout but left the store's queued check to be sent and counted
        // later (found in review): the store now gets a token the guard cancels when it stops waiting.
        (await TimedOut()).IsDegraded.Should().BeTrue();
        _store.LastToken.CanBeCanceled.Should().BeTrue();
        _store.LastToken.IsCancellationRequested.Should().BeTrue("the guard gave up on this check");

        _store.Next = Behaviour.Answer;
        (await Acquire()).IsDegraded.Should().BeFalse();
        _store.LastToken.IsCancellationRequested.Should().BeFalse("an answered check is not cancelled");

        using var caller = new CancellationTokenSource();
        _store.Next = Behaviour.Hang;
        var pending = _guard.AcquireAsync("test", "k", Rule, FallbackRule, StoreFailurePolicy.FailClosed, 1, caller.Token);
        var token = _store.LastToken;
        token.IsCancellationRequested.Should().BeFalse();
        await caller.CancelAsync();
        token.IsCancellationRequested.Should().BeTrue("linked to the caller's token");
        await FluentActions.Awaiting(() => pending.AsTask()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task TimeoutsBelowTheThreshold_EveryCallStillReachesTheStore()
    {
        for (var i = 0; i < StoreGuard.TimeoutsToSkip - 1; i++)
        {
            (await TimedOut()).Should().Be(new RateLimitDecision(false, 0, Timeout) { IsDegraded = true });
        }

        _store.Next = Behaviour.Answer;
        var calls = _store.Calls;
        (await Acquire()).IsDegraded.Should().BeFalse();
        _store.Calls.Should().Be(calls + 1);
    }

    [Fact]
    public async Task ThresholdTimeouts_SkipTheStoreForOneTimeout()
    {
        await TripBreaker();
        var calls = _store.Calls;
        _store.Next = Behaviour.Answer;

        var skipped = Acquire();
        skipped.IsCompletedSuccessfully.Should().BeTrue("a skipped call is decided at once, without waiting");
        (await skipped).Should().Be(new RateLimitDecision(false, 0, Timeout) { IsDegraded = true });
        _time.Advance(Timeout - TimeSpan.FromTicks(1));
        (await Acquire()).IsDegraded.Should().BeTrue();
        _store.Calls.Should().Be(calls, "the store is skipped until one timeout has passed");

        _time.Advance(TimeSpan.FromTicks(1));
        (await Acquire()).IsDegraded.Should().BeFalse("the probe reached the store and it answered");
        _store.Calls.Should().Be(calls + 1);
        (await Acquire()).IsDegraded.Should().BeFalse();
        _store.Calls.Should().Be(calls + 2, "a probe that answers closes the breaker: every call goes to the store again");
    }

    [Fact]
    public async Task AnAnswerBetweenTimeouts_StartsTheCountAgain()
    {
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < StoreGuard.TimeoutsToSkip - 1; i++)
            {
                await TimedOut();
            }

            _store.Next = Behaviour.Answer;
            (await Acquire()).IsDegraded.Should().BeFalse();
        }

        _store.Calls.Should().Be(3 * StoreGuard.TimeoutsToSkip, "no call was ever skipped");
    }

    [Fact]
    public async Task FastErrors_NeverTripTheBreaker()
    {
        _store.Next = Behaviour.Throw;
        for (var i = 0; i < 10; i++)
        {
            (await Acquire()).IsDegraded.Should().BeTrue();
        }

        _store.Calls.Should().Be(10, "errors that come back at once cost no waiting, so the store is not skipped");
    }

    [Fact]
    public async Task WhileAProbeIsInFlight_OtherCallsSkip_AndOnlyOneProbeAtATime()
    {
        await TripBreaker();
        _time.Advance(Timeout);
        var calls = _store.Calls;

        _store.Next = Behaviour.Hang;
        var probe = Acquire();
        probe.IsCompleted.Should().BeFalse("the probe waits for the store");
        _store.Calls.Should().Be(calls + 1);

        _store.Next = Behaviour.Answer;
        for (var i = 0; i < 5; i++)
        {
            var other = Acquire();
            other.IsCompletedSuccessfully.Should().BeTrue();
            (await other).IsDegraded.Should().BeTrue();
        }

        _store.Calls.Should().Be(calls + 1, "only the probe went to the store");

        _store.Release(new RateLimitDecision(true, 99, TimeSpan.Zero));
        (await probe.AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(new RateLimitDecision(true, 99, TimeSpan.Zero));
        (await Acquire()).IsDegraded.Should().BeFalse();
        _store.Calls.Should().Be(calls + 2);
    }

    [Theory]
    [InlineData(Behaviour.Hang)]
    [InlineData(Behaviour.Throw)]
    public async Task AFailedProbe_SkipsTheStoreForAnotherTimeout(Behaviour failure)
    {
        await TripBreaker();
        _time.Advance(Timeout);

        if (failure == Behaviour.Hang)
        {
            (await TimedOut()).IsDegraded.Should().BeTrue();
        }
        else
        {
            _store.Next = Behaviour.Throw;
            (await Acquire()).IsDegraded.Should().BeTrue("even a fast error fails the probe");
        }

        var calls = _store.Calls;
        _store.Next = Behaviour.Answer;
        _time.Advance(Timeout - TimeSpan.FromTicks(1));
        (await Acquire()).IsDegraded.Should().BeTrue();
        _store.Calls.Should().Be(calls, "the failed probe re-armed the skip");
        _time.Advance(TimeSpan.FromTicks(1));
        (await Acquire()).IsDegraded.Should().BeFalse();
        _store.Calls.Should().Be(calls + 1);
    }

    [Fact]
    public async Task AProbeEndedByAnArgumentError_FreesTheProbeSlot()
    {
        // A caller error is not a store failure: it propagates, and the next call may probe (the slot is not kept).
        await TripBreaker();
        _time.Advance(Timeout);
        _store.Next = Behaviour.ThrowArgument;
        await FluentActions.Awaiting(async () => await Acquire()).Should().ThrowAsync<ArgumentException>();

        var calls = _store.Calls;
        _store.Next = Behaviour.Answer;
        (await Acquire()).IsDegraded.Should().BeFalse();
        _store.Calls.Should().Be(calls + 1, "the next call was a probe");
    }

    [Fact]
    public async Task LockoutCalls_ShareTheBreaker_AndResetsAreNeverSkipped()
    {
        await TripBreaker();
        var calls = _store.Calls;
        _store.Next = Behaviour.Answer;

        var decision = await _guard.RegisterAttemptAsync("test", "acct", Lockout, Lockout, StoreFailurePolicy.FailClosed, CancellationToken.None);
        decision.Should().Be(new LockoutDecision(false, 0, Timeout) { IsDegraded = true });
        _store.Calls.Should().Be(calls, "the lockout counter skips the store too");

        (await _guard.ResetAsync("test", "acct", StoreFailurePolicy.FailClosed, CancellationToken.None)).Should().BeTrue();
        _store.Calls.Should().Be(calls + 1, "a reset goes to the store even while it is skipped");

        _time.Advance(Timeout);
        (await _guard.RegisterAttemptAsync("test", "acct", Lockout, Lockout, StoreFailurePolicy.FailClosed, CancellationToken.None)).IsDegraded.Should().BeFalse();
        _store.Calls.Should().Be(calls + 2, "the lockout call probed and closed the breaker");
    }

    [Fact]
    public async Task LockoutTimeouts_TripTheBreakerLikeRateChecks()
    {
        for (var i = 0; i < StoreGuard.TimeoutsToSkip; i++)
        {
            _store.Next = Behaviour.Hang;
            var pending = _guard.RegisterAttemptAsync("test", "acct", Lockout, Lockout, StoreFailurePolicy.FailOpen, CancellationToken.None);
            _time.Advance(Timeout);
            (await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(new LockoutDecision(true, 0, TimeSpan.Zero) { IsDegraded = true });
        }

        var calls = _store.Calls;
        _store.Next = Behaviour.Answer;
        (await Acquire()).IsDegraded.Should().BeTrue();
        _store.Calls.Should().Be(calls);
    }

    [Fact]
    public async Task StoreUnavailableEvents_AtMostOnePerLimiterEveryFiveSeconds()
    {
        _store.Next = Behaviour.Throw;
        for (var i = 0; i < 20; i++)
        {
            await Acquire();
        }

        await _guard.AcquireAsync("other", "k", Rule, FallbackRule, StoreFailurePolicy.FailOpen, 1, CancellationToken.None);
        var events = _sink.Named(RateLimitingEventNames.StoreUnavailable);
        events.Should().HaveCount(2, "one for each limiter");
        events[0].Reason.Should().Be("store_error");

        _time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        await Acquire();
        _sink.Named(RateLimitingEventNames.StoreUnavailable).Should().HaveCount(2);
        _time.Advance(TimeSpan.FromTicks(1));
        await Acquire();
        _sink.Named(RateLimitingEventNames.StoreUnavailable).Should().HaveCount(3);
    }

    [Fact]
    public async Task StoreUnavailableEvent_NamesLimiterPolicyAndExceptionType_NeverTheMessage()
    {
        _store.Next = Behaviour.Throw;
        await _guard.AcquireAsync("login", "k", Rule, FallbackRule, StoreFailurePolicy.FallbackToMemory, 1, CancellationToken.None);

        var unavailable = _sink.Named(RateLimitingEventNames.StoreUnavailable).Should().ContainSingle().Which;
        unavailable.Properties.Should().Equal(
            new KeyValuePair<string, string?>("limiter", "login"),
            new KeyValuePair<string, string?>("policy", "FallbackToMemory"),
            new KeyValuePair<string, string?>("exception", "InvalidOperationException"));
        unavailable.ToString().Should().NotContain("store down", "store clients' messages can carry endpoints or keys");
    }

    [Fact]
    public async Task ACancellationTheCallerDidNotAskFor_IsAStoreFailure()
    {
        // A client's own timeout surfaces as TaskCanceledException: the policy must decide, not an exception escape.
        _store.Next = Behaviour.FailCanceled;

        var decision = await Acquire();

        decision.Should().Be(new RateLimitDecision(false, 0, Timeout) { IsDegraded = true });
        _sink.Named(RateLimitingEventNames.StoreUnavailable).Should().ContainSingle().Which.Properties.Should()
            .Contain(new KeyValuePair<string, string?>("exception", "TaskCanceledException"));
    }

    [Fact]
    public async Task ACancellationTheCallerAskedFor_Propagates()
    {
        _store.Next = Behaviour.Hang;
        using var cts = new CancellationTokenSource();
        var pending = _guard.AcquireAsync("test", "k", Rule, FallbackRule, StoreFailurePolicy.FailClosed, 1, cts.Token);
        await cts.CancelAsync();

        await FluentActions.Awaiting(async () => await pending).Should().ThrowAsync<OperationCanceledException>();
        _sink.Named(RateLimitingEventNames.StoreUnavailable).Should().BeEmpty();
    }

    /// <summary>How the scripted store answers its next calls.</summary>
    public enum Behaviour
    {
        /// <summary>Answers at once (allowed, 10 remaining).</summary>
        Answer,

        /// <summary>Never answers until <see cref="ScriptedStore.Release"/>.</summary>
        Hang,

        /// <summary>Throws a store error at once.</summary>
        Throw,

        /// <summary>Throws a caller error (not a store failure).</summary>
        ThrowArgument,

        /// <summary>Fails with a cancellation the caller did not ask for (a client's own timeout).</summary>
        FailCanceled,
    }

    private sealed class ScriptedStore : IRateLimitStore
    {
        private TaskCompletionSource<RateLimitDecision>? _hanging;
        private int _calls;

        public Behaviour Next { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public void Release(RateLimitDecision decision) => _hanging!.SetResult(decision);

        public CancellationToken LastToken { get; private set; }

        public ValueTask<RateLimitDecision> AcquireAsync(string key, RateLimitRule rule, int permits = 1, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            LastToken = cancellationToken;
            switch (Next)
            {
                case Behaviour.Answer:
                    return new(new RateLimitDecision(true, 10, TimeSpan.Zero));
                case Behaviour.Hang:
                    _hanging = new TaskCompletionSource<RateLimitDecision>(TaskCreationOptions.RunContinuationsAsynchronously);
                    return new(_hanging.Task);
                case Behaviour.Throw:
                    throw new InvalidOperationException("store down");
                case Behaviour.FailCanceled:
                    return ValueTask.FromException<RateLimitDecision>(new TaskCanceledException("client timeout"));
                default:
                    throw new ArgumentException("bad key", nameof(key));
            }
        }

        public ValueTask<LockoutDecision> RegisterAttemptAsync(string key, LockoutRule rule, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Next switch
            {
                Behaviour.Answer => new(new LockoutDecision(true, 1, TimeSpan.Zero)),
                Behaviour.Hang => new(new TaskCompletionSource<LockoutDecision>().Task),
                Behaviour.Throw => ValueTask.FromException<LockoutDecision>(new InvalidOperationException("store down")),
                _ => throw new ArgumentException("bad key", nameof(key)),
            };
        }

        public ValueTask ResetAsync(string key, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.CompletedTask;
        }
    }
}
