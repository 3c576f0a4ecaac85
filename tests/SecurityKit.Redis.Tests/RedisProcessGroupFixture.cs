using System.Diagnostics;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests;

/// <summary>
/// What the fixtures that start several processes share (the cluster's three servers, twemproxy and its servers):
/// finding redis-server and one more tool, a temporary directory, the processes, the client multiplexer, and stopping
/// it all afterwards. A missing tool fails in CI and skips elsewhere.
/// </summary>
public abstract class RedisProcessGroupFixture(string what, string tool, string installHint) : IAsyncLifetime
{
    private readonly List<Process> _processes = [];

    public string? UnavailableReason { get; private set; }

    public ConnectionMultiplexer? Multiplexer { get; private set; }

    /// <summary>Gets the temporary directory of this fixture's processes.</summary>
    protected string Directory { get; private set; } = string.Empty;

    public void EnsureAvailable() => RedisProcesses.EnsureAvailable(UnavailableReason, what);

    public async Task InitializeAsync()
    {
        var server = RedisProcesses.Find("redis-server");
        var other = RedisProcesses.Find(tool);
        if (server is null || other is null)
        {
            UnavailableReason = $"redis-server and {tool} are needed. Install them with: {installHint}";
            return;
        }

        Directory = System.IO.Directory.CreateTempSubdirectory("securitykit-" + tool + "-").FullName;
        Multiplexer = await StartAsync(server, other).ConfigureAwait(false);
    }

    public async Task DisposeAsync()
    {
        if (Multiplexer is not null)
        {
            await Multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var process in _processes)
        {
            RedisProcesses.Stop(process);
            process.Dispose();
        }

        RedisProcesses.DeleteDirectory(Directory.Length == 0 ? null : Directory);
    }

    /// <summary>Starts the processes (through <see cref="Start"/>) and returns the client's multiplexer.</summary>
    protected abstract Task<ConnectionMultiplexer> StartAsync(string redisServer, string tool);

    /// <summary>Starts a process that <see cref="DisposeAsync"/> stops.</summary>
    protected Process Start(string file, params string[] args)
    {
        var process = RedisProcesses.Start(file, args);
        _processes.Add(process);
        return process;
    }
}
