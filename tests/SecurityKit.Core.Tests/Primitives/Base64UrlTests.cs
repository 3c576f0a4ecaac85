using System.Text;
using SecurityKit.Primitives;

namespace SecurityKit.Core.Tests.Primitives;

public sealed class Base64UrlTests
{
    // RFC 4648 §10 test vectors, without padding.
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "Zg")]
    [InlineData("fo", "Zm8")]
    [InlineData("foo", "Zm9v")]
    [InlineData("foob", "Zm9vYg")]
    [InlineData("fooba", "Zm9vYmE")]
    [InlineData("foobar", "Zm9vYmFy")]
    public void Encode_Rfc4648Vectors_MatchAndRoundTrip(string text, string expected)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Base64Url.Encode(bytes).Should().Be(expected);
        Base64Unpadded.Encode(bytes).Should().Be(expected);
        Base64Url.TryDecode(expected, out var decoded).Should().BeTrue();
        decoded.Should().Equal(bytes);
    }

    [Fact]
    public void Encode_UsesUrlAlphabet_AndStandardAlphabetForPhc()
    {
        byte[] bytes = [0xFB, 0xFF, 0xBF];
        Base64Url.Encode(bytes).Should().Be("-_-_");
        Base64Unpadded.Encode(bytes).Should().Be("+/+/");
    }

    [Theory]
    [InlineData("Zg==")]      // padding
    [InlineData("Zm9v YmF")]  // whitespace (at a length that is otherwise valid)
    [InlineData("Zm9vYmF ")]
    [InlineData("Zh")]        // non-zero unused bits (non-canonical; "Zg" is "f")
    [InlineData("Zm9")]       // non-zero unused bits ("Zm8" is "fo")
    [InlineData("Z")]         // impossible length
    [InlineData("Zm9vY")]
    [InlineData("Zm+v")]      // standard-alphabet char in base64url
    [InlineData("Zm/v")]
    [InlineData("Zm9é")]      // non-ASCII (at a valid length)
    [InlineData("Zm9\0")]
    public void TryDecode_NonCanonicalOrInvalid_Fails(string text)
    {
        Base64Url.TryDecode(text, out var bytes).Should().BeFalse();
        bytes.Should().BeNull();
    }

    [Fact]
    public void TryDecode_RandomBytes_RoundTripForEveryLength()
    {
        for (var length = 0; length < 200; length++)
        {
            var bytes = SecureRandom.GetBytes(length);
            var text = Base64Url.Encode(bytes);
            text.Length.Should().Be(Base64Url.GetEncodedLength(length));
            Base64Url.TryDecode(text, out var decoded).Should().BeTrue();
            decoded.Should().Equal(bytes);
            var standard = Base64Unpadded.Encode(bytes);
            standard.Should().Be(Convert.ToBase64String(bytes).TrimEnd('='));
            var buffer = new byte[Base64Unpadded.GetMaxDecodedLength(standard.Length)];
            Base64Unpadded.TryDecode(standard, buffer, out var written).Should().BeTrue();
            buffer.AsSpan(0, written).ToArray().Should().Equal(bytes);
        }
    }

    [Fact]
    public void TryDecode_DestinationTooSmall_Fails()
    {
        Base64Url.TryDecode("Zm9vYmFy", new byte[5], out var written).Should().BeFalse();
        written.Should().Be(0);
    }

    [Fact]
    public void Encode_DestinationTooSmall_Throws()
    {
        var act = () => Base64Url.Encode(new byte[3], new char[3]);
        act.Should().Throw<ArgumentException>();
    }
}
