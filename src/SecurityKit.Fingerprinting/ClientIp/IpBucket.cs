using System.Net;
using System.Net.Sockets;

namespace SecurityKit.Fingerprinting.ClientIp;

/// <summary>
/// Groups client addresses into networks: rate-limit keys (IPv4 /32, IPv6 /64 by default) and
/// "same network" checks (IPv4 /24, IPv6 /64 for session anomaly signals).
/// </summary>
/// <remarks>
/// <para><b>Security:</b> one IPv6 subscriber usually gets a whole /64 (often a /56 or /48), so keying a
/// rate limit by the full IPv6 address lets one client rotate through 2^64 keys. Bucket IPv6 by /64 at
/// least. An IPv4 client behind NAT64 (<c>64:ff9b::a.b.c.d</c>) is bucketed as its IPv4 address.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public static class IpBucket
{
    /// <summary>The default IPv4 prefix of a rate-limit key.</summary>
    public const int DefaultIPv4Prefix = 32;

    /// <summary>The default IPv6 prefix of a rate-limit key.</summary>
    public const int DefaultIPv6Prefix = 64;

    /// <summary>Returns the network of <paramref name="address"/> as CIDR text, e.g. <c>2001:db8:1:2::/64</c>.</summary>
    /// <param name="address">The address (IPv4-mapped IPv6, and IPv4 inside the NAT64 prefix <c>64:ff9b::/96</c>, are treated as IPv4).</param>
    /// <param name="ipv4Prefix">The IPv4 prefix length, 0–32.</param>
    /// <param name="ipv6Prefix">The IPv6 prefix length, 0–128.</param>
    /// <returns>The bucket key, e.g. <c>203.0.113.7/32</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A prefix is out of range.</exception>
    public static string GetKey(IPAddress address, int ipv4Prefix = DefaultIPv4Prefix, int ipv6Prefix = DefaultIPv6Prefix)
    {
        var network = GetNetwork(address, ipv4Prefix, ipv6Prefix);
        return network.ToString();
    }

    /// <summary>Returns the network of <paramref name="address"/>.</summary>
    /// <param name="address">The address.</param>
    /// <param name="ipv4Prefix">The IPv4 prefix length, 0–32.</param>
    /// <param name="ipv6Prefix">The IPv6 prefix length, 0–128.</param>
    /// <returns>The network.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A prefix is out of range.</exception>
    public static IPNetwork GetNetwork(IPAddress address, int ipv4Prefix = DefaultIPv4Prefix, int ipv6Prefix = DefaultIPv6Prefix)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(ipv4Prefix);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ipv4Prefix, 32);
        ArgumentOutOfRangeException.ThrowIfNegative(ipv6Prefix);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ipv6Prefix, 128);
        address = EmbeddedIPv4(StrictIpAddress.Normalize(address));
        var prefix = address.AddressFamily == AddressFamily.InterNetwork ? ipv4Prefix : ipv6Prefix;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var bit = prefix; bit < length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPNetwork(new IPAddress(bytes), prefix);
    }

    /// <summary>The IPv4 client inside the NAT64 well-known prefix <c>64:ff9b::/96</c> (RFC 6052), else the address.</summary>
    /// <remarks>Behind a NAT64 front end every IPv4 client arrives as <c>64:ff9b::a.b.c.d</c>: bucketed as IPv6 by /64, all
    /// of them shared one network, so one client exhausted a limit for every IPv4 user and a session never saw an IPv4
    /// client change networks (found in review). The local-use prefix <c>64:ff9b:1::/48</c> holds NAT64 prefixes of
    /// several lengths, with the IPv4 address at different positions: it is bucketed as IPv6.</remarks>
    internal static IPAddress EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return bytes[..12].SequenceEqual(WellKnownNat64Prefix) ? new IPAddress(bytes[12..]) : address;
    }

    private static ReadOnlySpan<byte> WellKnownNat64Prefix => [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>Tells whether two addresses are in the same network (same family and prefix).</summary>
    /// <param name="left">The first address.</param>
    /// <param name="right">The second address.</param>
    /// <param name="ipv4Prefix">The IPv4 prefix length, 0–32 (24 for "same network").</param>
    /// <param name="ipv6Prefix">The IPv6 prefix length, 0–128.</param>
    /// <returns><see langword="true"/> when both fall in one network; addresses of different families never do.</returns>
    public static bool AreInSameNetwork(IPAddress left, IPAddress right, int ipv4Prefix = 24, int ipv6Prefix = DefaultIPv6Prefix)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var a = GetNetwork(left, ipv4Prefix, ipv6Prefix);
        var b = GetNetwork(right, ipv4Prefix, ipv6Prefix);
        return a.Equals(b);
    }
}
