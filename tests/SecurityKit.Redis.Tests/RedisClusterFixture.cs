using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests;

/// <summary>
/// Starts a private three-master Redis Cluster (three redis-server processes with <c>cluster-enabled yes</c> on free
/// 127.0.0.1 ports, joined with <c>redis-cli --cluster create</c>) and stops it afterwards. Like
/// <see cref="RedisServerFixture"/>: a missing redis-server or redis-cli fails in CI and skips elsewhere.
/// </summary>
public sealed class RedisClusterFixture() : RedisProcessGroupFixture("Redis cluster", "redis-cli", "sudo apt-get install -y redis-server (or brew install redis).")
{
    private const int Masters = 3;

    public IReadOnlyList<int> Ports { get; private set; } = [];

    public string ConnectionString => string.Join(',', Ports.Select(p => $"127.0.0.1:{p}")) + ",abortConnect=false,connectTimeout=5000,syncTimeout=5000";

    protected override async Task<ConnectionMultiplexer> StartAsync(string redisServer, string tool)
    {
        Ports = ClusterPorts();
        foreach (var port in Ports)
        {
            var dir = System.IO.Directory.CreateDirectory(Path.Combine(Directory, port.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
            Start(redisServer, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no");
        }

        foreach (var port in Ports)
        {
            await RedisProcesses.WaitForListenerAsync(port).ConfigureAwait(false);
        }

        var create = new List<string> { "--cluster", "create" };
        create.AddRange(Ports.Select(p => $"127.0.0.1:{p}"));
        create.AddRange(["--cluster-replicas", "0", "--cluster-yes"]);
        using (var creator = RedisProcesses.Start(tool, [.. create]))
        {
            if (!creator.WaitForExit(60_000) || creator.ExitCode != 0)
            {
                throw new InvalidOperationException("redis-cli --cluster create failed.");
            }
        }

        var deadline = Stopwatch.StartNew();
        while (!await ClusterIsReadyAsync().ConfigureAwait(false))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException("The Redis cluster did not reach cluster_state:ok within 30 s.");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        return await ConnectionMultiplexer.ConnectAsync(ConnectionString).ConfigureAwait(false);
    }

    private async Task<bool> ClusterIsReadyAsync()
    {
        foreach (var port in Ports)
        {
            await using var node = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=2000,allowAdmin=true").ConfigureAwait(false);
            var info = (string?)await node.GetServer("127.0.0.1", port).ExecuteAsync("CLUSTER", "INFO").ConfigureAwait(false);
            if (info is null || !info.Contains("cluster_state:ok", StringComparison.Ordinal) || !info.Contains($"cluster_known_nodes:{Masters}", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Free ports whose cluster bus port (port + 10000) is free too.</summary>
    private static int[] ClusterPorts()
    {
        var ports = new List<int>();
        var listeners = new List<TcpListener>();
        try
        {
            while (ports.Count < Masters)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (port + 10000 > 65535)
                {
                    continue;
                }

                try
                {
                    var bus = new TcpListener(IPAddress.Loopback, port + 10000);
                    bus.Start();
                    listeners.Add(bus);
                    ports.Add(port);
                }
                catch (SocketException)
                {
                }
            }

            return [.. ports];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
