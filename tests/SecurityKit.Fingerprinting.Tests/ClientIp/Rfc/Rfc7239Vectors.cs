using SecurityKit.Fingerprinting.ClientIp;

namespace SecurityKit.Fingerprinting.Tests.ClientIp.Rfc;

/// <summary>
/// The <c>Forwarded</c> examples of RFC 7239 (§4, §5.2, §6, §7.1, §7.4), each with the address a resolver
/// must pick when the peer (10.0.0.1) is a trusted proxy and no value in the header is trusted; an
/// unknown or obfuscated rightmost node leaves the peer as the answer.
/// </summary>
public static class Rfc7239Vectors
{
    public static TheoryData<string, string, string, ClientIpDecision> Elements => new()
    {
        // §4: the field value examples.
        { "4-a", "for=\"_gazonk\"", "10.0.0.1", ClientIpDecision.UnknownEntry },
        { "4-b", "For=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17", ClientIpDecision.FirstUntrustedHop },
        { "4-c", "for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60", ClientIpDecision.FirstUntrustedHop },
        { "4-d", "for=192.0.2.43, for=198.51.100.17", "198.51.100.17", ClientIpDecision.FirstUntrustedHop },

        // §5.2 / §6: node forms.
        { "6-ipv4", "for=192.0.2.43", "192.0.2.43", ClientIpDecision.FirstUntrustedHop },
        { "6-ipv6", "for=\"[2001:db8:cafe::17]\"", "2001:db8:cafe::17", ClientIpDecision.FirstUntrustedHop },
        { "6-port", "for=\"192.0.2.43:47011\"", "192.0.2.43", ClientIpDecision.FirstUntrustedHop },
        { "6.2-unknown", "for=unknown", "10.0.0.1", ClientIpDecision.UnknownEntry },
        { "6.2-unknown-obfport", "for=\"unknown:_p0rt\"", "10.0.0.1", ClientIpDecision.UnknownEntry }, // node = nodename [":" node-port]
        { "6.2-unknown-port", "for=\"UNKNOWN:8080\"", "10.0.0.1", ClientIpDecision.UnknownEntry },
        { "6.2-unknown-bad-port", "for=\"unknown:99999\"", "10.0.0.1", ClientIpDecision.InvalidEntry },
        { "6.3-obfnode", "for=_hidden", "10.0.0.1", ClientIpDecision.UnknownEntry },
        { "6.3-obfnode-port", "for=\"_SEVKISEK:_port1\"", "10.0.0.1", ClientIpDecision.UnknownEntry },
        { "6.3-obfport", "for=\"[2001:db8:cafe::17]:_p0rt\"", "2001:db8:cafe::17", ClientIpDecision.FirstUntrustedHop },

        // §7.1: the example with two proxies and mixed forms.
        { "7.1", "for=192.0.2.43,for=\"[2001:db8:cafe::17]\",for=unknown", "10.0.0.1", ClientIpDecision.UnknownEntry },
        { "7.1-reversed", "for=unknown, for=192.0.2.43", "192.0.2.43", ClientIpDecision.FirstUntrustedHop },

        // §7.4: a forged value on the left is never reached.
        { "7.4-forged", "for=203.0.113.1;by=evil, for=198.51.100.17", "198.51.100.17", ClientIpDecision.FirstUntrustedHop },
    };
}
