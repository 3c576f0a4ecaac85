// Paired Redis latency: `dotnet run -c Release --project benchmarks/SecurityKit.Benchmarks -- --paired-redis-latency [rounds]`.
// BenchmarkDotNet measures one method after another, minutes apart, so on a shared VM the PING baseline and a check can
// run under different neighbours' load. This mode interleaves them: each round runs a block of sequential calls of
// every case, in a random order, and each case's time is divided by the same round's PING time. It reports the median
// and quartiles of those per-round ratios (robust to a noisy round) and the median times.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SecurityKit.Redis;
using SecurityKit.Redis.RateLimiting;
using SecurityKit.Stores.RateLimiting;
using StackExchange.Redis;

namespace SecurityKit.Benchmarks;

internal static class RedisPairedLatency
{
    private const int CallsPerBlock = 200;

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
        using var server = new BenchmarkRedisServer();
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port}");
        var database = multiplexer.GetDatabase();
        RedisConnection Connection() => new(Options.Create(new RedisSecurityKitOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
        }));
        var store = new RedisRateLimitStore(Connection());
        var clientClockStore = RedisRateLimitStore.WithClientClock(Connection(), TimeProvider.System);
        var tokenBucket = RateLimitRule.TokenBucket(RateLimitRule.MaxLimit, TimeSpan.FromSeconds(20));
        var fixedWindow = RateLimitRule.FixedWindow(RateLimitRule.MaxLimit, TimeSpan.FromMilliseconds(1));

        // The token bucket's own script, called straight through StackExchange.Redis (no store code around it).
        var rule = RedisRateLimitScripts.CheckFor(RateLimitAlgorithm.TokenBucket, (long)tokenBucket.Window.TotalMicroseconds, tokenBucket.Limit, RedisRateLimitStore.TtlMilliseconds(tokenBucket), onePermit: true);
        await database.ExecuteAsync("SCRIPT", "LOAD", "return 1");
        await database.ExecuteAsync("SCRIPT", "LOAD", rule.Text);
        RedisKey[] directKey = ["sk:rl:{direct}"];
        var floorSha = SHA1.HashData("return 1"u8);

        // The limiter over the same store: the policy lookup, the guard's timeout and the token it cancels when it stops
        // waiting (one CancellationTokenSource per call to a remote store).
        var limiter = new SecurityKit.RateLimiting.SecurityRateLimiter(
            store,
            new SecurityKit.RateLimiting.RateLimitingOptions().AddPolicy("bench", tokenBucket, SecurityKit.RateLimiting.StoreFailurePolicy.FailClosed),
            TimeProvider.System,
            SecurityKit.Events.SecurityEventPublisher.None);

        var cases = new (string Name, Func<Task> Call)[]
        {
            ("PING", () => database.PingAsync()),
            ("EVALSHA 'return 1' (floor of any script)", () => database.ScriptEvaluateAsync(floorSha, directKey)),
            ("token-bucket script, direct", () => database.ScriptEvaluateAsync(rule.Sha1, directKey)),
            ("token-bucket script, direct, in one async method", async () => await database.ScriptEvaluateAsync(rule.Sha1, directKey).ConfigureAwait(false)),
            ("store: token bucket", () => store.AcquireAsync("bench", tokenBucket).AsTask()),
            ("store: fixed window", () => store.AcquireAsync("bench-fw", fixedWindow).AsTask()),
            ("store: token bucket, client clock", () => clientClockStore.AcquireAsync("bench-cc", tokenBucket).AsTask()),
            ("limiter (SecurityRateLimiter) over the store: token bucket", () => limiter.AcquireAsync("bench", "limiter").AsTask()),
        };

        foreach (var (_, call) in cases)
        {
            for (var i = 0; i < 2_000; i++)
            {
                await call();
            }
        }

        var times = cases.Select(_ => new List<double>()).ToArray();
        var ratios = cases.Select(_ => new List<double>()).ToArray();
        var order = Enumerable.Range(0, cases.Length).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            RandomNumberGenerator.Shuffle(order.AsSpan());
            var perCall = new double[cases.Length];
            foreach (var c in order)
            {
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < CallsPerBlock; i++)
                {
                    await cases[c].Call();
                }

                perCall[c] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / CallsPerBlock;
            }

            for (var c = 0; c < cases.Length; c++)
            {
                times[c].Add(perCall[c]);
                ratios[c].Add(perCall[c] / perCall[0]);
            }
        }

        Console.WriteLine($"Paired Redis latency: {rounds} rounds x {CallsPerBlock} sequential calls per case, random case order per round, redis-server on 127.0.0.1.");
        Console.WriteLine();
        Console.WriteLine("| case | median µs per call | ratio to PING, median of rounds | quartiles of the ratio |");
        Console.WriteLine("|---|---:|---:|---|");
        for (var c = 0; c < cases.Length; c++)
        {
            var r = ratios[c].Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {cases[c].Name} | {Quantile(times[c].Order().ToArray(), 0.5):0.0} | {Quantile(r, 0.5):0.00}x | {Quantile(r, 0.25):0.00}-{Quantile(r, 0.75):0.00}x |"));
        }

        // Per call: every call of every case timed on its own, the cases interleaved call by call (shuffled each step),
        // so a neighbour's burst of load falls on all of them alike. Latency quantiles of single calls, and their ratios.
        const int Steps = 20_000;
        var single = cases.Select(_ => new double[Steps]).ToArray();
        for (var step = 0; step < Steps; step++)
        {
            RandomNumberGenerator.Shuffle(order.AsSpan());
            foreach (var c in order)
            {
                var start = Stopwatch.GetTimestamp();
                await cases[c].Call();
                single[c][step] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
        }

        foreach (var s in single)
        {
            Array.Sort(s);
        }

        Console.WriteLine();
        Console.WriteLine($"Per call: {Steps:N0} steps, each timing one call of every case in a random order; quantiles of single-call latency (µs) and their ratio to PING's.");
        Console.WriteLine();
        Console.WriteLine("| case | p10 | p50 | p90 | p50 / PING p50 | p10 / PING p10 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        for (var c = 0; c < cases.Length; c++)
        {
            var (p10, p50, p90) = (Quantile(single[c], 0.1), Quantile(single[c], 0.5), Quantile(single[c], 0.9));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {cases[c].Name} | {p10:0.0} | {p50:0.0} | {p90:0.0} | {p50 / Quantile(single[0], 0.5):0.00}x | {p10 / Quantile(single[0], 0.1):0.00}x |"));
        }

        return 0;
    }

    private static double Quantile(double[] sorted, double q)
    {
        var position = (sorted.Length - 1) * q;
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}
