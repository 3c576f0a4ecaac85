using System.Globalization;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests;

/// <summary>
/// Starts two private redis-servers behind a private twemproxy (<c>nutcracker</c>, Debian package <c>nutcracker</c>)
/// that shards keys over them by their <c>{…}</c> hash tag, on free 127.0.0.1 ports, and connects StackExchange.Redis
/// to the proxy (<c>proxy=Twemproxy</c>). Like <see cref="RedisServerFixture"/>: a missing tool fails in CI and skips
/// elsewhere.
/// </summary>
public sealed class RedisTwemproxyFixture() : RedisProcessGroupFixture("twemproxy", "nutcracker", "sudo apt-get install -y redis-server nutcracker.")
{
    /// <summary>Gets the ports of the two redis-servers behind the proxy.</summary>
    public IReadOnlyList<int> ServerPorts { get; private set; } = [];

    public int ProxyPort { get; private set; }

    public string ConnectionString => $"127.0.0.1:{ProxyPort},proxy=Twemproxy,abortConnect=false,connectTimeout=5000,syncTimeout=5000";

    protected override async Task<ConnectionMultiplexer> StartAsync(string redisServer, string tool)
    {
        ServerPorts = [RedisProcesses.FreePort(), RedisProcesses.FreePort()];
        foreach (var port in ServerPorts)
        {
            Start(redisServer, "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Directory, "--daemonize", "no");
        }

        foreach (var port in ServerPorts)
        {
            await RedisProcesses.WaitForListenerAsync(port).ConfigureAwait(false);
        }

        ProxyPort = RedisProcesses.FreePort();
        var config = Path.Combine(Directory, "nutcracker.yml");
        await File.WriteAllTextAsync(config, string.Join('\n',
            "securitykit:",
            $"  listen: 127.0.0.1:{ProxyPort}",
            "  hash: fnv1a_64",
            "  hash_tag: \"{}\"",
            "  distribution: ketama",
            "  redis: true",
            "  auto_eject_hosts: false",
            "  timeout: 5000",
            "  servers:",
            $"   - 127.0.0.1:{ServerPorts[0]}:1 one",
            $"   - 127.0.0.1:{ServerPorts[1]}:1 two",
            string.Empty)).ConfigureAwait(false);
        Start(tool, "-c", config, "-s", RedisProcesses.FreePort().ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(Directory, "nutcracker.log"));
        await RedisProcesses.WaitForListenerAsync(ProxyPort).ConfigureAwait(false);
        return await ConnectionMultiplexer.ConnectAsync(ConnectionString).ConfigureAwait(false);
    }

    /// <summary>Gets how many keys each redis-server behind the proxy holds.</summary>
    public async Task<long[]> KeysPerServerAsync()
    {
        var counts = new long[ServerPorts.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            await using var direct = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{ServerPorts[i]},allowAdmin=true").ConfigureAwait(false);
            counts[i] = await direct.GetServer("127.0.0.1", ServerPorts[i]).DatabaseSizeAsync().ConfigureAwait(false);
        }

        return counts;
    }
}
