using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace SecurityKit.Fingerprinting.ClientIp;

/// <summary>
/// Parses IP address text strictly: canonical dotted-quad IPv4 and RFC 4291 IPv6 only.
/// </summary>
/// <remarks>
/// <para><see cref="IPAddress.TryParse(string?, out IPAddress?)"/> accepts the legacy inet_aton forms
/// (<c>2130706433</c>, <c>127.1</c>, <c>0x7f.0.0.1</c>, <c>0177.0.0.1</c>) and zone ids
/// (<c>fe80::1%eth0</c>). Header values are attacker-controlled, and two parsers that read the same text
/// differently (a proxy, a WAF, this library) are how address-based rules get bypassed, so this parser
/// accepts only: IPv4 as exactly four decimal parts 0–255 without leading zeros; IPv6 made of hex
/// digits, colons and an optional strict dotted-quad tail, at most 45 characters, no zone id.</para>
/// <para>IPv4-mapped IPv6 addresses (<c>::ffff:192.0.2.1</c>) are returned as the IPv4 address, so
/// one client has one form for trust checks and rate-limit keys.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public static class StrictIpAddress
{
    /// <summary>The longest IP address text accepted (an IPv6 address with an IPv4 tail).</summary>
    public const int MaxLength = 45;

    /// <summary>Parses <paramref name="text"/> as a strict IPv4 or IPv6 address.</summary>
    /// <param name="text">The address text, without port, brackets or zone id.</param>
    /// <param name="address">The address (IPv4-mapped IPv6 normalised to IPv4), or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the text is a strictly formed address.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }

        if (text.Contains(':'))
        {
            return TryParseIPv6(text, out address);
        }

        Span<byte> bytes = stackalloc byte[4];
        if (!TryParseIPv4(text, bytes))
        {
            return false;
        }

        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>Parses <paramref name="text"/> as a strict IPv4 or IPv6 address.</summary>
    /// <param name="text">The address text; <see langword="null"/> gives <see langword="false"/>.</param>
    /// <param name="address">The address, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the text is a strictly formed address.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        if (text is null)
        {
            address = null;
            return false;
        }

        return TryParse(text.AsSpan(), out address);
    }

    /// <summary>Returns the IPv4 form of an IPv4-mapped IPv6 address; other addresses unchanged.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The normalised address.</returns>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    internal static bool TryParseIPv4(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var part = 0;
        var value = 0;
        var digits = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == '.')
            {
                if (digits == 0 || part > 3)
                {
                    return false;
                }

                destination[part++] = (byte)value;
                value = 0;
                digits = 0;
                continue;
            }

            var c = text[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            // A leading zero is how inet_aton spells octal (0177 = 127); refuse it rather than guess.
            if (digits == 1 && value == 0)
            {
                return false;
            }

            value = (value * 10) + (c - '0');
            digits++;
            if (value > 255)
            {
                return false;
            }
        }

        return part == 4;
    }

    private static bool TryParseIPv6(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        var lastColon = text.LastIndexOf(':');
        foreach (var c in text)
        {
            if (!(char.IsAsciiHexDigit(c) || c == ':' || c == '.'))
            {
                return false;
            }
        }

        var tail = text[(lastColon + 1)..];
        if (tail.Contains('.'))
        {
            Span<byte> v4 = stackalloc byte[4];
            if (!TryParseIPv4(tail, v4) || text[..lastColon].Contains('.'))
            {
                return false;
            }
        }

        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6 || parsed.ScopeId != 0)
        {
            return false;
        }

        address = Normalize(parsed);
        return true;
    }
}
