using System.Net;

namespace SecurityKit.Fingerprinting.ClientIp;

/// <summary>Where the client address of a <see cref="ClientIpResult"/> came from.</summary>
public enum ClientIpSource
{
    /// <summary>No address: the peer address was missing or invalid.</summary>
    None = 0,

    /// <summary>The transport peer address (the socket).</summary>
    Peer = 1,

    /// <summary>An entry of <c>X-Forwarded-For</c>.</summary>
    XForwardedFor = 2,

    /// <summary>The <c>for=</c> parameter of an RFC 7239 <c>Forwarded</c> element.</summary>
    Forwarded = 3,

    /// <summary>The <c>X-Real-IP</c> header.</summary>
    XRealIp = 4,
}

/// <summary>Why the resolver chose the address of a <see cref="ClientIpResult"/>; stable codes for audit logs.</summary>
public enum ClientIpDecision
{
    /// <summary>The peer address is missing or not a strict IP address: no address, no header believed.</summary>
    InvalidPeer = 0,

    /// <summary>No trusted proxies are configured: the peer is the client.</summary>
    NoTrustedProxies = 1,

    /// <summary>The peer is not a trusted proxy: the peer is the client and headers are ignored.</summary>
    PeerNotTrusted = 2,

    /// <summary>The peer is trusted but sent no forwarding header: the peer is the client.</summary>
    NoForwardedHeader = 3,

    /// <summary>Walking from the right, this was the first address that is not a trusted proxy.</summary>
    FirstUntrustedHop = 4,

    /// <summary>Every address in the header is a trusted proxy: the leftmost one is returned.</summary>
    AllHopsTrusted = 5,

    /// <summary>The forward limit was reached on trusted hops: the last trusted hop is returned.</summary>
    ForwardLimitReached = 6,

    /// <summary>A trusted hop forwarded a malformed entry: the last trusted hop is returned, nothing further left is believed.</summary>
    InvalidEntry = 7,

    /// <summary>A trusted hop forwarded <c>unknown</c> or an obfuscated identifier (<c>_hidden</c>): the last trusted hop is returned.</summary>
    UnknownEntry = 8,

    /// <summary>More trusted hops than entries kept (<see cref="ClientIpResolverOptions.MaxForwardedEntries"/>): the last trusted hop is returned.</summary>
    TooManyEntries = 9,

    /// <summary><c>X-Real-IP</c> was sent on several lines or several values: ambiguous, the peer is returned.</summary>
    AmbiguousHeader = 10,
}

/// <summary>The outcome of <see cref="ClientIpResolver.Resolve(string?, ForwardedHeaderValues)"/>.</summary>
/// <param name="Address">The client address (IPv4-mapped IPv6 normalised), or <see langword="null"/> for <see cref="ClientIpDecision.InvalidPeer"/>.</param>
/// <param name="Source">Where the address came from.</param>
/// <param name="Decision">Why it was chosen.</param>
/// <param name="HopsExamined">How many header entries were examined.</param>
public readonly record struct ClientIpResult(IPAddress? Address, ClientIpSource Source, ClientIpDecision Decision, int HopsExamined)
{
    /// <summary>Gets whether an address was determined.</summary>
    public bool HasAddress => Address is not null;

    /// <summary>Gets whether the address is a hop that was not a trusted proxy (or the peer when nobody is trusted), i.e. the client proper rather than a fallback to a trusted proxy.</summary>
    public bool IsClient => Decision is ClientIpDecision.NoTrustedProxies or ClientIpDecision.PeerNotTrusted or ClientIpDecision.NoForwardedHeader or ClientIpDecision.FirstUntrustedHop;
}

/// <summary>The forwarding header values of a request, each possibly sent on several field lines.</summary>
/// <param name="XForwardedFor">The <c>X-Forwarded-For</c> field lines, in received order.</param>
/// <param name="Forwarded">The <c>Forwarded</c> field lines, in received order.</param>
/// <param name="XRealIp">The <c>X-Real-IP</c> field lines.</param>
public readonly record struct ForwardedHeaderValues(
    IReadOnlyList<string?>? XForwardedFor = null,
    IReadOnlyList<string?>? Forwarded = null,
    IReadOnlyList<string?>? XRealIp = null);
