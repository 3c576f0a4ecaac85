using System.Text;

namespace SecurityKit.Otp.Tests.Rfc;

/// <summary>Published test vectors: RFC 4226 Appendix D, RFC 6238 Appendix B, RFC 4648 §10.</summary>
public static class RfcVectors
{
    /// <summary>RFC 4226 Appendix D: secret "12345678901234567890", counters 0–9, 6 digits.</summary>
    public static TheoryData<long, string> Rfc4226 => new()
    {
        { 0, "755224" }, { 1, "287082" }, { 2, "359152" }, { 3, "969429" }, { 4, "338314" },
        { 5, "254676" }, { 6, "287922" }, { 7, "162583" }, { 8, "399871" }, { 9, "520489" },
    };

    public static readonly byte[] Rfc4226Secret = Encoding.ASCII.GetBytes("12345678901234567890");

    /// <summary>RFC 6238 Appendix B: Unix time, algorithm, 8-digit code; seeds of 20, 32 and 64 bytes (see the errata: the 32/64-byte seeds).</summary>
    public static TheoryData<long, OtpAlgorithm, string> Rfc6238 => new()
    {
        { 59, OtpAlgorithm.Sha1, "94287082" }, { 59, OtpAlgorithm.Sha256, "46119246" }, { 59, OtpAlgorithm.Sha512, "90693936" },
        { 1111111109, OtpAlgorithm.Sha1, "07081804" }, { 1111111109, OtpAlgorithm.Sha256, "68084774" }, { 1111111109, OtpAlgorithm.Sha512, "25091201" },
        { 1111111111, OtpAlgorithm.Sha1, "14050471" }, { 1111111111, OtpAlgorithm.Sha256, "67062674" }, { 1111111111, OtpAlgorithm.Sha512, "99943326" },
        { 1234567890, OtpAlgorithm.Sha1, "89005924" }, { 1234567890, OtpAlgorithm.Sha256, "91819424" }, { 1234567890, OtpAlgorithm.Sha512, "93441116" },
        { 2000000000, OtpAlgorithm.Sha1, "69279037" }, { 2000000000, OtpAlgorithm.Sha256, "90698825" }, { 2000000000, OtpAlgorithm.Sha512, "38618901" },
        { 20000000000, OtpAlgorithm.Sha1, "65353130" }, { 20000000000, OtpAlgorithm.Sha256, "77737706" }, { 20000000000, OtpAlgorithm.Sha512, "47863826" },
    };

    public static byte[] Rfc6238Seed(OtpAlgorithm algorithm) => algorithm switch
    {
        OtpAlgorithm.Sha256 => Encoding.ASCII.GetBytes("12345678901234567890123456789012"),
        OtpAlgorithm.Sha512 => Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890123456789012345678901234"),
        _ => Encoding.ASCII.GetBytes("12345678901234567890"),
    };

    /// <summary>RFC 4648 §10 base32 vectors, padding removed.</summary>
    public static TheoryData<string, string> Rfc4648Base32 => new()
    {
        { "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
        { "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
    };
}

public sealed class RfcVectorTests
{
    [Theory]
    [MemberData(nameof(RfcVectors.Rfc4226), MemberType = typeof(RfcVectors))]
    public void Hotp_ComputeCode_Rfc4226AppendixD(long counter, string expected)
    {
        Hotp.ComputeCode(RfcVectors.Rfc4226Secret, counter).Should().Be(expected);
        Hotp.VerifyCode(RfcVectors.Rfc4226Secret, expected, counter, 0, out var matched).Should().BeTrue();
        matched.Should().Be(counter);
    }

    [Theory]
    [MemberData(nameof(RfcVectors.Rfc6238), MemberType = typeof(RfcVectors))]
    public void Totp_ComputeCode_Rfc6238AppendixB(long unixTime, OtpAlgorithm algorithm, string expected)
    {
        var seed = RfcVectors.Rfc6238Seed(algorithm);
        var time = DateTimeOffset.FromUnixTimeSeconds(unixTime);
        Totp.ComputeCode(seed, time, algorithm, digits: 8).Should().Be(expected);
        Totp.VerifyCode(seed, expected, time, 0, 0, out var step, algorithm, digits: 8).Should().BeTrue();
        step.Should().Be(unixTime / 30);
    }

    [Theory]
    [MemberData(nameof(RfcVectors.Rfc6238), MemberType = typeof(RfcVectors))]
    public void Totp_ComputeCode_MatchesOtpNetOracle(long unixTime, OtpAlgorithm algorithm, string expected)
    {
        var seed = RfcVectors.Rfc6238Seed(algorithm);
        var mode = algorithm switch { OtpAlgorithm.Sha256 => OtpNet.OtpHashMode.Sha256, OtpAlgorithm.Sha512 => OtpNet.OtpHashMode.Sha512, _ => OtpNet.OtpHashMode.Sha1 };
        var oracle = new OtpNet.Totp(seed, 30, mode, 8).ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(unixTime).UtcDateTime);
        oracle.Should().Be(expected);
        Totp.ComputeCode(seed, DateTimeOffset.FromUnixTimeSeconds(unixTime), algorithm, 8).Should().Be(oracle);
    }

    [Theory]
    [MemberData(nameof(RfcVectors.Rfc4648Base32), MemberType = typeof(RfcVectors))]
    public void Base32_Rfc4648Vectors_EncodeAndDecode(string plain, string encoded)
    {
        var bytes = Encoding.ASCII.GetBytes(plain);
        Base32.Encode(bytes).Should().Be(encoded);
        Base32.TryDecode(encoded, out var decoded).Should().BeTrue();
        decoded.Should().Equal(bytes);
        Base32.TryDecodeLenient(encoded.ToLowerInvariant() + new string('=', (8 - (encoded.Length % 8)) % 8), out var lenient).Should().BeTrue();
        lenient.Should().Equal(bytes);
    }
}
