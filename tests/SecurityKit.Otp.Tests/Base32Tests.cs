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
    public void TryDecode_IntoSpan_RefusesBadInput_AndLeavesNoPartialBytes()
    {
        var destination = new byte[16];
        Base32.TryDecode("MZXW6YTBOI", destination, out var written).Should().BeTrue();
        written.Should().Be(6);
        destination.AsSpan(0, 6).ToArray().Should().Equal("foobar"u8.ToArray());

        // Non-zero unused bits at the end: the bytes decoded before it (part of a secret) are wiped.
        destination.AsSpan().Fill(0xEE);
        Base32.TryDecode("MZXW6YTBOJ", destination, out written).Should().BeFalse();
        written.Should().Be(0);
        destination.AsSpan(0, 6).ToArray().Should().OnlyContain(b => b == 0);

        Base32.TryDecode("MZXW6YTB1I", new byte[16], out written).Should().BeFalse("'1' is not base32");
        written.Should().Be(0);
        Base32.TryDecode("MZXW6YTBOI", new byte[5], out _).Should().BeFalse("the destination is too small");
        Base32.TryDecode("MZXW6YTBO", new byte[16], out _).Should().BeFalse("impossible length (9 characters)");
        Base32.TryDecode(new string('A', Base32.MaxEncodedLength + 8), new byte[Base32.MaxEncodedLength], out _).Should().BeFalse();
    }

    [Fact]
    public void TryDecode_AtTheMaximumLength_Decodes()
    {
        var longest = Base32.Encode(new byte[Base32.MaxEncodedLength * 5 / 8]);
        longest.Length.Should().Be(Base32.MaxEncodedLength);
        Base32.TryDecode(longest, out var bytes).Should().BeTrue();
        bytes.Should().HaveCount(Base32.MaxEncodedLength * 5 / 8);
        Base32.TryDecodeLenient(longest, out _).Should().BeTrue();
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
