namespace SecurityKit.Fingerprinting.ClientIp;

/// <summary>Which forwarding header the trusted proxies write, and therefore the only one read.</summary>
public enum ForwardedHeader
{
    /// <summary><c>X-Forwarded-For</c>: a comma-separated list, client first, each proxy appending its peer.</summary>
    XForwardedFor = 0,

    /// <summary>RFC 7239 <c>Forwarded</c>: elements such as <c>for=192.0.2.60;proto=http;by=203.0.113.43</c>.</summary>
    Forwarded = 1,

    /// <summary><c>X-Real-IP</c>: one address set by a single proxy (nginx <c>real_ip</c> style).</summary>
    XRealIp = 2,
}

/// <summary>Options of <see cref="ClientIpResolver"/>.</summary>
/// <remarks>
/// <b>Security:</b> list only proxies you run (or your CDN's published ranges). A trusted proxy is
/// believed about the address it forwards; trusting a network that clients can send from lets them
/// choose their own IP. Read only the header your proxy writes: a client can send the others.
/// </remarks>
public sealed class ClientIpResolverOptions
{
    /// <summary>The largest accepted <see cref="MaxForwardedEntries"/>.</summary>
    public const int MaxForwardedEntriesLimit = 256;

    /// <summary>Gets the trusted proxies: strict addresses or CIDR networks, IPv4 or IPv6.</summary>
    /// <value>The default value is empty: nobody is trusted and the peer address is the client.</value>
    public IList<string> TrustedProxies { get; } = new List<string>();

    /// <summary>Gets or sets the header the trusted proxies write.</summary>
    /// <value>The default value is <see cref="ForwardedHeader.XForwardedFor"/>.</value>
    public ForwardedHeader Header { get; set; } = ForwardedHeader.XForwardedFor;

    /// <summary>Gets or sets the largest number of header entries taken, counted from the right; <see langword="null"/> for no limit beyond <see cref="MaxForwardedEntries"/>.</summary>
    /// <value>The default value is <see langword="null"/>. Set it to the number of proxies in front of the application to stop at the outermost one.</value>
    public int? ForwardLimit { get; set; }

    /// <summary>Gets or sets how many entries (the rightmost ones) are kept from the forwarding header; entries further left are ignored.</summary>
    /// <value>The default value is 32 (1 to 256).</value>
    public int MaxForwardedEntries { get; set; } = 32;
}
