using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Primitives;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests;

/// <summary>
/// Every key a SecurityKit script touches must be declared in that call's <c>KEYS</c>: Redis requires it of scripts,
/// Redis Cluster relies on it while a slot migrates (an undeclared key that has moved fails the script part-way), and
/// Redis-compatible servers and proxies that route by the declared keys refuse scripts that break it. Audited on the
/// real server: <c>MONITOR</c> shows each <c>EVAL</c>/<c>EVALSHA</c> followed by the commands its script ran, and
/// <c>COMMAND GETKEYS</c> tells which arguments of each of those are keys.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed partial class RedisScriptKeyAuditTests(RedisServerFixture fixture)
{
    [SkippableFact]
    public async Task EveryStore_ScriptsTouchOnlyDeclaredKeys()
    {
        fixture.EnsureAvailable();
        await using var provider = RedisStoreScenario.Provider(fixture.ConnectionString, "audit" + SecureRandom.GetToken(16) + ":");

        await using var monitor = await RedisMonitor.StartAsync(fixture.Port);
        await RedisStoreScenario.RunAsync(provider, "user-" + SecureRandom.GetToken(16));
        var lines = await monitor.StopAsync(fixture.Multiplexer!.GetDatabase());

        var scripts = 0;
        var touched = 0;
        var violations = new List<string>();
        HashSet<string>? declared = null;
        foreach (var line in lines)
        {
            var match = MonitorLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var args = match.Groups["arg"].Captures.Select(c => Unescape(c.Value)).ToArray();
            var command = Encoding.ASCII.GetString(args[0]).ToUpperInvariant();
            if (match.Groups["client"].Value != "lua")
            {
                declared = null;
                if (command is "EVAL" or "EVALSHA")
                {
                    scripts++;
                    var count = int.Parse(Encoding.ASCII.GetString(args[2]), System.Globalization.CultureInfo.InvariantCulture);
                    declared = args.Skip(3).Take(count).Select(Convert.ToHexString).ToHashSet(StringComparer.Ordinal);
                }

                continue;
            }

            foreach (var key in await KeysOfAsync(args))
            {
                touched++;
                if (declared is null || !declared.Contains(Convert.ToHexString(key)))
                {
                    violations.Add($"{command} {Encoding.UTF8.GetString(key)}");
                }
            }
        }

        scripts.Should().BeGreaterThan(20, "the scenario runs scripts of every store");
        touched.Should().BeGreaterThan(scripts, "the audit saw the commands the scripts ran");
        violations.Should().BeEmpty("a script may touch only the keys its call declared");
    }

    /// <summary>The keys among a command's arguments, as the server itself reports them.</summary>
    private async Task<byte[][]> KeysOfAsync(byte[][] args)
    {
        if (args.Length < 2)
        {
            return []; // TIME and other argument-less commands take no key (and COMMAND GETKEYS needs one argument)
        }

        try
        {
            var reply = await fixture.Multiplexer!.GetDatabase().ExecuteAsync("COMMAND", [(RedisValue)"GETKEYS", .. args.Select(a => (RedisValue)a)]);
            return [.. ((RedisResult[])reply!).Select(r => (byte[])r!)];
        }
        catch (RedisServerException ex) when (ex.Message.Contains("no key arguments", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }
    }

    /// <summary>Undoes the quoting <c>MONITOR</c> applies to each argument (Redis's <c>sdscatrepr</c>).</summary>
    private static byte[] Unescape(string quoted)
    {
        var bytes = new List<byte>(quoted.Length);
        for (var i = 0; i < quoted.Length; i++)
        {
            var c = quoted[i];
            if (c != '\\')
            {
                bytes.Add((byte)c);
                continue;
            }

            c = quoted[++i];
            bytes.Add(c switch
            {
                'n' => (byte)'\n',
                'r' => (byte)'\r',
                't' => (byte)'\t',
                'a' => (byte)'\a',
                'b' => (byte)'\b',
                'x' => Convert.ToByte(quoted.Substring(i + 1, 2), 16),
                _ => (byte)c,
            });
            if (c == 'x')
            {
                i += 2;
            }
        }

        return [.. bytes];
    }

    [GeneratedRegex("""^\d+\.\d+ \[\d+ (?<client>[^\]]+)\](?: "(?<arg>(?:[^"\\]|\\.)*)")+$""")]
    private static partial Regex MonitorLine();

    /// <summary>A raw connection in <c>MONITOR</c> mode, collecting lines until stopped.</summary>
    private sealed class RedisMonitor : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly StreamReader _reader;
        private readonly List<string> _lines = [];
        private readonly Task _reading;

        private RedisMonitor(TcpClient client, StreamReader reader)
        {
            _client = client;
            _reader = reader;
            _reading = Task.Run(ReadAsync);
        }

        public static async Task<RedisMonitor> StartAsync(int port)
        {
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync("MONITOR\r\n"u8.ToArray());
            var reader = new StreamReader(stream, Encoding.Latin1);
            (await reader.ReadLineAsync()).Should().Be("+OK");
            return new RedisMonitor(client, reader);
        }

        /// <summary>Sends a marker through <paramref name="database"/> and returns every line before it.</summary>
        public async Task<IReadOnlyList<string>> StopAsync(IDatabase database)
        {
            var marker = "audit-end-" + SecureRandom.GetToken(16);
            await database.ExecuteAsync("ECHO", marker);
            var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
            while (true)
            {
                lock (_lines)
                {
                    var end = _lines.FindIndex(l => l.Contains(marker, StringComparison.Ordinal));
                    if (end >= 0)
                    {
                        return _lines.Take(end).ToArray();
                    }
                }

                if (DateTimeOffset.UtcNow > deadline)
                {
                    throw new TimeoutException("MONITOR did not show the end marker within 10 s.");
                }

                await Task.Delay(20);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            try
            {
                await _reading;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
            }
        }

        private async Task ReadAsync()
        {
            while (await _reader.ReadLineAsync() is { } line)
            {
                lock (_lines)
                {
                    _lines.Add(line.StartsWith('+') ? line[1..] : line);
                }
            }
        }
    }
}
