using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Options;
using SecurityKit.Fingerprinting.Devices;
using SecurityKit.Keys;
using SecurityKit.Redis;
using SecurityKit.Redis.Sessions;
using SecurityKit.Sessions;
using StackExchange.Redis;

namespace SecurityKit.Benchmarks;

/// <summary>
/// Session validation, in memory and against a private redis-server started in GlobalSetup on a free
/// loopback port (needs redis-server on PATH). Baselines: in memory, one HMAC-SHA256 of a token (the
/// floor: the id must be hashed); Redis, one PING round trip.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SessionsBenchmarks
{
    private static readonly SessionContext Context = new()
    {
        IpAddress = IPAddress.Parse("203.0.113.5"),
        Device = new DeviceFingerprintInput
        {
            UserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            AcceptLanguage = "en-GB,en;q=0.9",
            AcceptEncoding = "gzip, deflate, br",
        },
    };

    private readonly byte[] _hmacKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _mac = new byte[32];
    private SessionManager _memory = null!;
    private SessionManager _redis = null!;
    private string _memoryToken = null!;
    private string _memoryTokenWithContext = null!;
    private string _redisToken = null!;
    private IDatabase _database = null!;
    private ConnectionMultiplexer? _multiplexer;
    private Process? _server;
    private string? _directory;

    [GlobalSetup]
    public async Task Setup()
    {
        var keys = SecretKeyRing.FromRootKey("k1", RandomNumberGenerator.GetBytes(32));
        _memory = new SessionManager(new SessionOptions(), new InMemorySessionStore(new InMemorySessionStoreOptions(), TimeProvider.System), keys, TimeProvider.System);
        _memoryToken = (await _memory.CreateAsync("alice")).Token!;
        _memoryTokenWithContext = (await _memory.CreateAsync("bob", Context)).Token!;

        var port = FreePort();
        _directory = Directory.CreateTempSubdirectory("securitykit-bench-redis-").FullName;
        var psi = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory })
        {
            psi.ArgumentList.Add(arg);
        }

        _server = Process.Start(psi)!;
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        for (var i = 0; i < 100 && _multiplexer is null; i++)
        {
            try
            {
                _multiplexer = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=true,connectTimeout=500");
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(50);
            }
        }

        _database = _multiplexer!.GetDatabase();
        var connection = new RedisConnection(Options.Create(new RedisSecurityKitOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(_multiplexer),
        }));
        _redis = new SessionManager(new SessionOptions(), new RedisSessionStore(connection), keys, TimeProvider.System);
        _redisToken = (await _redis.CreateAsync("alice")).Token!;
        await _redis.ValidateAsync(_redisToken); // loads the script
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _multiplexer?.Dispose();
        if (_server is { HasExited: false })
        {
            _server.Kill();
            _server.WaitForExit(5000);
        }

        _server?.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("InMemory")]
    public int HmacFloor() => HMACSHA256.HashData(_hmacKey, _secret, _mac);

    [Benchmark]
    [BenchmarkCategory("InMemory")]
    public async Task<bool> ValidateInMemory() => (await _memory.ValidateAsync(_memoryToken)).IsValid;

    [Benchmark]
    [BenchmarkCategory("InMemory")]
    public async Task<bool> ValidateInMemoryWithAnomalyChecks() => (await _memory.ValidateAsync(_memoryTokenWithContext, Context)).IsValid;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Redis")]
    public Task<TimeSpan> RedisPing() => _database.PingAsync();

    [Benchmark]
    [BenchmarkCategory("Redis")]
    public async Task<bool> ValidateRedis() => (await _redis.ValidateAsync(_redisToken)).IsValid;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
