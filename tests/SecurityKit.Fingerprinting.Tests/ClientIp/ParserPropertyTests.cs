using System.Net;
using CsCheck;
using SecurityKit.Fingerprinting.ClientIp;

namespace SecurityKit.Fingerprinting.Tests.ClientIp;

public sealed class ParserPropertyTests
{
    private static readonly Gen<string> HeaderChars = Gen.String[Gen.Char["0123456789abcdefABCDEF.:[]_,;=\"\\ \tunkow%x-"], 0, 80];

    [Fact]
    public void TryParse_CanonicalText_RoundTrips()
    {
        Gen.Byte.Array[4].Sample(bytes =>
        {
            var address = new IPAddress(bytes);
            StrictIpAddress.TryParse(address.ToString(), out var parsed).Should().BeTrue();
            parsed.Should().Be(address);
        }, iter: 2_000);

        Gen.Byte.Array[16].Sample(bytes =>
        {
            var address = new IPAddress(bytes);
            StrictIpAddress.TryParse(address.ToString(), out var parsed).Should().BeTrue();
            parsed.Should().Be(StrictIpAddress.Normalize(address));
        }, iter: 2_000);
    }

    [Fact]
    public void TryParse_AnyText_NeverThrows_AndAgreesWithBclWhenAccepted()
    {
        HeaderChars.Sample(text =>
        {
            if (StrictIpAddress.TryParse(text, out var strict))
            {
                IPAddress.TryParse(text, out var bcl).Should().BeTrue(text);
                StrictIpAddress.Normalize(bcl!).Should().Be(strict, text);
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Resolve_AnyHeaders_NeverThrows_NeverReturnsAddressLeftOfAnUntrustedHop()
    {
        var options = new ClientIpResolverOptions { MaxForwardedEntries = 8 };
        options.TrustedProxies.Add("10.0.0.0/8");
        var xff = new ClientIpResolver(options);
        var rfc = new ClientIpResolver(new ClientIpResolverOptions { Header = ForwardedHeader.Forwarded, TrustedProxies = { "10.0.0.0/8" } });
        Gen.Select(HeaderChars, HeaderChars).Sample((a, b) =>
        {
            // The random lines sit between a trusted hop (right) and an untrusted client (left), so they are walked: the
            // result is the peer, the trusted hop, or something from the random text; never the client further left.
            var result = xff.Resolve("10.0.0.1", new ForwardedHeaderValues(XForwardedFor: ["198.51.100.7", a, b + ", 10.0.0.2"]));
            result.Address.Should().NotBeNull();
            if (result.Address!.ToString() == "198.51.100.7")
            {
                result.Decision.Should().Be(ClientIpDecision.FirstUntrustedHop, "only when every random entry was a trusted hop");
            }

            var forwarded = rfc.Resolve("10.0.0.1", new ForwardedHeaderValues(Forwarded: ["for=198.51.100.7", a, b + ", for=10.0.0.2"]));
            forwarded.Address.Should().NotBeNull();
        }, iter: 10_000);
    }

    [Fact]
    public void Resolve_XForwardedFor_AgreesWithAModelOfTheRightmostUntrustedWalk()
    {
        // Structured headers (valid trusted and untrusted addresses, malformed and "unknown" entries, optional spaces,
        // spread over several lines) against an independent model of the walk: from the right, trusted hops are passed,
        // the first untrusted address is the client, a malformed or unknown entry stops at the last trusted hop.
        // "_hidden", an obfuscated identifier only RFC 7239 Forwarded knows, is malformed in X-Forwarded-For.
        var resolver = new ClientIpResolver(new ClientIpResolverOptions { TrustedProxies = { "10.0.0.0/8", "fd00::/8" } });
        var trusted = Gen.OneOf(
            Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, (x, y, z) => $"10.{x}.{y}.{z}"),
            Gen.UShort.Select(x => $"fd00::{x:x}"));
        var untrusted = Gen.OneOf(
            Gen.Select(Gen.Byte[1, 9], Gen.Byte, (x, y) => $"{x}.{y}.0.1"),
            Gen.UShort.Select(x => $"2001:db8::{x:x}"));
        var malformed = Gen.OneOf(Gen.Const("1.2.3"), Gen.Const("10.0.0.256"), Gen.Const("::g"), Gen.Const("010.0.0.1"), Gen.Const("10.0.0.1.5"), Gen.Const("fd00::1%eth0"));
        var unknown = Gen.OneOf(Gen.Const("unknown"), Gen.Const("_hidden"));
        var entry = Gen.Frequency((5, trusted), (3, untrusted), (1, malformed), (1, unknown));
        var entries = entry.Array[1, 10];
        Gen.Select(entries, Gen.Int[1, 3], Gen.Bool).Sample((list, lines, spaced) =>
        {
            // Split the entries over up to three header lines, in order.
            var separator = spaced ? ", " : ",";
            var perLine = (list.Length + lines - 1) / lines;
            var header = list.Chunk(perLine).Select(chunk => string.Join(separator, chunk)).ToArray();

            var expected = "10.0.0.1";
            var decision = ClientIpDecision.AllHopsTrusted;
            for (var i = list.Length - 1; i >= 0; i--)
            {
                var text = list[i];
                if (text == "unknown")
                {
                    decision = ClientIpDecision.UnknownEntry;
                    break;
                }

                if (!IPAddress.TryParse(text, out var parsed) || text.Contains('%') || text.StartsWith("010", StringComparison.Ordinal) || text.Count(c => c == '.') is not (0 or 3))
                {
                    decision = ClientIpDecision.InvalidEntry;
                    break;
                }

                expected = parsed.ToString();
                if (!(text.StartsWith("10.", StringComparison.Ordinal) || text.StartsWith("fd00:", StringComparison.Ordinal)))
                {
                    decision = ClientIpDecision.FirstUntrustedHop;
                    break;
                }
            }

            var result = resolver.Resolve("10.0.0.1", new ForwardedHeaderValues(XForwardedFor: header));
            var shown = string.Join(" | ", header);
            (result.Address?.ToString()).Should().Be(expected, shown);
            result.Decision.Should().Be(decision, shown);
        }, iter: 5_000);
    }
}
