using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SecurityKit.Fingerprinting.ClientIp;

/// <summary>
/// An immutable set of IP addresses and CIDR networks (IPv4 and IPv6), e.g. the trusted proxies.
/// </summary>
/// <remarks>
/// Entries are strict addresses (<c>10.0.0.1</c>, <c>2001:db8::1</c>) or networks (<c>10.0.0.0/8</c>,
/// <c>2001:db8::/32</c>) whose host bits are zero. IPv4 entries also match the IPv4-mapped IPv6 form of
/// an address. This type is immutable and thread-safe.
/// </remarks>
public sealed class IpNetworkList
{
    /// <summary>The largest number of entries a list accepts.</summary>
    public const int MaxEntries = 1024;

    /// <summary>The shortest IPv4 prefix accepted (a /8: 16.7 million addresses); broader networks are refused.</summary>
    public const int MinIPv4Prefix = 8;

    /// <summary>The shortest IPv6 prefix accepted (fc00::/7, every unique local address); broader networks are refused.</summary>
    public const int MinIPv6Prefix = 7;

    /// <summary>The shortest IPv6 prefix accepted outside the unique local (<c>fc00::/7</c>) and link-local
    /// (<c>fe80::/10</c>) ranges: no provider publishes a proxy range broader than a /24 (Cloudflare's broadest is a /29,
    /// CloudFront's a /28), so a broader public network is a typo that would trust a whole registry's block.</summary>
    public const int MinPublicIPv6Prefix = 24;

    private readonly IPNetwork[] _networks;

    private IpNetworkList(IPNetwork[] networks) => _networks = networks;

    /// <summary>Gets an empty list (matches nothing).</summary>
    public static IpNetworkList Empty { get; } = new([]);

    /// <summary>Gets the number of entries.</summary>
    public int Count => _networks.Length;

    /// <summary>Parses a list of addresses and CIDR networks.</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The list.</returns>
    /// <exception cref="ArgumentException">An entry is not a strict address or network; the message names it.</exception>
    public static IpNetworkList Parse(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            if (!TryParseNetwork(entry, out var network, out var error))
            {
                throw new ArgumentException(error, nameof(entries));
            }

            if (list.Count == MaxEntries)
            {
                throw new ArgumentException($"At most {MaxEntries} trusted addresses or networks are accepted.", nameof(entries));
            }

            list.Add(network.Value);
        }

        return new IpNetworkList([.. list]);
    }

    /// <summary>Checks one entry without throwing (for options validation).</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="error">Why it is not valid, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the entry is valid.</returns>
    public static bool IsValidEntry(string? entry, [NotNullWhen(false)] out string? error) => TryParseNetwork(entry, out _, out error);

    /// <summary>Tells whether <paramref name="address"/> is in the list.</summary>
    /// <param name="address">The address (IPv4-mapped IPv6 is normalised first).</param>
    /// <returns><see langword="true"/> when an entry contains it.</returns>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = StrictIpAddress.Normalize(address);
        foreach (var network in _networks)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tells whether the IPv6 network lies inside fc00::/7 (unique local) or fe80::/10 (link-local).</summary>
    private static bool IsPrivateIPv6(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return (prefix >= 7 && (bytes[0] & 0xFE) == 0xFC) || (prefix >= 10 && bytes[0] == 0xFE && (bytes[1] & 0xC0) == 0x80);
    }

    private static bool TryParseNetwork(string? entry, [NotNullWhen(true)] out IPNetwork? network, [NotNullWhen(false)] out string? error)
    {
        network = null;
        if (string.IsNullOrWhiteSpace(entry))
        {
            error = "A trusted proxy entry is empty.";
            return false;
        }

        var text = entry.AsSpan().Trim();
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!StrictIpAddress.TryParse(addressText, out var address))
        {
            error = $"'{entry}' is not a strict IP address or CIDR network (write 10.0.0.0/8, 192.0.2.1 or 2001:db8::/32).";
            return false;
        }

        var max = addressText.Contains(':') ? 128 : 32;
        // Without a prefix the entry is one host: /32 for an IPv4-mapped address (::ffff:10.0.0.1, as dual-stack sockets
        // report IPv4 peers), which was normalised to IPv4.
        var prefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.IsEmpty || prefixText.Length > 3 || (prefixText.Length > 1 && prefixText[0] == '0') ||
                !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max)
            {
                error = $"'{entry}' has an invalid prefix length (0–{max}).";
                return false;
            }

            // An IPv4-mapped network (::ffff:10.0.0.0/104) was normalised to IPv4: shift its prefix.
            if (addressText.Contains(':') && address.AddressFamily == AddressFamily.InterNetwork)
            {
                if (prefix < 96)
                {
                    error = $"'{entry}' is an IPv4-mapped network with a prefix below 96.";
                    return false;
                }

                prefix -= 96;
            }
        }

        if (!IPNetwork.TryParse(address + "/" + prefix.ToString(CultureInfo.InvariantCulture), out var parsed) || !parsed.BaseAddress.Equals(address))
        {
            error = $"'{entry}' has host bits set after the /{prefix} prefix; write its network address.";
            return false;
        }

        if (prefix < (address.AddressFamily == AddressFamily.InterNetwork ? MinIPv4Prefix : MinIPv6Prefix))
        {
            // 0.0.0.0/0 or ::/0 ("trust everyone") makes the leftmost, client-written X-Forwarded-For entry the client
            // IP, which defeats every per-IP limit; no proxy fleet spans more than a /8.
            error = $"'{entry}' is too broad for trusted proxies: clients anywhere in it could choose their IP. List your proxies' own addresses or networks (at most /{MinIPv4Prefix} for IPv4, /{MinIPv6Prefix} for IPv6).";
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && prefix < MinPublicIPv6Prefix && !IsPrivateIPv6(address, prefix))
        {
            // Any /7 passed the check above, e.g. 2a00::/7 written for 2a00:1450::/32 (found in review).
            error = $"'{entry}' is too broad for trusted proxies: a public IPv6 network must be /{MinPublicIPv6Prefix} or narrower (only networks inside fc00::/7 or fe80::/10 may be broader). List your proxies' own networks.";
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            foreach (var translation in TranslationPrefixes)
            {
                // Behind a NAT64/SIIT front end every IPv4 client arrives inside one of these prefixes, so trusting the whole
                // prefix (or more) is trusting 0.0.0.0/0, which the IPv4 rule above refuses (found in review). Like IPv4,
                // at most the equivalent of a /8 of embedded IPv4 space: /104 for a /96 translation prefix. The local-use
                // /48 may hold NAT64 prefixes of any RFC 6052 length (/48 to /96), each holding all of IPv4, so inside it
                // the same /104 applies.
                const int limit = 96 + MinIPv4Prefix;
                if (prefix < limit && (parsed.Contains(translation.BaseAddress) || translation.Contains(parsed.BaseAddress)))
                {
                    error = $"'{entry}' covers the IPv4-translation prefix {translation} (NAT64/SIIT: every IPv4 client can appear in it), which is like trusting all of IPv4. List your proxies' own addresses, or a network of at least /{limit} inside it.";
                    return false;
                }
            }
        }

        network = parsed;
        error = null;
        return true;
    }

    /// <summary>IPv6 prefixes that embed IPv4 addresses: the NAT64 well-known prefix (RFC 6052), the local-use
    /// translation prefix (RFC 8215), the IPv4-translated prefix (RFC 6145) and the deprecated IPv4-compatible prefix.</summary>
    private static readonly IPNetwork[] TranslationPrefixes =
        [IPNetwork.Parse("64:ff9b::/96"), IPNetwork.Parse("64:ff9b:1::/48"), IPNetwork.Parse("::ffff:0:0:0/96"), IPNetwork.Parse("::/96")];
}
