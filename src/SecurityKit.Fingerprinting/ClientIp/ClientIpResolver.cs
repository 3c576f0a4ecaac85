/*
 * Client IP resolution behind trusted proxies.
 *
 * Inputs: the transport peer address and the forwarding header the proxies write (one of
 * X-Forwarded-For, RFC 7239 Forwarded, X-Real-IP), each possibly on several field lines, which are
 * read as one comma-separated list in received order (RFC 9110 §5.3).
 *
 *   X-Forwarded-For: <node>, <node>, ...          node = IPv4 | IPv4:port | IPv6 | [IPv6] | [IPv6]:port | unknown
 *   Forwarded: for=<node>;by=...;proto=..., ...   node = token or quoted-string (RFC 7239 §4, §6):
 *                                                  IPv4[:port] | "[IPv6]"[:port] | unknown | _obfuscated[:_obfport]
 *   X-Real-IP: <node>                             exactly one value
 *
 * Algorithm (RFC 7239 §7.4, the "rightmost untrusted" rule): the peer is checked first; if it is not a
 * trusted proxy it is the client and no header is read. Otherwise entries are walked from the right
 * (each one was appended by the hop to its right); trusted hops are skipped, the first untrusted
 * address is the client. The walk stops, returning the last trusted hop, at a malformed or unknown
 * entry, at the forward limit, or when the kept entries (MaxForwardedEntries, the rightmost ones) run out.
 * Only the rightmost MaxForwardedEntries entries are retained while scanning, so memory is bounded
 * whatever the header length; only entries actually walked are parsed.
 */
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;

namespace SecurityKit.Fingerprinting.ClientIp;

/// <summary>
/// Determines the client IP address of a request from its peer address and the forwarding header
/// written by trusted proxies. Pure code: no ASP.NET dependency.
/// </summary>
/// <remarks>
/// <para><b>Security:</b> the leftmost <c>X-Forwarded-For</c> entry is whatever the client sent; only
/// entries appended by proxies you trust mean anything. This resolver believes a header only when the
/// peer is trusted, walks from the right and stops at the first untrusted address, so a forged prefix
/// is never returned. With no trusted proxies configured (the default) the peer is the client.</para>
/// <para>This type is immutable after construction and thread-safe.</para>
/// </remarks>
public sealed class ClientIpResolver
{
    private const int MaxUnquotedLength = 64;

    private readonly IpNetworkList _trusted;
    private readonly ForwardedHeader _header;
    private readonly int _forwardLimit;
    private readonly int _maxEntries;

    /// <summary>Initializes a resolver.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">A trusted proxy entry is not a strict address or network.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range, or <see cref="ClientIpResolverOptions.Header"/> is not a defined value.</exception>
    public ClientIpResolver(ClientIpResolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Header))
        {
            // An undefined value would have read X-Forwarded-For: behind a proxy that writes X-Real-IP and passes the
            // client's X-Forwarded-For through, the client would choose its own address (found in review).
            throw new ArgumentOutOfRangeException(nameof(options), options.Header, "ClientIpResolverOptions.Header must be XForwardedFor, Forwarded or XRealIp.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxForwardedEntries, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxForwardedEntries, ClientIpResolverOptions.MaxForwardedEntriesLimit, nameof(options));
        if (options.ForwardLimit is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1, nameof(options));
        }

        _trusted = IpNetworkList.Parse(options.TrustedProxies);
        _header = options.Header;
        _maxEntries = options.MaxForwardedEntries;
        _forwardLimit = options.ForwardLimit ?? int.MaxValue;
    }

    /// <summary>Initializes a resolver from DI options.</summary>
    /// <param name="options">The fingerprinting options.</param>
    public ClientIpResolver(IOptions<FingerprintingOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.ClientIp)
    {
    }

    /// <summary>Gets the trusted proxies.</summary>
    public IpNetworkList TrustedProxies => _trusted;

    /// <summary>Resolves the client address.</summary>
    /// <param name="peerAddress">The transport peer address text (e.g. from the socket); strict parsing, a port is not accepted here.</param>
    /// <param name="headers">The forwarding header values of the request.</param>
    /// <returns>The address, its source and the decision that chose it.</returns>
    public ClientIpResult Resolve(string? peerAddress, ForwardedHeaderValues headers)
    {
        // The peer comes from the socket, not the client: a link-local IPv6 peer's zone id (fe80::5%eth0) names the local
        // interface and is dropped. Header entries never accept one.
        var text = peerAddress.AsSpan();
        if (text.IndexOf('%') is var zone and > 0 && text[..zone].Contains(':'))
        {
            text = text[..zone];
        }

        return StrictIpAddress.TryParse(text, out var peer)
            ? Resolve(peer, headers)
            : new(null, ClientIpSource.None, ClientIpDecision.InvalidPeer, 0);
    }

    /// <summary>Resolves the client address.</summary>
    /// <param name="peerAddress">The transport peer address, or <see langword="null"/> when unknown (then no header is believed).</param>
    /// <param name="headers">The forwarding header values of the request.</param>
    /// <returns>The address, its source and the decision that chose it.</returns>
    public ClientIpResult Resolve(IPAddress? peerAddress, ForwardedHeaderValues headers)
    {
        if (peerAddress is null)
        {
            return new(null, ClientIpSource.None, ClientIpDecision.InvalidPeer, 0);
        }

        if (peerAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && peerAddress.ScopeId != 0)
        {
            // A link-local peer's zone id names the local interface, not the client: dropped.
            peerAddress = new IPAddress(peerAddress.GetAddressBytes());
        }

        var peer = StrictIpAddress.Normalize(peerAddress);
        if (_trusted.Count == 0)
        {
            return new(peer, ClientIpSource.Peer, ClientIpDecision.NoTrustedProxies, 0);
        }

        if (!_trusted.Contains(peer))
        {
            return new(peer, ClientIpSource.Peer, ClientIpDecision.PeerNotTrusted, 0);
        }

        return _header switch
        {
            ForwardedHeader.XRealIp => ResolveRealIp(peer, headers.XRealIp),
            ForwardedHeader.Forwarded => Walk(peer, headers.Forwarded, forwarded: true),
            ForwardedHeader.XForwardedFor => Walk(peer, headers.XForwardedFor, forwarded: false),
            _ => throw new UnreachableException("The header was checked in the constructor."),
        };
    }

    private ClientIpResult ResolveRealIp(IPAddress peer, IReadOnlyList<string?>? lines)
    {
        string? value = null;
        var count = 0;
        if (lines is not null)
        {
            foreach (var line in lines)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    value = line;
                    count++;
                }
            }
        }

        if (count == 0)
        {
            return new(peer, ClientIpSource.Peer, ClientIpDecision.NoForwardedHeader, 0);
        }

        if (count > 1 || value!.Contains(','))
        {
            return new(peer, ClientIpSource.Peer, ClientIpDecision.AmbiguousHeader, 0);
        }

        switch (ParseNode(value.AsSpan().Trim(" \t"), forwarded: false, out var address))
        {
            case NodeKind.Address:
                return new(address, ClientIpSource.XRealIp, _trusted.Contains(address!) ? ClientIpDecision.AllHopsTrusted : ClientIpDecision.FirstUntrustedHop, 1);
            case NodeKind.Unknown:
                return new(peer, ClientIpSource.Peer, ClientIpDecision.UnknownEntry, 1);
            default:
                return new(peer, ClientIpSource.Peer, ClientIpDecision.InvalidEntry, 1);
        }
    }

    // The walk reads the list from the right end (the last field line's last element) towards the left, splitting each
    // line into elements as it goes. Splitting from the right matters for Forwarded: the rightmost elements were written
    // by trusted proxies and are well-formed, so their boundaries never depend on what the client put to their left (a
    // client's unterminated quote on a line a proxy appends to cannot swallow the proxy's element).
    private ClientIpResult Walk(IPAddress peer, IReadOnlyList<string?>? lines, bool forwarded)
    {
        var source = forwarded ? ClientIpSource.Forwarded : ClientIpSource.XForwardedFor;
        if (lines is null || lines.Count == 0)
        {
            return new(peer, ClientIpSource.Peer, ClientIpDecision.NoForwardedHeader, 0);
        }

        var current = peer;
        var currentSource = ClientIpSource.Peer;
        var examined = 0;
        for (var line = lines.Count - 1; line >= 0; line--)
        {
            var text = lines[line];
            if (text is null)
            {
                continue;
            }

            var end = text.Length; // exclusive end of the next element to the left
            while (true)
            {
                var start = forwarded ? FindElementStart(text, end) : end == 0 ? 0 : text.LastIndexOf(',', end - 1) + 1;
                var elementStart = start;
                var length = end - start;
                TrimOws(text, ref elementStart, ref length);
                end = start - 1; // the comma before this element, if any
                if (length <= 0)
                {
                    if (start == 0)
                    {
                        break;
                    }

                    continue;
                }

                if (examined == _maxEntries)
                {
                    return new(current, currentSource, ClientIpDecision.TooManyEntries, examined);
                }

                if (examined == _forwardLimit)
                {
                    return new(current, currentSource, ClientIpDecision.ForwardLimitReached, examined);
                }

                examined++;
                var value = text.AsSpan(elementStart, length);
                var kind = forwarded ? ParseForwardedElement(value, out var address) : ParseNode(value, forwarded: false, out address);
                switch (kind)
                {
                    case NodeKind.Invalid:
                        return new(current, currentSource, ClientIpDecision.InvalidEntry, examined);
                    case NodeKind.Unknown:
                        return new(current, currentSource, ClientIpDecision.UnknownEntry, examined);
                }

                if (!_trusted.Contains(address!))
                {
                    return new(address, source, ClientIpDecision.FirstUntrustedHop, examined);
                }

                current = address!;
                currentSource = source;
                if (start == 0)
                {
                    break;
                }
            }
        }

        return examined == 0
            ? new(peer, ClientIpSource.Peer, ClientIpDecision.NoForwardedHeader, 0)
            : new(current, currentSource, ClientIpDecision.AllHopsTrusted, examined);
    }

    // Forwarded elements are separated by commas outside quoted-strings (RFC 7239 §4). Scans left from end (exclusive)
    // and returns where the element ending there starts. A quote preceded by an odd number of backslashes inside a
    // quoted-string is escaped. A quote left open at the line start makes the rest of the line one (invalid) element.
    private static int FindElementStart(string text, int end)
    {
        var quoted = false;
        for (var i = end - 1; i >= 0; i--)
        {
            var c = text[i];
            if (c == '"')
            {
                if (!quoted)
                {
                    quoted = true;
                }
                else if (!IsEscaped(text, i))
                {
                    quoted = false;
                }
            }
            else if (c == ',' && !quoted)
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static bool IsEscaped(string text, int index)
    {
        var backslashes = 0;
        for (var i = index - 1; i >= 0 && text[i] == '\\'; i--)
        {
            backslashes++;
        }

        return (backslashes & 1) == 1;
    }

    private static void TrimOws(string text, ref int start, ref int length)
    {
        while (length > 0 && text[start] is ' ' or '\t')
        {
            start++;
            length--;
        }

        while (length > 0 && text[start + length - 1] is ' ' or '\t')
        {
            length--;
        }
    }

    // element = [ pair ] *( ";" [ pair ] ); pair = token "=" value; value = token / quoted-string.
    internal static NodeKind ParseForwardedElement(ReadOnlySpan<char> element, out IPAddress? address)
    {
        address = null;
        var found = false;
        var result = NodeKind.Unknown;
        Span<char> buffer = stackalloc char[MaxUnquotedLength];
        while (!element.IsEmpty)
        {
            var end = FindPairEnd(element);
            if (end < 0)
            {
                return NodeKind.Invalid;
            }

            var pair = element[..end].Trim(" \t");
            element = end < element.Length ? element[(end + 1)..] : [];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            if (equals <= 0 || !IsToken(pair[..equals]))
            {
                return NodeKind.Invalid;
            }

            var raw = pair[(equals + 1)..];
            if (!pair[..equals].Equals("for", StringComparison.OrdinalIgnoreCase))
            {
                // Other parameters (by, host, proto…) must be well-formed but may be long: a proxy copies the client's
                // Host into host=, and a long one must not make the proxy's element invalid.
                if (!IsValidValue(raw))
                {
                    return NodeKind.Invalid;
                }

                continue;
            }

            if (!TryUnquote(raw, buffer, out var valueLength))
            {
                return NodeKind.Invalid;
            }

            if (found)
            {
                return NodeKind.Invalid;
            }

            found = true;
            result = ParseNode(buffer[..valueLength], forwarded: true, out address);
        }

        // An element without "for" says nothing about the client: treat as unknown.
        return found ? result : NodeKind.Unknown;
    }

    private static int FindPairEnd(ReadOnlySpan<char> element)
    {
        var quoted = false;
        for (var i = 0; i < element.Length; i++)
        {
            var c = element[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ';')
            {
                return i;
            }
        }

        return quoted ? -1 : element.Length;
    }

    // value = token / quoted-string, any length.
    private static bool IsValidValue(ReadOnlySpan<char> raw) => TryUnquote(raw, default, copy: false, out _);

    private static bool TryUnquote(ReadOnlySpan<char> raw, Span<char> buffer, out int length) => TryUnquote(raw, buffer, copy: true, out length);

    private static bool TryUnquote(ReadOnlySpan<char> raw, Span<char> buffer, bool copy, out int length)
    {
        length = 0;
        if (raw.IsEmpty)
        {
            return false;
        }

        if (raw[0] != '"')
        {
            if ((copy && raw.Length > buffer.Length) || !IsToken(raw))
            {
                return false;
            }

            if (copy)
            {
                raw.CopyTo(buffer);
                length = raw.Length;
            }

            return true;
        }

        if (raw.Length < 2 || raw[^1] != '"')
        {
            return false;
        }

        for (var i = 1; i < raw.Length - 1; i++)
        {
            var c = raw[i];
            if (c == '\\')
            {
                if (++i >= raw.Length - 1)
                {
                    return false;
                }

                c = raw[i];
            }
            else if (c == '"')
            {
                return false;
            }

            // qdtext and quoted-pair (RFC 9110 §5.6.4): HTAB, SP, visible ASCII and obs-text (0x80–0xFF).
            if ((copy && length == buffer.Length) || (c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF)
            {
                return false;
            }

            if (copy)
            {
                buffer[length++] = c;
            }
        }

        return true;
    }

    private static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)))
            {
                return false;
            }
        }

        return true;
    }

    internal static NodeKind ParseNode(ReadOnlySpan<char> node, bool forwarded, out IPAddress? address)
    {
        address = null;
        if (node.IsEmpty)
        {
            return NodeKind.Invalid;
        }

        if (node.Equals("unknown", StringComparison.OrdinalIgnoreCase))
        {
            return NodeKind.Unknown;
        }

        ReadOnlySpan<char> host;
        ReadOnlySpan<char> port = default;
        var hasPort = false;
        if (node[0] == '[')
        {
            var close = node.IndexOf(']');
            if (close < 0)
            {
                return NodeKind.Invalid;
            }

            host = node[1..close];
            var rest = node[(close + 1)..];
            if (!host.Contains(':'))
            {
                return NodeKind.Invalid;
            }

            if (!rest.IsEmpty)
            {
                if (rest[0] != ':')
                {
                    return NodeKind.Invalid;
                }

                port = rest[1..];
                hasPort = true;
            }
        }
        else
        {
            var colons = node.Count(':');
            if (colons == 1)
            {
                var colon = node.IndexOf(':');
                host = node[..colon];
                port = node[(colon + 1)..];
                hasPort = true;
            }
            else if (colons > 1 && !forwarded)
            {
                host = node;
            }
            else if (colons == 0)
            {
                host = node;
            }
            else
            {
                // RFC 7239 §6: an IPv6 node must be bracketed (and so quoted).
                return NodeKind.Invalid;
            }

            if (forwarded && hasPort && host.Equals("unknown", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 7239 §6: "unknown" may carry a port ("unknown:_p", "unknown:8080"); reported as unknown, not invalid
                // (the address returned is the same, the last trusted hop: only the decision differs; found in review).
                return IsPort(port, forwarded) ? NodeKind.Unknown : NodeKind.Invalid;
            }

            if (forwarded && host.Length > 1 && host[0] == '_')
            {
                return IsObfuscated(host) && (!hasPort || IsPort(port, forwarded)) ? NodeKind.Unknown : NodeKind.Invalid;
            }

            if (host.Contains(':'))
            {
                // Bare IPv6 (X-Forwarded-For only) is taken whole: a port needs brackets.
                hasPort = false;
            }
            else if (host.Length > 0 && !char.IsAsciiDigit(host[0]))
            {
                return NodeKind.Invalid;
            }
        }

        if (hasPort && !IsPort(port, forwarded))
        {
            return NodeKind.Invalid;
        }

        if (!StrictIpAddress.TryParse(host, out address))
        {
            return NodeKind.Invalid;
        }

        return NodeKind.Address;
    }

    private static bool IsPort(ReadOnlySpan<char> port, bool forwarded)
    {
        if (forwarded && port.Length > 1 && port[0] == '_')
        {
            return IsObfuscated(port);
        }

        if (port.IsEmpty || port.Length > 5)
        {
            return false;
        }

        var value = 0;
        foreach (var c in port)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return value <= 65535;
    }

    // obfnode = "_" 1*( ALPHA / DIGIT / "." / "_" / "-" ) (RFC 7239 §6.3)
    private static bool IsObfuscated(ReadOnlySpan<char> text)
    {
        if (text.Length < 2 || text.Length > MaxUnquotedLength || text[0] != '_')
        {
            return false;
        }

        foreach (var c in text[1..])
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    internal enum NodeKind
    {
        Invalid,
        Unknown,
        Address,
    }
}
