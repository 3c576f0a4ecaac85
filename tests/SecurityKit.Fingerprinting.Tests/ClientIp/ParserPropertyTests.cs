using System.Net;
using CsCheck;
using SecurityKit.Fingerprinting.ClientIp;

namespace SecurityKit.Fingerprinting.Tests.ClientIp;

public sealed class ParserPropertyTests
{
    private static readonly Gen<string> HeaderChars = Gen.String[Gen.Char["0123456789abcdefABCDEF.:[]_,;=\" \tunkow%x-"], 0, 80];

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
            // The rightmost entry is an untrusted client appended by the trusted proxy: nothing to its left may win.
            var result = xff.Resolve("10.0.0.1", new ForwardedHeaderValues(XForwardedFor: [a, b, "198.51.100.7"]));
            result.Address!.ToString().Should().Be("198.51.100.7");
            rfc.Resolve("10.0.0.1", new ForwardedHeaderValues(Forwarded: [a, b]));
        }, iter: 10_000);
    }
}
