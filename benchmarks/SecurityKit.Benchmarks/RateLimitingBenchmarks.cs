// Rate-limiting benchmarks. Run (under the shared build lock):
//   flock /tmp/securitykit-build.lock dotnet run -c Release --project benchmarks/SecurityKit.Benchmarks -- --filter '*RateLimiting*'
// The Redis benchmarks start their own redis-server (must be on PATH) on a free 127.0.0.1 port in GlobalSetup.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using SecurityKit.RateLimiting.Stores;
using SecurityKit.Redis;
using SecurityKit.Redis.RateLimiting;
using SecurityKit.Stores.RateLimiting;
using StackExchange.Redis;

namespace SecurityKit.Benchmarks;

/// <summary>One check on an existing key: SecurityKit's in-memory store vs System.Threading.RateLimiting's PartitionedRateLimiter.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class RateLimitingInMemoryBenchmarks
{
    private const string Key = "user:42";
    private readonly InMemoryRateLimitStore _store = new();
    private readonly RateLimitRule _tokenBucket = RateLimitRule.TokenBucket(RateLimitRule.MaxLimit, TimeSpan.FromMilliseconds(1));
    private readonly RateLimitRule _fixedWindow = RateLimitRule.FixedWindow(RateLimitRule.MaxLimit, TimeSpan.FromMilliseconds(1));
    private readonly RateLimitRule _slidingWindow = RateLimitRule.SlidingWindow(RateLimitRule.MaxLimit, TimeSpan.FromMilliseconds(1));
    private PartitionedRateLimiter<string> _runtimeTokenBucket = null!;
    private PartitionedRateLimiter<string> _runtimeFixedWindow = null!;
    private SecurityKit.RateLimiting.SecurityRateLimiter _limiter = null!;
    private PartitionedRateLimiter<string> _securityKitPartitioned = null!;

    [GlobalSetup]
    public void Setup()
    {
        _runtimeTokenBucket = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        _runtimeFixedWindow = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = int.MaxValue,
            Window = TimeSpan.FromMilliseconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        _store.TryAcquire(Key, _tokenBucket);
        _runtimeTokenBucket.AttemptAcquire(Key).Dispose();

        // The public path: a named policy (key = policy + ":" + partition, timeout guard, events) and the
        // System.Threading.RateLimiting adapter that ASP.NET Core's AddRateLimiter and Polly consume.
        _limiter = new SecurityKit.RateLimiting.SecurityRateLimiter(
            new InMemoryRateLimitStore(),
            new SecurityKit.RateLimiting.RateLimitingOptions().AddPolicy("fw", _fixedWindow),
            TimeProvider.System);
        _securityKitPartitioned = _limiter.CreatePartitionedLimiter<string>("fw", key => key);
        _securityKitPartitioned.AttemptAcquire(Key).Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _runtimeTokenBucket.Dispose();
        _runtimeFixedWindow.Dispose();
        _securityKitPartitioned.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool Runtime_PartitionedTokenBucket()
    {
        using var lease = _runtimeTokenBucket.AttemptAcquire(Key);
        return lease.IsAcquired;
    }

    [Benchmark]
    public bool Runtime_PartitionedFixedWindow()
    {
        using var lease = _runtimeFixedWindow.AttemptAcquire(Key);
        return lease.IsAcquired;
    }

    [Benchmark]
    public bool SecurityKit_TokenBucketGcra() => _store.TryAcquire(Key, _tokenBucket).IsAllowed;

    [Benchmark]
    public bool SecurityKit_FixedWindow() => _store.TryAcquire("fw:user:42", _fixedWindow).IsAllowed;

    [Benchmark]
    public bool SecurityKit_SlidingWindow() => _store.TryAcquire(Key + "s", _slidingWindow).IsAllowed;

    [Benchmark]
    public bool SecurityKit_Policy_FixedWindow() => _limiter.AcquireAsync("fw", Key).Result.IsAllowed;

    [Benchmark]
    public bool SecurityKit_PartitionedLimiter_FixedWindow()
    {
        using var lease = _securityKitPartitioned.AttemptAcquire(Key);
        return lease.IsAcquired;
    }
}

/// <summary>
/// Scaling: the same number of checks done by one thread, or split over two threads (hot keys: one key per
/// thread, and one key shared by both). Time is per check.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class RateLimitingScalingBenchmarks
{
    private const int ChecksPerThread = 200_000;
    private readonly InMemoryRateLimitStore _store = new();
    private readonly RateLimitRule _rule = RateLimitRule.TokenBucket(RateLimitRule.MaxLimit, TimeSpan.FromMilliseconds(1));
    private PartitionedRateLimiter<string> _runtime = null!;

    [GlobalSetup]
    public void Setup() =>
        _runtime = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = int.MaxValue,
            TokensPerPeriod = int.MaxValue,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * ChecksPerThread)]
    public void Runtime_OneThread() => RuntimeLoop("a", 2 * ChecksPerThread);

    [Benchmark(OperationsPerInvoke = 2 * ChecksPerThread)]
    public void Runtime_TwoThreads_OwnKeys() => Parallel.Invoke(() => RuntimeLoop("a", ChecksPerThread), () => RuntimeLoop("b", ChecksPerThread));

    [Benchmark(OperationsPerInvoke = 2 * ChecksPerThread)]
    public void SecurityKit_OneThread() => StoreLoop("a", 2 * ChecksPerThread);

    [Benchmark(OperationsPerInvoke = 2 * ChecksPerThread)]
    public void SecurityKit_TwoThreads_OwnKeys() => Parallel.Invoke(() => StoreLoop("a", ChecksPerThread), () => StoreLoop("b", ChecksPerThread));

    [Benchmark(OperationsPerInvoke = 2 * ChecksPerThread)]
    public void SecurityKit_TwoThreads_SharedKey() => Parallel.Invoke(() => StoreLoop("a", ChecksPerThread), () => StoreLoop("a", ChecksPerThread));

    private void RuntimeLoop(string key, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _runtime.AttemptAcquire(key).Dispose();
        }
    }

    private void StoreLoop(string key, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _store.TryAcquire(key, _rule);
        }
    }
}

/// <summary>Starts a private redis-server for the Redis benchmarks.</summary>
internal sealed class BenchmarkRedisServer : IDisposable
{
    private readonly Process _process;

    public BenchmarkRedisServer()
    {
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        // SECURITYKIT_BENCH_REDIS_CPU=n pins the server to CPU n (taskset), e.g. with BenchmarkDotNet's --affinity
        // keeping the client on the other core: the server then never competes with the client for a core.
        var cpu = Environment.GetEnvironmentVariable("SECURITYKIT_BENCH_REDIS_CPU");
        var psi = new ProcessStartInfo(string.IsNullOrEmpty(cpu) ? "redis-server" : "taskset") { UseShellExecute = false, RedirectStandardOutput = true };
        if (!string.IsNullOrEmpty(cpu))
        {
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(cpu);
            psi.ArgumentList.Add("redis-server");
        }

        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            psi.ArgumentList.Add(arg);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server not found: apt-get install -y redis-server");
        _process.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(50);
            }
        }
    }

    public int Port { get; }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}

/// <summary>The private redis-server, the multiplexer and the store both Redis benchmark classes measure.</summary>
public abstract class RedisRateLimitingBenchmarkBase
{
    private BenchmarkRedisServer _server = null!;
    private ConnectionMultiplexer _multiplexer = null!;

    /// <summary>Gets the database for the PING and naive INCR + EXPIRE baselines.</summary>
    protected IDatabase Database { get; private set; } = null!;

    /// <summary>Gets SecurityKit's store, on the same multiplexer.</summary>
    protected RedisRateLimitStore Store { get; private set; } = null!;

    /// <summary>Gets a token bucket that always admits (one permit per 1.2 µs, the finest the Redis store accepts is 1 µs).</summary>
    protected RateLimitRule TokenBucket { get; } = RateLimitRule.TokenBucket(RateLimitRule.MaxLimit, TimeSpan.FromSeconds(20));

    /// <summary>Gets a fixed window that always admits (a new 1 ms window on nearly every check).</summary>
    protected RateLimitRule FixedWindow { get; } = RateLimitRule.FixedWindow(RateLimitRule.MaxLimit, TimeSpan.FromMilliseconds(1));

    [GlobalSetup]
    public async Task Setup()
    {
        _server = new BenchmarkRedisServer();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{_server.Port}");
        Database = _multiplexer.GetDatabase();
        var multiplexer = _multiplexer;
        Store = new RedisRateLimitStore(new RedisConnection(Options.Create(new RedisSecurityKitOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
        })));
        await Store.AcquireAsync("bench", TokenBucket); // connects and loads the script
        await Store.AcquireAsync("bench-fw", FixedWindow);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _multiplexer.DisposeAsync();
        _server.Dispose();
    }
}

/// <summary>Latency of one Redis rate-limit check vs one PING round trip, and vs naive INCR + EXPIRE.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class RateLimitingRedisLatencyBenchmarks : RedisRateLimitingBenchmarkBase
{
    [Benchmark(Baseline = true)]
    public Task<TimeSpan> Ping() => Database.PingAsync();

    // Like Ping() (which returns StackExchange.Redis's Task as is), the checks return the store's ValueTask as is: an
    // async wrapper here would add one continuation (~3 µs on this VM) that the baseline does not pay.
    [Benchmark]
    public ValueTask<RateLimitDecision> SecurityKit_TokenBucketCheck() => Store.AcquireAsync("bench", TokenBucket);

    [Benchmark]
    public ValueTask<RateLimitDecision> SecurityKit_FixedWindowCheck() => Store.AcquireAsync("bench-fw", FixedWindow);

    [Benchmark]
    public async Task<bool> Naive_IncrThenExpire()
    {
        var count = await Database.StringIncrementAsync("naive");
        await Database.KeyExpireAsync("naive", TimeSpan.FromMinutes(1));
        return count <= int.MaxValue;
    }
}

/// <summary>Throughput with 64 concurrent callers on one multiplexer (time per check; checks/s = 1 s / mean).</summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class RateLimitingRedisThroughputBenchmarks : RedisRateLimitingBenchmarkBase
{
    private const int Callers = 64;
    private const int ChecksPerCaller = 500;

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * ChecksPerCaller)]
    public Task Ping_64Callers() => Run(async _ => await Database.PingAsync());

    [Benchmark(OperationsPerInvoke = Callers * ChecksPerCaller)]
    public Task SecurityKit_64Callers() => Run(async caller => await Store.AcquireAsync("user:" + (caller % 16), TokenBucket));

    [Benchmark(OperationsPerInvoke = Callers * ChecksPerCaller)]
    public Task SecurityKit_FixedWindow_64Callers() => Run(async caller => await Store.AcquireAsync("fw:" + (caller % 16), FixedWindow));

    /// <summary>Every check on its own key (64 callers × 500 checks over 32,000 keys): no two checks of a batch share a key.</summary>
    [Benchmark(OperationsPerInvoke = Callers * ChecksPerCaller)]
    public Task SecurityKit_DistinctKeys_64Callers() => Run(async (caller, i) => await Store.AcquireAsync(DistinctKeys[(caller * ChecksPerCaller) + i], TokenBucket));

    [Benchmark(OperationsPerInvoke = Callers * ChecksPerCaller)]
    public Task Naive_IncrExpire_64Callers() => Run(async caller =>
    {
        RedisKey key = "naive:" + (caller % 16);
        await Database.StringIncrementAsync(key);
        await Database.KeyExpireAsync(key, TimeSpan.FromMinutes(1));
    });

    private static readonly string[] DistinctKeys = Enumerable.Range(0, Callers * ChecksPerCaller).Select(i => "distinct:" + i).ToArray();

    private static Task Run(Func<int, Task> check) => Run((caller, _) => check(caller));

    private static Task Run(Func<int, int, Task> check) =>
        Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < ChecksPerCaller; i++)
            {
                await check(caller, i);
            }
        })));
}
