namespace SecurityKit.Passwords.Tests;

public class PasswordHashingGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private sealed class ConcurrencyProbe
    {
        private int _running;
        private int _peak;
        private int _total;

        public int Running => Volatile.Read(ref _running);

        public int Peak => Volatile.Read(ref _peak);

        public int Total => Volatile.Read(ref _total);

        public ManualResetEventSlim? Hold { get; init; }

        public void Attach(PasswordHasher hasher)
        {
            hasher.BeforeHash = Enter;
            hasher.AfterHash = () => Interlocked.Decrement(ref _running);
        }

        private void Enter()
        {
            var now = Interlocked.Increment(ref _running);
            Interlocked.Increment(ref _total);
            int peak;
            while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
            {
            }

            Hold?.Wait(Patience);
        }
    }

    [Fact]
    public async Task HashAndVerifyAsync_ManyInSequence_EachReleasesItsSlot()
    {
        // A slot not given back would leave the gate closed for good after MaxConcurrentHashes calls (found surviving as a
        // mutant: no test called HashAsync more often than the gate is wide).
        var (hasher, _) = TestHashers.Create(o => { o.MaxConcurrentHashes = 1; o.MaxQueuedHashes = 0; });
        string? stored = null;
        for (var i = 0; i < 3; i++)
        {
            stored = await hasher.HashAsync("password").AsTask().WaitAsync(Patience);
            (await hasher.VerifyAsync("password", stored).AsTask().WaitAsync(Patience)).Should().Be(PasswordVerificationResult.Success);
            (await hasher.VerifyAsync("wrong", stored).AsTask().WaitAsync(Patience)).Should().Be(PasswordVerificationResult.Failed);
        }

        hasher.PendingHashes.Should().Be(0);
    }

    [Fact]
    public async Task VerifyAsync_ManyParallel_PeakNeverAboveGateSize()
    {
        var (hasher, _) = TestHashers.Create(o => { o.MaxConcurrentHashes = 3; o.MaxQueuedHashes = 1000; });
        var stored = hasher.Hash("password");
        using var hold = new ManualResetEventSlim(false);
        var probe = new ConcurrencyProbe { Hold = hold };
        probe.Attach(hasher);

        var tasks = Enumerable.Range(0, 40).Select(_ => Task.Run(async () => await hasher.VerifyAsync("password", stored))).ToArray();
        SpinWait.SpinUntil(() => probe.Running == 3, Patience).Should().BeTrue("three slots fill up");
        SpinWait.SpinUntil(() => probe.Running > 3, TimeSpan.FromMilliseconds(200)).Should().BeFalse("the gate holds the rest");
        SpinWait.SpinUntil(() => hasher.PendingHashes == 40, Patience).Should().BeTrue("every caller is running or queued");

        hold.Set();
        var results = await Task.WhenAll(tasks);

        results.Should().AllBeEquivalentTo(PasswordVerificationResult.Success);
        probe.Peak.Should().Be(3);
        probe.Total.Should().Be(40);
        hasher.PendingHashes.Should().Be(0);
    }

    [Fact]
    public async Task HashAndVerify_Synchronous_OnDedicatedThreads_PeakNeverAboveGateSize()
    {
        // The synchronous Hash/Verify wait on the gate with a blocking wait, not the async path above: held the same way.
        var (hasher, _) = TestHashers.Create(o => { o.MaxConcurrentHashes = 2; o.MaxQueuedHashes = 1000; });
        var stored = hasher.Hash("password");
        using var hold = new ManualResetEventSlim(false);
        var probe = new ConcurrencyProbe { Hold = hold };
        probe.Attach(hasher);

        var threads = Enumerable.Range(0, 12).Select(i => Task.Factory.StartNew(
            () => i % 3 == 0 ? (object)hasher.Hash("password") : hasher.Verify("password", stored),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        SpinWait.SpinUntil(() => probe.Running == 2, Patience).Should().BeTrue("two slots fill up");
        SpinWait.SpinUntil(() => hasher.PendingHashes == 12, Patience).Should().BeTrue("every caller is running or waiting");
        SpinWait.SpinUntil(() => probe.Running > 2, TimeSpan.FromMilliseconds(200)).Should().BeFalse("the gate holds the rest");

        hold.Set();
        var results = await Task.WhenAll(threads).WaitAsync(Patience);

        results.OfType<PasswordVerificationResult>().Should().HaveCount(8).And.OnlyContain(r => r == PasswordVerificationResult.Success);
        probe.Peak.Should().Be(2);
        probe.Total.Should().Be(12);
        hasher.PendingHashes.Should().Be(0);
    }

    [Fact]
    public async Task HashAndVerify_Unblocked200Parallel_BoundedAndExact()
    {
        var (hasher, _) = TestHashers.Create(o => { o.MaxConcurrentHashes = 2; o.MaxQueuedHashes = 1000; o.Argon2MemoryKiB = 64; });
        var stored = hasher.Hash("password");
        var probe = new ConcurrencyProbe();
        probe.Attach(hasher);

        var verifies = Enumerable.Range(0, 150).Select(i => Task.Run(async () => await hasher.VerifyAsync(i % 2 == 0 ? "password" : "wrong", stored)));
        var hashes = Enumerable.Range(0, 50).Select(_ => Task.Run(() => hasher.Hash("password")));
        var verifyResults = await Task.WhenAll(verifies);
        await Task.WhenAll(hashes);

        verifyResults.Count(r => r == PasswordVerificationResult.Success).Should().Be(75);
        verifyResults.Count(r => r == PasswordVerificationResult.Failed).Should().Be(75);
        probe.Total.Should().Be(200);
        probe.Peak.Should().BeLessThanOrEqualTo(2);
    }

    [Fact]
    public async Task VerifyAsync_QueueFull_ThrowsBusyAndPublishesEvent()
    {
        var (hasher, sink) = TestHashers.Create(o => { o.MaxConcurrentHashes = 2; o.MaxQueuedHashes = 3; });
        var stored = hasher.Hash("password");
        using var hold = new ManualResetEventSlim(false);
        var probe = new ConcurrencyProbe { Hold = hold };
        probe.Attach(hasher);

        var running = Enumerable.Range(0, 2).Select(_ => Task.Run(async () => await hasher.VerifyAsync("password", stored))).ToArray();
        SpinWait.SpinUntil(() => probe.Running == 2, Patience).Should().BeTrue();
        var queued = Enumerable.Range(0, 3).Select(_ => hasher.VerifyAsync("password", stored).AsTask()).ToArray();
        hasher.PendingHashes.Should().Be(5);

        var overflow = async () => await hasher.VerifyAsync("password", stored);
        await overflow.Should().ThrowAsync<PasswordHasherBusyException>();
        var overflowHash = async () => await hasher.HashAsync("password");
        await overflowHash.Should().ThrowAsync<PasswordHasherBusyException>();
        var overflowSync = () => hasher.Verify("password", stored);
        overflowSync.Should().Throw<PasswordHasherBusyException>();
        sink.Named(PasswordEventNames.GateRejected).Should().HaveCount(3).And.OnlyContain(e => e.Reason == PasswordReasonCodes.QueueFull);
        hasher.PendingHashes.Should().Be(5);

        hold.Set();
        (await Task.WhenAll(running.Concat(queued))).Should().AllBeEquivalentTo(PasswordVerificationResult.Success);
        hasher.PendingHashes.Should().Be(0);
        (await hasher.VerifyAsync("password", stored)).Should().Be(PasswordVerificationResult.Success);
    }

    [Fact]
    public async Task VerifyAsync_CancelledWhileQueued_ThrowsAndFreesItsPlace()
    {
        var (hasher, _) = TestHashers.Create(o => { o.MaxConcurrentHashes = 1; o.MaxQueuedHashes = 1; });
        var stored = hasher.Hash("password");
        using var hold = new ManualResetEventSlim(false);
        var probe = new ConcurrencyProbe { Hold = hold };
        probe.Attach(hasher);

        var first = Task.Run(async () => await hasher.VerifyAsync("password", stored));
        SpinWait.SpinUntil(() => probe.Running == 1, Patience).Should().BeTrue();
        using var cts = new CancellationTokenSource();
        var queued = hasher.VerifyAsync("password", stored, cts.Token).AsTask();
        hasher.PendingHashes.Should().Be(2);
        await cts.CancelAsync();

        await queued.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        hasher.PendingHashes.Should().Be(1);

        // The freed place can be used again; a pre-cancelled token never queues.
        var again = hasher.VerifyAsync("password", stored).AsTask();
        var preCancelled = async () => await hasher.HashAsync("password", new CancellationToken(canceled: true));
        await preCancelled.Should().ThrowAsync<PasswordHasherBusyException>("the queue is full again");
        hold.Set();
        (await first).Should().Be(PasswordVerificationResult.Success);
        (await again).Should().Be(PasswordVerificationResult.Success);
        var cancelledFree = async () => await hasher.HashAsync("password", new CancellationToken(canceled: true));
        await cancelledFree.Should().ThrowAsync<OperationCanceledException>();
        hasher.PendingHashes.Should().Be(0);
        probe.Total.Should().Be(2);
    }

    [Fact]
    public async Task VerifyAsync_RejectedPassword_DoesNotTakeASlot()
    {
        var (hasher, _) = TestHashers.Create(o => { o.MaxConcurrentHashes = 1; o.MaxQueuedHashes = 0; });
        var stored = hasher.Hash("password");
        using var hold = new ManualResetEventSlim(false);
        var probe = new ConcurrencyProbe { Hold = hold };
        probe.Attach(hasher);
        var first = Task.Run(async () => await hasher.VerifyAsync("password", stored));
        SpinWait.SpinUntil(() => probe.Running == 1, Patience).Should().BeTrue();

        (await hasher.VerifyAsync("", stored)).Should().Be(PasswordVerificationResult.Failed);
        hold.Set();
        (await first).Should().Be(PasswordVerificationResult.Success);
    }
}
