using System.Text;
using CsCheck;
using SecurityKit.Primitives;
using SecurityKit.Tokens.Jose;

namespace SecurityKit.Tokens.Tests.Properties;

public sealed class CanonicalBase64UrlTests
{
    [Fact]
    public void TryDecode_AnyInput_AgreesWithCoreStrictDecoder()
    {
        Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ \n."], 0, 90].Sample(text =>
        {
            var core = Base64Url.TryDecode(text, out var expected);
            var buffer = new byte[100];
            var fast = CanonicalBase64Url.TryDecode(Encoding.ASCII.GetBytes(text), buffer, out var written);
            return core == fast && (!core || buffer.AsSpan(0, written).SequenceEqual(expected));
        }, iter: 5000);
    }

    [Fact]
    public void TryDecode_EncodedBytes_RoundTrips()
    {
        Gen.Byte.Array[0, 70].Sample(bytes =>
        {
            var buffer = new byte[70];
            return CanonicalBase64Url.TryDecode(Encoding.ASCII.GetBytes(Base64Url.Encode(bytes)), buffer, out var written)
                && buffer.AsSpan(0, written).SequenceEqual(bytes);
        }, iter: 2000);
    }

    [Theory]
    [InlineData("QQ")]
    [InlineData("QUI")]
    [InlineData("QUJD")]
    public void TryDecode_CanonicalTail_Accepted(string text) =>
        CanonicalBase64Url.TryDecode(Encoding.ASCII.GetBytes(text), new byte[4], out _).Should().BeTrue();

    [Theory]
    [InlineData("QR")]
    [InlineData("QUJ")]
    [InlineData("QQ==")]
    [InlineData("Q")]
    [InlineData("QU I")]
    public void TryDecode_NonCanonical_Rejected(string text) =>
        CanonicalBase64Url.TryDecode(Encoding.ASCII.GetBytes(text), new byte[4], out _).Should().BeFalse();
}
