using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests;

/// <summary>
/// Starts a private redis-server on a free 127.0.0.1 port with a temporary directory, and stops it
/// afterwards. In CI (CI=true) a missing redis-server is a failure; elsewhere tests are skipped with a
/// message saying how to install it.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private Process? _process;
    private string? _directory;

    public int Port { get; private set; }

    public string? UnavailableReason { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

    public ConnectionMultiplexer? Multiplexer { get; private set; }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Call first in every Redis test: skips (developer machine) or fails (CI) without a server.</summary>
    public void EnsureAvailable()
    {
        if (UnavailableReason is null)
        {
            return;
        }

        if (IsCi)
        {
            throw new InvalidOperationException("CI=true and the Redis server is unavailable: " + UnavailableReason);
        }

        Skip.If(true, UnavailableReason);
    }

    public async Task InitializeAsync()
    {
        var server = FindServer();
        if (server is null)
        {
            UnavailableReason = "redis-server is not installed. Install it with: sudo apt-get install -y redis-server (or brew install redis).";
            return;
        }

        _directory = Directory.CreateTempSubdirectory("securitykit-redis-").FullName;
        Port = FreePort();
        await StartServerAsync(server).ConfigureAwait(false);
        Multiplexer = await ConnectionMultiplexer.ConnectAsync(ConnectionString).ConfigureAwait(false);
    }

    /// <summary>Stops the server (fault tests); <see cref="RestartAsync"/> brings it back on the same port.</summary>
    public void StopServer()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
    }

    public async Task RestartAsync()
    {
        StopServer();
        await StartServerAsync(FindServer()!).ConfigureAwait(false);
    }

    public async Task FlushAsync()
    {
        if (Multiplexer is not null)
        {
            await Multiplexer.GetServer("127.0.0.1", Port).FlushAllDatabasesAsync().ConfigureAwait(false);
        }
    }

    private async Task StartServerAsync(string server)
    {
        var psi = new ProcessStartInfo(server)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory!, "--daemonize", "no", "--protected-mode", "yes" })
        {
            psi.ArgumentList.Add(arg);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start redis-server.");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on port {Port} within 10 s.");
    }

    public async Task DisposeAsync()
    {
        if (Multiplexer is not null)
        {
            await Multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        StopServer();
        _process?.Dispose();
        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string? FindServer()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/bin").Append("/usr/local/bin").Append("/opt/homebrew/bin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
