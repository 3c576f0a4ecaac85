using CsCheck;

namespace SecurityKit.Otp.Tests;

public sealed class Base32Tests
{
    [Fact]
    public void EncodeThenDecode_AnyBytes_RoundTrips()
    {
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            var text = Base32.Encode(bytes);
            text.Length.Should().Be(Base32.GetEncodedLength(bytes.Length));
            text.Should().NotContain("=");
            Base32.TryDecode(text, out var decoded).Should().BeTrue();
            decoded.Should().Equal(bytes);
        }, iter: 500);
    }

    [Fact]
    public void Decode_AnyAcceptedText_IsCanonical()
    {
        Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZ234567a=1 "], 0, 40].Sample(text =>
        {
            if (Base32.TryDecode(text, out var bytes))
            {
                Base32.Encode(bytes).Should().Be(text);
            }
        }, iter: 2000);
    }

    [Fact]
    public void Decode_AnyString_NeverThrows()
    {
        Gen.String.Sample(text =>
        {
            Base32.TryDecode(text, out _);
            Base32.TryDecodeLenient(text, out _);
        }, iter: 500);
    }

    [Theory]
    [InlineData("MY======")]   // padding
    [InlineData("my")]         // lower case (strict)
    [InlineData("M")]          // impossible length 1
    [InlineData("MZX")]        // impossible length 3
    [InlineData("MZXW6Y")]     // impossible length 6
    [InlineData("MZ")]         // non-zero unused bits
    [InlineData("MZXW1")]      // '1' is not base32
    [InlineData("MZXW0")]      // '0' is not base32
    [InlineData("MZ XW")]      // whitespace
    [InlineData("MÝ")]        // non-ASCII
    public void TryDecode_NonCanonical_False(string text)
    {
        Base32.TryDecode(text, out var bytes).Should().BeFalse();
        bytes.Should().BeNull();
    }

    [Fact]
    public void TryDecode_TooLong_False()
    {
        Base32.TryDecode(new string('A', Base32.MaxEncodedLength + 8), out _).Should().BeFalse();
        Base32.TryDecodeLenient(new string('A', Base32.MaxEncodedLength + 8), out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("ON\\u017FWG4TFOQ")] // "secret" with ſ for S: ToUpperInvariant made it 'S'
    [InlineData("MZXW6YTBO\\u0131")] // "foobar" with dotless ı for I: ToUpperInvariant made it 'I'
    public void TryDecodeLenient_NonAsciiLetters_Refused(string escaped) =>
        Base32.TryDecodeLenient(System.Text.RegularExpressions.Regex.Unescape(escaped), out _).Should().BeFalse();

    [Fact]
    public void TryDecodeLenient_TypedText_Decodes()
    {
        Base32.TryDecodeLenient("mzxw 6ytb-oi==", out var bytes).Should().BeTrue();
        bytes.Should().Equal("foobar"u8.ToArray());
        Base32.TryDecodeLenient("onswg4tfoq", out var secret).Should().BeTrue();
        secret.Should().Equal("secret"u8.ToArray());
    }

    [Fact]
    public void Encode_DestinationTooSmall_Throws()
    {
        FluentActions.Invoking(() => Base32.Encode([1, 2, 3], new char[2])).Should().Throw<ArgumentException>();
    }
}
