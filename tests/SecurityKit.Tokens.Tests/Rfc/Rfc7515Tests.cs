using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Primitives;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Tokens.Tests.Rfc;

/// <summary>RFC 7515 Appendix A.1–A.3 (the same payload is the RFC 7519 §3.1 example claims set).</summary>
public sealed class Rfc7515Tests
{
    private const string Payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

    private const string A1 = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + Payload + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    private const string A2 = "eyJhbGciOiJSUzI1NiJ9." + Payload +
        ".cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

    private const string A3 = "eyJhbGciOiJFUzI1NiJ9." + Payload + ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

    private const string A2Modulus = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";

    // Before the example's exp (1300819380 = 2011-03-22T18:43:00Z).
    private static readonly FakeTimeProvider Clock = new(DateTimeOffset.FromUnixTimeSeconds(1300819000));

    public static TheoryData<string, string> Vectors() => new()
    {
        { "A.1 HS256", A1 },
        { "A.2 RS256", A2 },
        { "A.3 ES256", A3 },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void VerifySignature_RfcExample_IsValidAndPayloadMatches(string name, string token)
    {
        var validator = new JwtValidator(KeySetFor(name), Options(), Clock);

        var result = validator.VerifySignature(token);

        result.IsValid.Should().BeTrue(name);
        Encoding.UTF8.GetString(result.GetPayload()).Should().Be("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void VerifySignature_RfcExampleWithFlippedSignatureBit_IsInvalidSignature(string name, string token)
    {
        var validator = new JwtValidator(KeySetFor(name), Options(), Clock);
        var dot = token.LastIndexOf('.');
        Base64Url.TryDecode(token.AsSpan(dot + 1), out var signature).Should().BeTrue();
        signature![5] ^= 1;

        validator.VerifySignature(token[..(dot + 1)] + Base64Url.Encode(signature)).FailureReason.Should().Be(JwtFailureReason.InvalidSignature, name);
    }

    [Fact]
    public void Validate_A1WithJwtType_ChecksClaimsAfterSignature()
    {
        // The example has no "aud": a JWT validator with an audience must refuse it, after the signature and exp passed.
        var options = Options();
        options.TokenType = "JWT";
        var validator = new JwtValidator(KeySetFor("A.1"), options, Clock);

        validator.Validate(A1).FailureReason.Should().Be(JwtFailureReason.InvalidAudience);
    }

    private static JwtValidationOptions Options()
    {
        var o = new JwtValidationOptions { RequireKeyId = false, RequireSubject = false, MaxLifetime = null };
        o.ValidIssuers.Add("joe");
        o.ValidAudiences.Add("unused");
        return o;
    }

    private static SigningKeySet KeySetFor(string name)
    {
        if (name.StartsWith("A.1", StringComparison.Ordinal))
        {
            Base64Url.TryDecode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow", out var k).Should().BeTrue();
            return new SigningKeySet(SigningKey.CreateHmac("a1", JwsAlgorithm.HS256, k!));
        }

        if (name.StartsWith("A.2", StringComparison.Ordinal))
        {
            Base64Url.TryDecode(A2Modulus, out var n).Should().BeTrue();
            var rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters { Modulus = n, Exponent = [1, 0, 1] });
            return SigningKeySet.ForValidation(SigningKey.FromRsa("a2", rsa, JwsAlgorithm.RS256));
        }

        Base64Url.TryDecode("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", out var x).Should().BeTrue();
        Base64Url.TryDecode("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", out var y).Should().BeTrue();
        Base64Url.TryDecode("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI", out var d).Should().BeTrue();
        var ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y }, D = d });
        return new SigningKeySet(SigningKey.FromEcdsa("a3", ec));
    }
}
