using System.Net;
using SecurityKit.Fingerprinting.ClientIp;
using SecurityKit.Fingerprinting.Tests.ClientIp.Rfc;

namespace SecurityKit.Fingerprinting.Tests.ClientIp;

public sealed class ClientIpResolverTests
{
    private static readonly string[] Trusted = ["10.0.0.0/8", "fd00::/8", "203.0.113.10"];

    // Each case: peer, header kind, field lines, expected address (null = none), decision, forward limit, max entries.
    private sealed record Case(string Peer, ForwardedHeader Header, string?[] Lines, string? Expected, ClientIpDecision Decision, int? Limit = null, int MaxEntries = 32, string[]? TrustedProxies = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // Who is trusted
        ["untrusted peer ignores header"] = new("198.51.100.7", ForwardedHeader.XForwardedFor, ["1.2.3.4"], "198.51.100.7", ClientIpDecision.PeerNotTrusted),
        ["no trusted proxies: peer is client"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["1.2.3.4"], "10.0.0.1", ClientIpDecision.NoTrustedProxies, TrustedProxies: []),
        ["trusted peer without header"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, [], "10.0.0.1", ClientIpDecision.NoForwardedHeader),
        ["trusted peer with blank header"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["", " , "], "10.0.0.1", ClientIpDecision.NoForwardedHeader),
        ["null peer believes nothing"] = new("", ForwardedHeader.XForwardedFor, ["1.2.3.4"], null, ClientIpDecision.InvalidPeer),
        ["legacy peer form believes nothing"] = new("10.1", ForwardedHeader.XForwardedFor, ["1.2.3.4"], null, ClientIpDecision.InvalidPeer),
        ["mapped peer is trusted as IPv4"] = new("::ffff:10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["single trusted address entry"] = new("203.0.113.10", ForwardedHeader.XForwardedFor, ["198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["ipv6 trusted network"] = new("fd00::1", ForwardedHeader.XForwardedFor, ["2001:db8::9"], "2001:db8::9", ClientIpDecision.FirstUntrustedHop),
        ["only the configured header is read"] = new("10.0.0.1", ForwardedHeader.Forwarded, [], "10.0.0.1", ClientIpDecision.NoForwardedHeader),

        // Spoofing and chains
        ["single proxy"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["spoofed leftmost value"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["1.1.1.1, 198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["spoofed trusted-looking leftmost"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["10.9.9.9, 198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["chain of proxies"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["1.1.1.1, 198.51.100.7, 10.0.0.2, 203.0.113.10"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["all hops trusted"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["10.0.0.3, 10.0.0.2"], "10.0.0.3", ClientIpDecision.AllHopsTrusted),
        ["garbage left of the client is never read"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["<script>, 0x7f.0.0.1, 198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["no spaces and tabs"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["1.1.1.1,\t198.51.100.7 ,10.0.0.2"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),

        // Multiple field lines are one list in received order
        ["multiple lines"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["1.1.1.1, 198.51.100.7", "10.0.0.2"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["multiple lines, client on last line"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["10.0.0.5", "198.51.100.8"], "198.51.100.8", ClientIpDecision.FirstUntrustedHop),
        ["multiple lines with null and empty"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, [null, "198.51.100.7", ""], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),

        // Forms
        ["ipv4 with port"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7:4711"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["bracketed ipv6 with port"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["[2001:db8::7]:443"], "2001:db8::7", ClientIpDecision.FirstUntrustedHop),
        ["bracketed ipv6"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["[2001:db8::7]"], "2001:db8::7", ClientIpDecision.FirstUntrustedHop),
        ["bare ipv6"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["2001:db8::7"], "2001:db8::7", ClientIpDecision.FirstUntrustedHop),
        ["ipv4-mapped entry normalised"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["::ffff:198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["ipv4-mapped trusted hop skipped"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7, ::ffff:10.0.0.2"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["unknown keyword"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7, unknown"], "10.0.0.1", ClientIpDecision.UnknownEntry),

        // Garbage at a position a trusted proxy wrote: stop, return the last trusted hop
        ["garbage"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["1.2.3.4, garbage"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["garbage behind a trusted hop"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["garbage, 10.0.0.2"], "10.0.0.2", ClientIpDecision.InvalidEntry),
        ["legacy integer"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["2130706433"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["legacy short"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["127.1"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["legacy hex"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["0x7f.0.0.1"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["legacy octal"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["0177.0.0.1"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["zone id"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["fe80::1%eth0"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["port out of range"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7:65536"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["empty port"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7:"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["bracketed ipv4"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["[198.51.100.7]"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["unclosed bracket"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["[2001:db8::7"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["hostname"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["proxy.example"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["obfuscated is not allowed in XFF"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["_hidden"], "10.0.0.1", ClientIpDecision.InvalidEntry),

        // Limits
        ["forward limit 1 stops at first hop"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7, 10.0.0.2"], "10.0.0.2", ClientIpDecision.ForwardLimitReached, Limit: 1),
        ["forward limit 2 reaches client"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7, 10.0.0.2"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop, Limit: 2),
        ["forward limit 1 with untrusted first hop"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["1.1.1.1, 198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop, Limit: 1),
        ["too many trusted entries"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7, 10.0.0.6, 10.0.0.5, 10.0.0.4, 10.0.0.3, 10.0.0.2"], "10.0.0.5", ClientIpDecision.TooManyEntries, MaxEntries: 4),
        ["padding beyond the cap is ignored"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, [string.Join(", ", Enumerable.Repeat("1.1.1.1", 5000)) + ", 198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop, MaxEntries: 4),

        // Forwarded specifics
        ["forwarded quoted comma inside a value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;by=\"a,b\""], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded escaped quote"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;ext=\"a\\\"b,c\""], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded unquoted ipv6 is invalid"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=2001:db8::1"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded bare quoted ipv6 is invalid"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"2001:db8::1\""], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded unterminated quote"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"198.51.100.7"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded duplicate for"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;for=198.51.100.8"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded element without for"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["proto=https;by=10.0.0.1"], "10.0.0.1", ClientIpDecision.UnknownEntry),
        ["forwarded pair without value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for="], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded legacy ipv4"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=127.1"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded multiple lines and trusted hops"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=1.1.1.1, for=198.51.100.7", "for=\"[fd00::2]:80\";proto=https"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded case-insensitive name"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["FOR=198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),

        // A proxy that appends to the client's own Forwarded line: the client's bytes to the left can be anything, and
        // must not change how the proxy's element is read (it is split off from the right).
        ["forwarded client's open quote on the line a proxy appends to"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"x, for=198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded client's open quote left of two proxies"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"x, for=198.51.100.7, for=10.0.0.2"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded client's quoted comma trick"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"1.1.1.1,\", for=198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded client's open quote reached behind a trusted hop"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"x, for=10.0.0.2"], "10.0.0.2", ClientIpDecision.InvalidEntry),
        ["forwarded escaped quotes before the proxy's element"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=1.1.1.1;ext=\"a\\\\\", for=198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded long host copied from the client"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;host=\"" + new string('a', 300) + ".example\";proto=https"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded long token parameter"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;host=" + new string('a', 300) + ".example"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded long for value still invalid"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"" + new string('1', 300) + "\""], "10.0.0.1", ClientIpDecision.InvalidEntry),

        // Forwarded grammar edges that no row pinned before mutation testing (escapes, empty pairs, qdtext, obfuscation, ports)
        ["forwarded escaped quote guards a comma left of a trusted hop"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;by=\"a,\\\\\\\"\", for=10.0.0.2"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded semicolon inside a quoted value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["by=\"a;b\";for=198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded escaped quote then semicolon inside a value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["by=\"a\\\";b\";for=198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded empty pairs are skipped"] = new("10.0.0.1", ForwardedHeader.Forwarded, [";for=198.51.100.7;;proto=https;"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded blanks around pairs"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7 ;\tproto=https"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded pair without a name"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["=198.51.100.7"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded pair without equals"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded name that is not a token"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["f(r=198.51.100.7"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded quoted-pair in the for value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"198.51.100.\\7\""], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded empty quoted for"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"\""], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded space and tab in a quoted value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;ext=\"a b\tc\""], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded control character in a quoted value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;ext=\"a\u0001b\""], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded DEL in a quoted value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;ext=\"a\u007Fb\""], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded obs-text in a quoted value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;ext=\"caf\u00E9\u00FF\""], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded beyond Latin-1 in a quoted value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;ext=\"\u0100\""], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded non-token unquoted value"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=198.51.100.7;ext=a\u00E9"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded obfuscated node"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=_hidden"], "10.0.0.1", ClientIpDecision.UnknownEntry),
        ["forwarded shortest obfuscated node"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=_a"], "10.0.0.1", ClientIpDecision.UnknownEntry),
        ["forwarded lone underscore"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=_"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded obfuscated node with a bad character"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=_a!"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded obfuscated node of 64 characters"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=_" + new string('x', 63)], "10.0.0.1", ClientIpDecision.UnknownEntry),
        ["forwarded obfuscated node of 65 characters"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=_" + new string('x', 64)], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded obfuscated node and port"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"_hidden:_p-1\""], "10.0.0.1", ClientIpDecision.UnknownEntry),
        ["forwarded obfuscated node, numeric port"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"_hidden:8080\""], "10.0.0.1", ClientIpDecision.UnknownEntry),
        ["forwarded obfuscated node, bad port"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"_hidden:80x\""], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded obfuscated port"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"198.51.100.7:_p1\""], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded ipv6 with obfuscated port"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"[2001:db8::7]:_p1\""], "2001:db8::7", ClientIpDecision.FirstUntrustedHop),
        ["forwarded lone underscore port"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"198.51.100.7:_\""], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["forwarded highest port"] = new("10.0.0.1", ForwardedHeader.Forwarded, ["for=\"198.51.100.7:65535\""], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["highest port"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7:65535"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["port of six digits"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7:000080"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["port with a letter"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["198.51.100.7:8o"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["bracketed ipv6 followed by junk"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["[2001:db8::7]x"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["bracketed ipv6 with empty port"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["[2001:db8::7]:"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["quotes in X-Forwarded-For are not a grammar"] = new("10.0.0.1", ForwardedHeader.XForwardedFor, ["\"1.1.1.1, 198.51.100.7\", 10.0.0.2"], "10.0.0.2", ClientIpDecision.InvalidEntry),

        // X-Real-IP edges
        ["x-real-ip with blanks"] = new("10.0.0.1", ForwardedHeader.XRealIp, [" \t198.51.100.7 "], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["x-real-ip bare ipv6"] = new("10.0.0.1", ForwardedHeader.XRealIp, ["2001:db8::7"], "2001:db8::7", ClientIpDecision.FirstUntrustedHop),
        ["x-real-ip naming a trusted proxy"] = new("10.0.0.1", ForwardedHeader.XRealIp, ["10.0.0.2"], "10.0.0.2", ClientIpDecision.AllHopsTrusted),
        ["x-real-ip unknown"] = new("10.0.0.1", ForwardedHeader.XRealIp, ["unknown"], "10.0.0.1", ClientIpDecision.UnknownEntry),

        // The peer comes from the socket: a link-local peer's zone id names the local interface and is dropped.
        ["link-local peer with a zone id"] = new("fe80::5%eth0", ForwardedHeader.XForwardedFor, ["1.2.3.4"], "fe80::5", ClientIpDecision.NoTrustedProxies, TrustedProxies: []),
        ["link-local peer with a zone id, untrusted"] = new("fe80::5%eth0", ForwardedHeader.XForwardedFor, ["1.2.3.4"], "fe80::5", ClientIpDecision.PeerNotTrusted),
        ["ipv4 peer with a percent sign is still invalid"] = new("10.0.0.1%eth0", ForwardedHeader.XForwardedFor, ["1.2.3.4"], null, ClientIpDecision.InvalidPeer),

        // X-Real-IP
        ["x-real-ip"] = new("10.0.0.1", ForwardedHeader.XRealIp, ["198.51.100.7"], "198.51.100.7", ClientIpDecision.FirstUntrustedHop),
        ["x-real-ip from untrusted peer"] = new("198.51.100.9", ForwardedHeader.XRealIp, ["1.2.3.4"], "198.51.100.9", ClientIpDecision.PeerNotTrusted),
        ["x-real-ip twice is ambiguous"] = new("10.0.0.1", ForwardedHeader.XRealIp, ["198.51.100.7", "1.2.3.4"], "10.0.0.1", ClientIpDecision.AmbiguousHeader),
        ["x-real-ip list is ambiguous"] = new("10.0.0.1", ForwardedHeader.XRealIp, ["1.2.3.4, 198.51.100.7"], "10.0.0.1", ClientIpDecision.AmbiguousHeader),
        ["x-real-ip garbage"] = new("10.0.0.1", ForwardedHeader.XRealIp, ["0177.0.0.1"], "10.0.0.1", ClientIpDecision.InvalidEntry),
        ["x-real-ip missing"] = new("10.0.0.1", ForwardedHeader.XRealIp, [], "10.0.0.1", ClientIpDecision.NoForwardedHeader),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Resolve_ProxyTable_PicksExpectedAddressAndDecision(string name)
    {
        var c = Cases[name];
        var options = new ClientIpResolverOptions { Header = c.Header, ForwardLimit = c.Limit, MaxForwardedEntries = c.MaxEntries };
        foreach (var proxy in c.TrustedProxies ?? Trusted)
        {
            options.TrustedProxies.Add(proxy);
        }

        var headers = c.Header switch
        {
            ForwardedHeader.Forwarded => new ForwardedHeaderValues(Forwarded: c.Lines, XForwardedFor: ["6.6.6.6"]),
            ForwardedHeader.XRealIp => new ForwardedHeaderValues(XRealIp: c.Lines, XForwardedFor: ["6.6.6.6"]),
            _ => new ForwardedHeaderValues(XForwardedFor: c.Lines, Forwarded: ["for=6.6.6.6"], XRealIp: ["6.6.6.6"]),
        };

        var result = new ClientIpResolver(options).Resolve(c.Peer.Length == 0 ? null : c.Peer, headers);

        // Parenthesised: "result.Address?.ToString().Should()" skipped the assertion whenever the address was null.
        (result.Address?.ToString()).Should().Be(c.Expected, name);

        result.Decision.Should().Be(c.Decision, name);
    }

    [Theory]
    [MemberData(nameof(Rfc7239Vectors.Elements), MemberType = typeof(Rfc7239Vectors))]
    public void Resolve_Rfc7239Examples_BehindTrustedProxy(string section, string value, string expected, ClientIpDecision decision)
    {
        var options = new ClientIpResolverOptions { Header = ForwardedHeader.Forwarded };
        options.TrustedProxies.Add("10.0.0.0/8");
        var result = new ClientIpResolver(options).Resolve("10.0.0.1", new ForwardedHeaderValues(Forwarded: [value]));
        result.Decision.Should().Be(decision, section);
        result.Address!.ToString().Should().Be(expected, section);
        result.Source.Should().Be(decision == ClientIpDecision.FirstUntrustedHop ? ClientIpSource.Forwarded : ClientIpSource.Peer, section);
    }

    [Fact]
    public void Resolve_IPv4MappedIPAddressObject_IsNormalisedAndTrustedAsIPv4()
    {
        // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d IPAddress objects; only the string overload was tested,
        // which normalises on its own, so dropping the normalisation of the IPAddress overload went unnoticed.
        var options = new ClientIpResolverOptions();
        options.TrustedProxies.Add("10.0.0.0/8");
        var resolver = new ClientIpResolver(options);

        var untrusted = resolver.Resolve(IPAddress.Parse("::ffff:198.51.100.7"), new ForwardedHeaderValues(XForwardedFor: ["1.2.3.4"]));
        untrusted.Address.Should().Be(IPAddress.Parse("198.51.100.7"));
        untrusted.Address!.AddressFamily.Should().Be(System.Net.Sockets.AddressFamily.InterNetwork);
        untrusted.Decision.Should().Be(ClientIpDecision.PeerNotTrusted);

        var trusted = resolver.Resolve(IPAddress.Parse("::ffff:10.0.0.1"), new ForwardedHeaderValues(XForwardedFor: ["198.51.100.7"]));
        trusted.Address.Should().Be(IPAddress.Parse("198.51.100.7"));
        trusted.Decision.Should().Be(ClientIpDecision.FirstUntrustedHop);

        var alone = resolver.Resolve(IPAddress.Parse("::ffff:10.0.0.1"), default);
        alone.Address.Should().Be(IPAddress.Parse("10.0.0.1"));
        alone.Decision.Should().Be(ClientIpDecision.NoForwardedHeader);
    }

    [Fact]
    public void Resolve_PeerAddressWithZoneId_ZoneDropped()
    {
        var options = new ClientIpResolverOptions();
        options.TrustedProxies.Add("fe80::/10");
        var resolver = new ClientIpResolver(options);
        var peer = IPAddress.Parse("fe80::5%2");
        peer.ScopeId.Should().Be(2);

        var result = resolver.Resolve(peer, new ForwardedHeaderValues(XForwardedFor: ["198.51.100.7"]));

        result.Should().Be(new ClientIpResult(IPAddress.Parse("198.51.100.7"), ClientIpSource.XForwardedFor, ClientIpDecision.FirstUntrustedHop, 1), "a link-local proxy is trusted by its address");
        new ClientIpResolver(new ClientIpResolverOptions()).Resolve(peer, default).Address!.ScopeId.Should().Be(0);
    }

    [Fact]
    public void Resolve_Result_SaysSourceAndHops()
    {
        var options = new ClientIpResolverOptions();
        options.TrustedProxies.Add("10.0.0.0/8");
        var resolver = new ClientIpResolver(options);
        var result = resolver.Resolve(IPAddress.Parse("10.0.0.1"), new ForwardedHeaderValues(XForwardedFor: ["1.1.1.1, 198.51.100.7, 10.0.0.2"]));
        result.Should().Be(new ClientIpResult(IPAddress.Parse("198.51.100.7"), ClientIpSource.XForwardedFor, ClientIpDecision.FirstUntrustedHop, 2));
        result.IsClient.Should().BeTrue();
        var none = resolver.Resolve((IPAddress?)null, default);
        none.Should().Be(new ClientIpResult(null, ClientIpSource.None, ClientIpDecision.InvalidPeer, 0));
        none.HasAddress.Should().BeFalse();
    }

    [Theory]
    [InlineData(ForwardedHeader.XForwardedFor)]
    [InlineData(ForwardedHeader.Forwarded)]
    [InlineData(ForwardedHeader.XRealIp)]
    public void Resolve_HeaderAbsent_NoForwardedHeader(ForwardedHeader header)
    {
        var options = new ClientIpResolverOptions { Header = header };
        options.TrustedProxies.Add("10.0.0.0/8");
        var result = new ClientIpResolver(options).Resolve("10.0.0.1", default);
        result.Should().Be(new ClientIpResult(IPAddress.Parse("10.0.0.1"), ClientIpSource.Peer, ClientIpDecision.NoForwardedHeader, 0));
        result.IsClient.Should().BeTrue("a trusted peer that forwarded nothing is the client itself");
    }

    [Theory]
    [InlineData(ClientIpDecision.NoTrustedProxies, true)]
    [InlineData(ClientIpDecision.PeerNotTrusted, true)]
    [InlineData(ClientIpDecision.NoForwardedHeader, true)]
    [InlineData(ClientIpDecision.FirstUntrustedHop, true)]
    [InlineData(ClientIpDecision.AllHopsTrusted, false)]
    [InlineData(ClientIpDecision.InvalidEntry, false)]
    [InlineData(ClientIpDecision.UnknownEntry, false)]
    [InlineData(ClientIpDecision.AmbiguousHeader, false)]
    [InlineData(ClientIpDecision.TooManyEntries, false)]
    [InlineData(ClientIpDecision.ForwardLimitReached, false)]
    [InlineData(ClientIpDecision.InvalidPeer, false)]
    public void IsClient_OnlyForDecisionsThatNameTheClient(ClientIpDecision decision, bool expected) =>
        new ClientIpResult(IPAddress.Loopback, ClientIpSource.Peer, decision, 0).IsClient.Should().Be(expected);

    [Fact]
    public void Resolve_DefaultOptions_TrustNobody()
    {
        var result = new ClientIpResolver(new ClientIpResolverOptions()).Resolve("192.0.2.5", new ForwardedHeaderValues(XForwardedFor: ["1.2.3.4"], Forwarded: ["for=1.2.3.4"], XRealIp: ["1.2.3.4"]));
        result.Address!.ToString().Should().Be("192.0.2.5");
        result.Source.Should().Be(ClientIpSource.Peer);
        result.Decision.Should().Be(ClientIpDecision.NoTrustedProxies);
    }

    [Fact]
    public void Resolve_ManyLinesAndHugeValues_BoundedAndCorrect()
    {
        var options = new ClientIpResolverOptions { MaxForwardedEntries = 8 };
        options.TrustedProxies.Add("10.0.0.0/8");
        var lines = Enumerable.Range(0, 2000).Select(i => $"garbage{i}, 1.1.1.{i % 250}").Append("198.51.100.7, 10.0.0.2").ToArray();
        var result = new ClientIpResolver(options).Resolve("10.0.0.1", new ForwardedHeaderValues(XForwardedFor: lines));
        result.Address!.ToString().Should().Be("198.51.100.7");
        result.HopsExamined.Should().Be(2);
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("not-an-ip")]
    public void Constructor_InvalidTrustedProxy_Throws(string entry)
    {
        var options = new ClientIpResolverOptions();
        options.TrustedProxies.Add(entry);
        var act = () => new ClientIpResolver(options);
        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(257, null)]
    [InlineData(32, 0)]
    public void Constructor_LimitsOutOfRange_Throw(int maxEntries, int? forwardLimit)
    {
        var act = () => new ClientIpResolver(new ClientIpResolverOptions { MaxForwardedEntries = maxEntries, ForwardLimit = forwardLimit });
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    public void Constructor_UndefinedHeader_Throws(int header)
    {
        // An undefined value used to fall through to X-Forwarded-For: behind a proxy that writes X-Real-IP and passes the
        // client's X-Forwarded-For on, the client would have chosen its own address.
        var options = new ClientIpResolverOptions { Header = (ForwardedHeader)header };
        options.TrustedProxies.Add("10.0.0.1");
        var act = () => new ClientIpResolver(options);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Header must be XForwardedFor, Forwarded or XRealIp*");
    }
}
