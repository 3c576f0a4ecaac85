using System.Net;
using BenchmarkDotNet.Attributes;
using SecurityKit.Fingerprinting.ClientIp;

namespace SecurityKit.Benchmarks;

/// <summary>
/// Client IP resolution. Baseline: the common naive code (take the first X-Forwarded-For entry and
/// IPAddress.TryParse it), which is spoofable but shows the floor of "parse one address".
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ClientIpBenchmarks
{
    private readonly string[] _chain = ["198.51.100.7, 10.0.0.3, 10.0.0.2"];
    private readonly string[] _forwarded = ["for=198.51.100.7;proto=https, for=\"[fd00::3]:8080\", for=10.0.0.2"];
    private readonly string[] _padded = [string.Join(", ", Enumerable.Repeat("1.1.1.1", 200)) + ", 198.51.100.7, 10.0.0.2"];
    private ClientIpResolver _xff = null!;
    private ClientIpResolver _rfc7239 = null!;
    private IPAddress _peer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new ClientIpResolverOptions();
        options.TrustedProxies.Add("10.0.0.0/8");
        options.TrustedProxies.Add("fd00::/8");
        _xff = new ClientIpResolver(options);
        var forwarded = new ClientIpResolverOptions { Header = ForwardedHeader.Forwarded };
        forwarded.TrustedProxies.Add("10.0.0.0/8");
        forwarded.TrustedProxies.Add("fd00::/8");
        _rfc7239 = new ClientIpResolver(forwarded);
        _peer = IPAddress.Parse("10.0.0.1");
    }

    [Benchmark(Baseline = true)]
    public IPAddress? NaiveFirstXffEntry()
    {
        var value = _chain[0];
        var comma = value.IndexOf(',', StringComparison.Ordinal);
        return IPAddress.TryParse(comma < 0 ? value : value.AsSpan(0, comma), out var address) ? address : null;
    }

    [Benchmark]
    public ClientIpResult UntrustedPeer() => _xff.Resolve(IPAddress.Parse("198.51.100.9"), new ForwardedHeaderValues(XForwardedFor: _chain));

    [Benchmark]
    public ClientIpResult XffChainOfThree() => _xff.Resolve(_peer, new ForwardedHeaderValues(XForwardedFor: _chain));

    [Benchmark]
    public ClientIpResult ForwardedChainOfThree() => _rfc7239.Resolve(_peer, new ForwardedHeaderValues(Forwarded: _forwarded));

    [Benchmark]
    public ClientIpResult XffPadded200() => _xff.Resolve(_peer, new ForwardedHeaderValues(XForwardedFor: _padded));

    [Benchmark]
    public string BucketKeyIPv6() => IpBucket.GetKey(IPAddress.IPv6Loopback);
}
