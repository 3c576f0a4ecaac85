using System.Reflection;
using SecurityKit.Redis.RateLimiting;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests.RateLimiting;

/// <summary>Where the rate-limit store may put several keys in one script call (no server needed).</summary>
public sealed class RedisTopologyTests
{
    [Theory]
    [InlineData(new[] { ServerType.Standalone }, new[] { true }, RedisRateLimitStore.TopologyStandalone)]
    [InlineData(new[] { ServerType.Standalone, ServerType.Standalone }, new[] { true, false }, RedisRateLimitStore.TopologyStandalone)]
    [InlineData(new[] { ServerType.Cluster, ServerType.Cluster }, new[] { true, true }, RedisRateLimitStore.TopologyCluster)]
    [InlineData(new[] { ServerType.Twemproxy }, new[] { true }, RedisRateLimitStore.TopologyUnbatched)]
    [InlineData(new[] { ServerType.Envoyproxy }, new[] { true }, RedisRateLimitStore.TopologyUnbatched)]
    [InlineData(new[] { ServerType.Standalone, ServerType.Twemproxy }, new[] { true, true }, RedisRateLimitStore.TopologyUnbatched)]
    [InlineData(new[] { ServerType.Sentinel }, new[] { true }, RedisRateLimitStore.TopologyUnbatched)]
    [InlineData(new[] { ServerType.Standalone }, new[] { false }, RedisRateLimitStore.TopologyUnknown)]
    [InlineData(new ServerType[0], new bool[0], RedisRateLimitStore.TopologyUnknown)]
    public void DetectTopology_BatchesOnlyWhereOneScriptMayTouchSeveralKeys(ServerType[] types, bool[] connected, int expected)
    {
        var servers = types.Select((type, i) => FakeServer.Create(type, connected[i])).ToArray();

        RedisRateLimitStore.DetectTopology(FakeMultiplexer.Create(servers)).Should().Be(expected);
    }

    private class FakeServer : DispatchProxy
    {
        private ServerType _type;
        private bool _connected;

        public static IServer Create(ServerType type, bool connected)
        {
            var server = DispatchProxy.Create<IServer, FakeServer>();
            var fake = (FakeServer)(object)server;
            fake._type = type;
            fake._connected = connected;
            return server;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            "get_ServerType" => _type,
            "get_IsConnected" => _connected,
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }

    private class FakeMultiplexer : DispatchProxy
    {
        private IServer[] _servers = [];

        public static IConnectionMultiplexer Create(IServer[] servers)
        {
            var multiplexer = DispatchProxy.Create<IConnectionMultiplexer, FakeMultiplexer>();
            ((FakeMultiplexer)(object)multiplexer)._servers = servers;
            return multiplexer;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            "GetServers" => _servers,
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }
}
