using System.Threading.RateLimiting;
using SecurityKit.RateLimiting.Stores;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Tests;

public sealed class SecurityRateLimiterTests
{
    private static (SecurityRateLimiter Limiter, FlakyStore Store, CapturingSink Sink, Microsoft.Extensions.Time.Testing.FakeTimeProvider Time) Create(StoreFailurePolicy policy)
    {
        var time = TestKeys.Clock();
        var store = new FlakyStore(new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), time));
        var (publisher, sink) = CapturingSink.Create(time);
        var options = new RateLimitingOptions { StoreTimeout = TimeSpan.FromMilliseconds(200) }
            .AddPolicy("api", RateLimitRule.FixedWindow(4, TimeSpan.FromMinutes(1)), policy, 0.5);
        return (new SecurityRateLimiter(store, options, time, publisher), store, sink, time);
    }

    [Fact]
    public async Task AcquireAsync_OverLimit_DeniesAndPublishesThrottled()
    {
        var (limiter, store, sink, _) = Create(StoreFailurePolicy.FailClosed);
        for (var i = 0; i < 4; i++)
        {
            (await limiter.AcquireAsync("api", "user-1")).IsAllowed.Should().BeTrue();
        }

        var denied = await limiter.AcquireAsync("api", "user-1");

        denied.IsAllowed.Should().BeFalse();
        denied.IsDegraded.Should().BeFalse();
        sink.Named(RateLimitingEventNames.Throttled).Should().ContainSingle();
        store.Keys.Should().AllBe("api:user-1");
    }

    [Fact]
    public async Task Throttled_Event_CarriesPolicyRetryAndReason_ButNotForAPeek()
    {
        var (limiter, store, sink, time) = Create(StoreFailurePolicy.FailClosed);
        time.Advance(TimeSpan.FromSeconds(15));
        for (var i = 0; i < 4; i++)
        {
            await limiter.AcquireAsync("api", "user-1");
        }

        (await limiter.AcquireAsync("api", "user-1", 0)).IsAllowed.Should().BeFalse();
        sink.Named(RateLimitingEventNames.Throttled).Should().BeEmpty("a peek (0 permits) refuses nothing");

        await limiter.AcquireAsync("api", "user-1");
        var throttled = sink.Named(RateLimitingEventNames.Throttled).Should().ContainSingle().Which;
        throttled.Reason.Should().Be("rate_limited");
        throttled.Properties.Should().Equal(
            new KeyValuePair<string, string?>("policy", "api"),
            new KeyValuePair<string, string?>("retry_after_ms", "45000"));

        store.Current = FlakyStore.Mode.Throwing;
        await limiter.AcquireAsync("api", "user-2");
        sink.Named(RateLimitingEventNames.Throttled).Select(e => e.Reason).Should().Equal("rate_limited", "store_unavailable");
    }

    [Fact]
    public void CreateLimiter_CountsUnderPolicyColonPartition_LikeAcquireAsync()
    {
        var (limiter, store, _, _) = Create(StoreFailurePolicy.FailClosed);
        using var single = limiter.CreateLimiter("api", "tenant-7");
        using (single.AttemptAcquire())
        {
        }

        store.Keys.Should().Equal("api:tenant-7");
    }

    [Fact]
    public async Task Adapters_AfterDispose_KeepWorking()
    {
        // The runtime's partitioned limiter disposes a partition idle for 10 s while a request may already hold it:
        // throwing ObjectDisposedException (as the built-in limiters do) would fail that request. Nothing is freed by
        // Dispose, since the state lives in the store.
        var (limiter, store, _, _) = Create(StoreFailurePolicy.FailClosed);
        var single = limiter.CreateLimiter("api", "tenant-7");
        single.Dispose();
        using (var lease = single.AttemptAcquire())
        {
            lease.IsAcquired.Should().BeTrue();
        }

        var partitioned = limiter.CreatePartitionedLimiter<string>("api", r => r);
        await partitioned.DisposeAsync();
        using (var lease = await partitioned.AcquireAsync("t"))
        {
            lease.IsAcquired.Should().BeTrue();
        }

        store.Keys.Should().Equal("api:tenant-7", "api:t");
    }

    [Fact]
    public async Task PartitionKey_UpTo256Characters()
    {
        var (limiter, store, _, _) = Create(StoreFailurePolicy.FailClosed);
        (await limiter.AcquireAsync("api", new string('p', 256))).IsAllowed.Should().BeTrue();
        await limiter.Invoking(l => l.AcquireAsync("api", new string('p', 257)).AsTask()).Should().ThrowAsync<ArgumentException>();

        // The adapter takes request data: a key of 256 characters is used as it is, a longer one by its hash.
        using var partitioned = limiter.CreatePartitionedLimiter<string>("api", r => r);
        using (partitioned.AttemptAcquire(new string('q', 256)))
        using (partitioned.AttemptAcquire(new string('q', 257)))
        {
        }

        store.Keys.Should().Contain("api:" + new string('q', 256));
        store.Keys.Should().Contain(k => k.StartsWith("api:#", StringComparison.Ordinal) && k.Length == 4 + 1 + 43);
    }

    [Fact]
    public async Task AcquireAsync_StoreThrows_FailOpenAllows()
    {
        var (limiter, store, sink, _) = Create(StoreFailurePolicy.FailOpen);
        store.Current = FlakyStore.Mode.Throwing;

        var decision = await limiter.AcquireAsync("api", "u");

        decision.IsAllowed.Should().BeTrue();
        decision.IsDegraded.Should().BeTrue();
        sink.Named(RateLimitingEventNames.StoreUnavailable).Should().ContainSingle().Which.Reason.Should().Be("store_error");
    }

    [Fact]
    public async Task AcquireAsync_StoreThrows_FailClosedDenies()
    {
        var (limiter, store, sink, _) = Create(StoreFailurePolicy.FailClosed);
        store.Current = FlakyStore.Mode.Throwing;

        var decision = await limiter.AcquireAsync("api", "u");

        decision.IsAllowed.Should().BeFalse();
        decision.IsDegraded.Should().BeTrue();
        decision.RetryAfter.Should().BePositive();
        sink.Named(RateLimitingEventNames.Throttled).Should().ContainSingle()
            .Which.Reason.Should().Be("store_unavailable", "the client did not exceed anything: the store could not answer");
    }

    [Fact]
    public async Task AcquireAsync_StoreThrows_FallbackUsesStricterInMemoryLimit()
    {
        var (limiter, store, _, _) = Create(StoreFailurePolicy.FallbackToMemory);
        store.Current = FlakyStore.Mode.Throwing;

        var results = new List<RateLimitDecision>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(await limiter.AcquireAsync("api", "u"));
        }

        results.Count(r => r.IsAllowed).Should().Be(2, "the fallback halves the limit of 4");
        results.Should().OnlyContain(r => r.IsDegraded);
    }

    [Fact]
    public async Task AcquireAsync_StoreThrows_RequestLargerThanTheFallbackLimit_Refused()
    {
        // Limit 4, fallback 2: a request for 4 permits was granted while charging only 2, so large requests kept the
        // primary limit during an outage.
        var (limiter, store, _, _) = Create(StoreFailurePolicy.FallbackToMemory);
        store.Current = FlakyStore.Mode.Throwing;

        var large = await limiter.AcquireAsync("api", "u", permits: 4);
        large.IsAllowed.Should().BeFalse();
        large.IsDegraded.Should().BeTrue();
        (await limiter.AcquireAsync("api", "u", permits: 2)).IsAllowed.Should().BeTrue("the fallback's own limit still fits");
        (await limiter.AcquireAsync("api", "u", permits: 1)).IsAllowed.Should().BeFalse();
    }

    [Fact]
    public async Task AcquireAsync_StoreHangs_PolicyAppliesAtTimeout_ThenRecovers()
    {
        var (limiter, store, sink, time) = Create(StoreFailurePolicy.FailClosed);
        store.Current = FlakyStore.Mode.Hanging;

        var pending = limiter.AcquireAsync("api", "u").AsTask();
        pending.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(200));
        var decision = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        decision.IsAllowed.Should().BeFalse();
        decision.IsDegraded.Should().BeTrue();
        sink.Named(RateLimitingEventNames.StoreUnavailable).Should().ContainSingle().Which.Reason.Should().Be("timeout");

        store.Current = FlakyStore.Mode.Healthy;
        time.Advance(TimeSpan.FromMilliseconds(200)); // after a timeout the store is skipped for one timeout
        var recovered = await limiter.AcquireAsync("api", "u");
        recovered.IsAllowed.Should().BeTrue();
        recovered.IsDegraded.Should().BeFalse();
    }

    private static async Task TimeOutOnce(SecurityRateLimiter limiter, Microsoft.Extensions.Time.Testing.FakeTimeProvider time)
    {
        var pending = limiter.AcquireAsync("api", "u").AsTask();
        time.Advance(TimeSpan.FromMilliseconds(200));
        (await pending.WaitAsync(TimeSpan.FromSeconds(10))).IsDegraded.Should().BeTrue();
    }

    [Fact]
    public async Task AcquireAsync_AfterThreeTimeouts_SkipsTheHangingStoreThenProbesOneAtATime()
    {
        // During an outage a remote store hangs until the timeout: only probes may wait, not every request.
        var (limiter, store, _, time) = Create(StoreFailurePolicy.FailClosed);
        store.Current = FlakyStore.Mode.Hanging;
        await TimeOutOnce(limiter, time);
        await TimeOutOnce(limiter, time);
        var callsBefore = store.Keys.Count;
        limiter.AcquireAsync("api", "u").IsCompleted.Should().BeFalse("two timeouts do not trip it: this call goes to the store");
        time.Advance(TimeSpan.FromMilliseconds(200)); // the third timeout
        await Task.Delay(50);
        var callsAfterTimeout = store.Keys.Count;
        callsAfterTimeout.Should().Be(callsBefore + 1);

        // Within one timeout of it: answered at once by the policy, the store is not called (50 concurrent callers).
        var skipped = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await limiter.AcquireAsync("api", "u"))));
        skipped.Should().OnlyContain(d => d.IsDegraded && !d.IsAllowed);
        store.Keys.Count.Should().Be(callsAfterTimeout);

        // After it: exactly one of 50 concurrent callers probes the (still hanging) store; the others are answered at once.
        time.Advance(TimeSpan.FromMilliseconds(200));
        var racing = Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await limiter.AcquireAsync("api", "u"))).ToArray();
        await Task.WhenAny(Task.WhenAll(racing), Task.Delay(2_000));
        racing.Count(t => !t.IsCompleted).Should().Be(1, "one probe waits for the store");
        store.Keys.Count.Should().Be(callsAfterTimeout + 1, "exactly one probe reached the store");

        // The probe times out: skipped again at once (a failed probe re-arms); then the store is back and the next probe closes it.
        time.Advance(TimeSpan.FromMilliseconds(200));
        (await Task.WhenAll(racing).WaitAsync(TimeSpan.FromSeconds(10))).Should().OnlyContain(d => d.IsDegraded);
        store.Current = FlakyStore.Mode.Healthy;
        (await limiter.AcquireAsync("api", "u")).IsDegraded.Should().BeTrue("still within the timeout after the failed probe");
        time.Advance(TimeSpan.FromMilliseconds(200));
        (await limiter.AcquireAsync("api", "u")).Should().Be(new RateLimitDecision(true, 3, TimeSpan.Zero), "the probe answered");
        (await limiter.AcquireAsync("api", "u")).Should().Be(new RateLimitDecision(true, 2, TimeSpan.Zero), "closed again: every call uses the store");
    }

    [Fact]
    public async Task AcquireAsync_CancelledProbe_FreesTheTurnForTheNextCall()
    {
        var (limiter, store, _, time) = Create(StoreFailurePolicy.FailClosed);
        store.Current = FlakyStore.Mode.Hanging;
        for (var i = 0; i < 3; i++)
        {
            await TimeOutOnce(limiter, time);
        }

        time.Advance(TimeSpan.FromMilliseconds(200));
        using var cancel = new CancellationTokenSource();
        var probe = limiter.AcquireAsync("api", "u", 1, cancel.Token).AsTask();
        probe.IsCompleted.Should().BeFalse();
        await cancel.CancelAsync();
        await FluentActions.Awaiting(() => probe.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<OperationCanceledException>();

        store.Current = FlakyStore.Mode.Healthy;
        (await limiter.AcquireAsync("api", "u")).Should().Be(new RateLimitDecision(true, 3, TimeSpan.Zero), "the next call probes and closes it");
    }

    [Fact]
    public async Task AcquireAsync_OneTimeoutThenAnswers_DoesNotSkip()
    {
        // One slow call (a GC pause) must not turn the store off: the count of consecutive timeouts restarts on an answer.
        var (limiter, store, _, time) = Create(StoreFailurePolicy.FailClosed);
        store.Current = FlakyStore.Mode.Hanging;
        await TimeOutOnce(limiter, time);
        await TimeOutOnce(limiter, time);
        store.Current = FlakyStore.Mode.Healthy;
        (await limiter.AcquireAsync("api", "u")).IsDegraded.Should().BeFalse();
        store.Current = FlakyStore.Mode.Hanging;
        await TimeOutOnce(limiter, time);
        store.Current = FlakyStore.Mode.Healthy;
        (await limiter.AcquireAsync("api", "u")).IsDegraded.Should().BeFalse("one timeout after an answer does not trip it");
    }

    [Fact]
    public async Task AcquireAsync_StoreErrorsThatComeBackFast_DoNotSkipTheStore()
    {
        // A fast error (e.g. a server error on one key) costs no waiting, so it must not turn the store off for others.
        var (limiter, store, _, _) = Create(StoreFailurePolicy.FailClosed);
        store.Current = FlakyStore.Mode.Throwing;
        (await limiter.AcquireAsync("api", "u")).IsDegraded.Should().BeTrue();

        store.Current = FlakyStore.Mode.Healthy;
        (await limiter.AcquireAsync("api", "u")).Should().Be(new RateLimitDecision(true, 3, TimeSpan.Zero));
    }

    [Fact]
    public async Task AcquireAsync_RepeatedFailures_PublishAtMostOneEventPer5Seconds()
    {
        var (limiter, store, sink, time) = Create(StoreFailurePolicy.FailOpen);
        store.Current = FlakyStore.Mode.Throwing;
        for (var i = 0; i < 10; i++)
        {
            await limiter.AcquireAsync("api", "u");
        }

        time.Advance(TimeSpan.FromSeconds(5));
        await limiter.AcquireAsync("api", "u");

        sink.Named(RateLimitingEventNames.StoreUnavailable).Should().HaveCount(2);
    }

    [Fact]
    public async Task AcquireAsync_UnknownPolicyOrBadKey_Throws()
    {
        var (limiter, _, _, _) = Create(StoreFailurePolicy.FailOpen);

        await FluentActions.Awaiting(async () => await limiter.AcquireAsync("nope", "u")).Should().ThrowAsync<ArgumentException>().WithMessage("*AddPolicy*");
        await FluentActions.Awaiting(async () => await limiter.AcquireAsync("api", "")).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await limiter.AcquireAsync("api", new string('x', 257))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await limiter.AcquireAsync("api", "u", 5)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => limiter.CreateLimiter("api", new string('x', 257))).Should().Throw<ArgumentException>().WithMessage("*256*");
        FluentActions.Invoking(() => limiter.CreateLimiter("api", "")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => limiter.CreateLimiter("nope", "u")).Should().Throw<ArgumentException>().WithMessage("*AddPolicy*");
    }

    [Fact]
    public async Task CreateLimiter_IdleDuration_TimeSinceLastAcquire_SoPartitionsCanBeDropped()
    {
        // null meant "never idle": PartitionedRateLimiter (ASP.NET Core's RateLimitPartition.Get) then kept one limiter
        // per request-derived key for ever. The counts live in the store, so dropping an idle limiter loses nothing.
        var (limiter, _, _, time) = Create(StoreFailurePolicy.FailClosed);
        using var rateLimiter = limiter.CreateLimiter("api", "tenant-1");
        rateLimiter.IdleDuration.Should().Be(TimeSpan.Zero);
        time.Advance(TimeSpan.FromSeconds(30));
        rateLimiter.IdleDuration.Should().Be(TimeSpan.FromSeconds(30));
        using (rateLimiter.AttemptAcquire(1))
        {
        }

        rateLimiter.IdleDuration.Should().Be(TimeSpan.Zero);
        time.Advance(TimeSpan.FromSeconds(5));
        using (await rateLimiter.AcquireAsync(1))
        {
        }

        rateLimiter.IdleDuration.Should().Be(TimeSpan.Zero);

        // Through the runtime's partitioned limiter: a new limiter for the same key after the old one was dropped still
        // sees the count in the store.
        using var partitioned = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, k => limiter.CreateLimiter("api", k)));
        for (var i = 0; i < 2; i++)
        {
            using var lease = partitioned.AttemptAcquire("tenant-1");
            lease.IsAcquired.Should().BeTrue();
        }

        using var fifth = partitioned.AttemptAcquire("tenant-1");
        fifth.IsAcquired.Should().BeFalse("2 + 2 of 4 were used before");
    }

    [Fact]
    public async Task CreateLimiter_RefusedLease_CarriesRetryAfter()
    {
        var (limiter, _, _, _) = Create(StoreFailurePolicy.FailClosed);
        using var rateLimiter = limiter.CreateLimiter("api", "tenant-1");

        using (var lease = rateLimiter.AttemptAcquire(4))
        {
            lease.IsAcquired.Should().BeTrue();
            lease.TryGetMetadata(MetadataName.RetryAfter, out _).Should().BeFalse();
        }

        using var refused = await rateLimiter.AcquireAsync(1);
        refused.IsAcquired.Should().BeFalse();
        refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter).Should().BeTrue();
        retryAfter.Should().Be(TimeSpan.FromMinutes(1));
        refused.MetadataNames.Should().Equal(MetadataName.RetryAfter.Name);
    }

    [Fact]
    public async Task CreatePartitionedLimiter_PartitionsByResource()
    {
        var (limiter, store, _, _) = Create(StoreFailurePolicy.FailClosed);
        using var partitioned = limiter.CreatePartitionedLimiter<string>("api", user => "user:" + user);

        for (var i = 0; i < 4; i++)
        {
            partitioned.AttemptAcquire("alice").IsAcquired.Should().BeTrue();
        }

        partitioned.AttemptAcquire("alice").IsAcquired.Should().BeFalse();
        (await partitioned.AcquireAsync("bob")).IsAcquired.Should().BeTrue();
        store.Keys.Should().Contain("api:user:alice").And.Contain("api:user:bob");
    }

    [Fact]
    public async Task CreatePartitionedLimiter_EmptyOrOverlongKeysFromTheRequest_NeverThrow()
    {
        // Partition keys come from request data: a missing header (null/empty) or a 10 kB one must not turn every
        // request into a 500. Empty keys share one partition; long keys are hashed, one partition each.
        var (limiter, store, _, _) = Create(StoreFailurePolicy.FailClosed);
        using var partitioned = limiter.CreatePartitionedLimiter<string?>("api", key => key!);
        var longA = new string('a', 10_000);
        var longB = new string('a', 9_999) + "b";

        for (var i = 0; i < 4; i++)
        {
            partitioned.AttemptAcquire(null).IsAcquired.Should().BeTrue();
            (await partitioned.AcquireAsync(longA)).IsAcquired.Should().BeTrue();
        }

        partitioned.AttemptAcquire(string.Empty).IsAcquired.Should().BeFalse("null and empty share one partition");
        partitioned.AttemptAcquire(longA).IsAcquired.Should().BeFalse();
        partitioned.AttemptAcquire(longB).IsAcquired.Should().BeTrue("another long key is another partition");
        store.Keys.Should().Contain("api:").And.OnlyContain(k => k.Length <= 4 + 1 + 256);
    }

    [Fact]
    public void CreatePartitionedLimiter_ShortKeyLookingLikeAHashedOne_GetsItsOwnPartition()
    {
        // A request-supplied "#" + base64url(SHA-256(long key)) used to share the long key's counter.
        var (limiter, store, _, _) = Create(StoreFailurePolicy.FailClosed);
        using var partitioned = limiter.CreatePartitionedLimiter<string>("api", key => key);
        var longKey = new string('x', 300);
        var hashedForm = "#" + System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(longKey.AsSpan())));

        for (var i = 0; i < 4; i++)
        {
            partitioned.AttemptAcquire(longKey).IsAcquired.Should().BeTrue();
        }

        partitioned.AttemptAcquire(hashedForm).IsAcquired.Should().BeTrue("a key of its own, not the long key's exhausted one");
        store.Keys.Should().Contain("api:" + hashedForm, "the long key's hashed partition");
        store.Keys.Where(k => k.StartsWith("api:#", StringComparison.Ordinal)).Distinct().Should().HaveCount(2, "the short key was hashed into a partition of its own");

        // Keys differing only in lone surrogates reach the store hashed (well-formed), distinct per key: UTF-8 (Redis)
        // would have turned both into "x\uFFFD".
        partitioned.AttemptAcquire("x\uD800").IsAcquired.Should().BeTrue();
        partitioned.AttemptAcquire("x\uDC00").IsAcquired.Should().BeTrue();
        store.Keys.Should().OnlyContain(k => SecurityKit.Primitives.WellFormedText.IsWellFormedUtf16(k));
        store.Keys.Where(k => k.StartsWith("api:#", StringComparison.Ordinal)).Distinct().Should().HaveCount(4);
    }

    [Fact]
    public async Task CreatePartitionedLimiter_RemoteStore_WaitsForAnswer()
    {
        var (limiter, store, _, time) = Create(StoreFailurePolicy.FailClosed);
        using var partitioned = limiter.CreatePartitionedLimiter<string>("api", user => user);
        store.Current = FlakyStore.Mode.Hanging;

        var pending = partitioned.AcquireAsync("alice").AsTask();
        time.Advance(TimeSpan.FromMilliseconds(200));

        (await pending.WaitAsync(TimeSpan.FromSeconds(10))).IsAcquired.Should().BeFalse();
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithTheStartupMessage()
    {
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), time);

        FluentActions.Invoking(() => new SecurityRateLimiter(store, new RateLimitingOptions { StoreTimeout = TimeSpan.Zero }, time))
            .Should().Throw<ArgumentException>().WithMessage("*StoreTimeout*");
        FluentActions.Invoking(() => new SecurityRateLimiter(store, new RateLimitingOptions().AddPolicy("a:b", RateLimitRule.FixedWindow(1, TimeSpan.FromSeconds(1))), time))
            .Should().Throw<ArgumentException>().WithMessage("*must not contain ':'*");
        FluentActions.Invoking(() => new SecurityRateLimiter(store, null!, time)).Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData(RateLimitAlgorithm.TokenBucket, 1)]
    [InlineData(RateLimitAlgorithm.FixedWindow, 2)]
    [InlineData(RateLimitAlgorithm.SlidingWindow, 3)]
    public async Task AcquireAsync_InMemoryKeyOnTheStack_DecidesLikeTheStringKeyPath(RateLimitAlgorithm algorithm, int seed)
    {
        // With the in-memory store the limiter composes "policy:partition" on the stack and looks the entry up by span;
        // it must decide exactly like the store called with the string key (a second store on the same clock).
        var time = TestKeys.Clock();
        var rule = new RateLimitRule(algorithm, 5, TimeSpan.FromSeconds(10));
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), time);
        var reference = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), time);
        var limiter = new SecurityRateLimiter(store, new RateLimitingOptions().AddPolicy("api", rule), time);
        var partitioned = limiter.CreatePartitionedLimiter<string>("api", p => p);
        var random = new Random(seed);

        for (var step = 0; step < 400; step++)
        {
            var partition = "user-" + random.Next(3);
            var permits = random.Next(4) == 0 ? 0 : random.Next(1, 3);
            if (random.Next(3) == 0)
            {
                time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 4_000)));
            }

            if (random.Next(10) == 0)
            {
                // A reset by string key removes the entry: the next check must start over.
                store.Reset("api:" + partition);
                reference.Reset("api:" + partition);
            }
            else if (random.Next(10) == 0)
            {
                // A dead entry still in the dictionary (a reset or eviction racing this check): the span path finds it,
                // sees it dead and must start over through the string path, like a reset.
                store.KillWithoutRemoving("api:" + partition);
                reference.Reset("api:" + partition);
            }

            var expected = reference.TryAcquire("api:" + partition, rule, permits);
            if (step % 2 == 0)
            {
                (await limiter.AcquireAsync("api", partition, permits)).Should().Be(expected, $"step {step}");
            }
            else
            {
                using var lease = partitioned.AttemptAcquire(partition, permits);
                lease.IsAcquired.Should().Be(expected.IsAllowed, $"step {step}");
            }
        }
    }

    [Fact]
    public async Task AcquireAsync_InMemory_1000ParallelChecksOnOnePartition_AdmitExactlyTheLimit()
    {
        var time = TestKeys.Clock();
        var store = new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), time);
        var limiter = new SecurityRateLimiter(store, new RateLimitingOptions().AddPolicy("api", RateLimitRule.FixedWindow(600, TimeSpan.FromHours(1))), time);
        await limiter.AcquireAsync("api", "warm", 0);

        var results = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => Task.Run(async () => (await limiter.AcquireAsync("api", "hot")).IsAllowed)));

        results.Count(allowed => allowed).Should().Be(600);
        store.TryAcquire("api:hot", RateLimitRule.FixedWindow(600, TimeSpan.FromHours(1)), 0).Remaining.Should().Be(0);
    }
}
