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

    /// <summary>Gets whether this is a CI run (<c>CI</c> set to anything but empty, <c>0</c> or <c>false</c>, as CI services set it):
    /// there a missing server fails the tests instead of skipping them.</summary>
    public static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "0" && !string.Equals(ci, "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>Call first in every Redis test: skips (developer machine) or fails (CI) without a server.</summary>
    public void EnsureAvailable() => RedisProcesses.EnsureAvailable(UnavailableReason, "Redis server");

    public async Task InitializeAsync()
    {
        var server = RedisProcesses.Find("redis-server");
        if (server is null)
        {
            UnavailableReason = "redis-server is not installed. Install it with: sudo apt-get install -y redis-server (or brew install redis).";
            return;
        }

        _directory = Directory.CreateTempSubdirectory("securitykit-redis-").FullName;
        Port = RedisProcesses.FreePort();
        await StartServerAsync(server).ConfigureAwait(false);
        Multiplexer = await ConnectionMultiplexer.ConnectAsync(ConnectionString).ConfigureAwait(false);
    }

    /// <summary>Stops the server (fault tests); <see cref="RestartAsync"/> brings it back on the same port.</summary>
    public void StopServer() => RedisProcesses.Stop(_process);

    public async Task RestartAsync()
    {
        StopServer();
        await StartServerAsync(RedisProcesses.Find("redis-server")!).ConfigureAwait(false);
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
        _process = RedisProcesses.Start(server, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory!, "--daemonize", "no", "--protected-mode", "yes");
        await RedisProcesses.WaitForListenerAsync(Port).ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (Multiplexer is not null)
        {
            await Multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        StopServer();
        _process?.Dispose();
        RedisProcesses.DeleteDirectory(_directory);
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
