using System.Security.Cryptography;
using System.Text;
using SecurityKit.Primitives;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;
using static SecurityKit.Tokens.Tests.TestKit;

namespace SecurityKit.Tokens.Tests.Jwt;

/// <summary>Every rejection path of <see cref="JwtValidator"/>, each with its exact reason.</summary>
public sealed class MaliciousTokenTests
{
    private static readonly SigningKey Ec = SigningKey.GenerateEcdsa("ec1");
    private readonly JwtValidator _validator = new(new SigningKeySet(Hs256(), Ec), ValidationOptions(), Clock());

    private JwtFailureReason Reason(string token) => _validator.Validate(token).FailureReason;

    [Fact]
    public void Validate_WellFormedForgedToken_IsValid()
    {
        // The baseline every case below mutates: it must pass, or the other assertions prove nothing.
        var result = _validator.Validate(Forge(Header(), Payload()));
        result.IsValid.Should().BeTrue(result.FailureReason.ToString());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    [InlineData("NoNe")]
    [InlineData("\\u006eone")]
    public void Validate_AlgNoneInAnyCasing_IsAlgorithmNone(string alg)
    {
        var unsigned = B64(Header(alg: alg)) + "." + B64(Payload()) + ".";
        Reason(unsigned).Should().Be(JwtFailureReason.AlgorithmNone);
        Reason(Forge(Header(alg: alg), Payload())).Should().Be(JwtFailureReason.AlgorithmNone);
    }

    [Fact]
    public void Validate_HmacTokenSignedWithEcPublicKeyAsSecret_IsAlgorithmMismatch()
    {
        // HS/ES confusion: the attacker names the EC key and signs with HMAC using its public key bytes.
        var publicKey = Ec.IsAsymmetric ? Encoding.UTF8.GetBytes(new SigningKeySet(Hs256(), Ec).ExportJwks()) : [];
        Reason(Forge(Header(kid: "ec1", alg: "HS256"), Payload(), hmacKey: publicKey)).Should().Be(JwtFailureReason.AlgorithmMismatch);
    }

    [Fact]
    public void Validate_EcTokenNamingHmacKey_IsAlgorithmMismatch() =>
        Reason(Forge(Header(kid: "hs1", alg: "ES256"), Payload(), Ec)).Should().Be(JwtFailureReason.AlgorithmMismatch);

    [Theory]
    [InlineData("HS257")]
    [InlineData("hs256")]
    [InlineData("ES512")]
    [InlineData("EdDSA")]
    [InlineData("")]
    public void Validate_UnknownAlgorithm_IsUnsupportedAlgorithm(string alg) =>
        Reason(Forge(Header(alg: alg), Payload())).Should().Be(JwtFailureReason.UnsupportedAlgorithm);

    [Fact]
    public void Validate_AlgNotAString_IsUnsupportedAlgorithm() =>
        Reason(Forge("{\"alg\":256,\"kid\":\"hs1\",\"typ\":\"at+jwt\"}", Payload())).Should().Be(JwtFailureReason.UnsupportedAlgorithm);

    [Fact]
    public void Validate_MissingAlg_IsUnsupportedAlgorithm() =>
        Reason(Forge("{\"kid\":\"hs1\",\"typ\":\"at+jwt\"}", Payload())).Should().Be(JwtFailureReason.UnsupportedAlgorithm);

    [Fact]
    public void Validate_UnknownKid_IsUnknownKeyId() =>
        Reason(Forge(Header(kid: "other"), Payload())).Should().Be(JwtFailureReason.UnknownKeyId);

    [Fact]
    public void Validate_KidNotAString_IsUnknownKeyId() =>
        Reason(Forge("{\"alg\":\"HS256\",\"kid\":[\"hs1\"],\"typ\":\"at+jwt\"}", Payload())).Should().Be(JwtFailureReason.UnknownKeyId);

    [Fact]
    public void Validate_MissingKid_IsMissingKeyId() =>
        Reason(Forge("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", Payload())).Should().Be(JwtFailureReason.MissingKeyId);

    [Theory]
    [InlineData(",\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"}")]
    [InlineData(",\"jku\":\"https://evil.example/jwks.json\"")]
    [InlineData(",\"x5u\":\"https://evil.example/cert.pem\"")]
    [InlineData(",\"x5c\":[\"MIIB\"]")]
    [InlineData(",\"b64\":false")]
    [InlineData(",\"enc\":\"A128GCM\"")]
    [InlineData(",\"zip\":\"DEF\"")]
    public void Validate_KeyOrFormatOverrideInHeader_IsForbiddenHeaderParameter(string extra) =>
        Reason(Forge(Header(extra: extra), Payload())).Should().Be(JwtFailureReason.ForbiddenHeaderParameter);

    [Theory]
    [InlineData(",\"crit\":[\"exp\"]")]
    [InlineData(",\"crit\":[\"urn:example:unknown\"],\"urn:example:unknown\":1")]
    [InlineData(",\"crit\":[]")]
    public void Validate_CritHeader_IsCriticalHeaderNotSupported(string extra) =>
        Reason(Forge(Header(extra: extra), Payload())).Should().Be(JwtFailureReason.CriticalHeaderNotSupported);

    [Theory]
    [InlineData("{\"alg\":\"HS256\",\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\"}", true)]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\",\"x\":1,\"x\":2}", true)]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"hs1\",\"\\u006bid\":\"hs1\",\"typ\":\"at+jwt\"}", true)]
    public void Validate_DuplicateHeaderMember_IsDuplicateMember(string header, bool _) =>
        Reason(Forge(header, Payload())).Should().Be(JwtFailureReason.DuplicateMember);

    [Theory]
    [InlineData(",\"exp\":1")]
    [InlineData(",\"\\u0065xp\":1")]
    [InlineData(",\"custom\":1,\"custom\":2")]
    [InlineData(",\"nested\":{\"a\":1,\"a\":2}")]
    [InlineData(",\"list\":[{\"a\":1},{\"b\":1,\"b\":1}]")]
    public void Validate_DuplicatePayloadMember_IsDuplicateMember(string extra) =>
        Reason(Forge(Header(), Payload(extra))).Should().Be(JwtFailureReason.DuplicateMember);

    [Theory]
    [InlineData(",\"a\":1,\"n\":{\"b\":1},\"a\":2")] // the outer scope is restored after a nested object closes
    [InlineData(",\"n\":{\"a\":1,\"m\":{\"x\":1},\"a\":2}")] // ... at depth two
    [InlineData(",\"a\":1,\"l\":[{\"b\":1}],\"a\":2")] // ... and after an array of objects
    [InlineData(",\"a\":1,\"l\":[[{\"a\":1}],{\"a\":2}],\"a\":3")]
    public void Validate_DuplicateAfterANestedObjectCloses_IsDuplicateMember(string extra) =>
        Reason(Forge(Header(), Payload(extra))).Should().Be(JwtFailureReason.DuplicateMember);

    [Fact]
    public void Validate_DuplicateHeaderMemberAfterANestedObjectCloses_IsDuplicateMember() =>
        Reason(Forge(Header(extra: ",\"x\":1,\"h\":{\"x\":1},\"x\":2"), Payload())).Should().Be(JwtFailureReason.DuplicateMember);

    [Fact]
    public void Validate_EmptySubject_IsInvalidClaim()
    {
        // An empty sub names nobody: it counted as present, and the async path failed it as token_version_revoked.
        var payload = Payload().Replace("\"sub\":\"user-1\"", "\"sub\":\"\"", StringComparison.Ordinal);
        payload.Should().Contain("\"sub\":\"\"");
        Reason(Forge(Header(), payload)).Should().Be(JwtFailureReason.InvalidClaim);
    }

    [Theory]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\"}{\"crit\":[\"x\"]}")]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\"} 1")]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\"}]")]
    public void Validate_TrailingDataAfterTheHeader_IsInvalidJson(string header) =>
        Reason(Forge(header, Payload())).Should().Be(JwtFailureReason.InvalidJson);

    [Fact]
    public void Validate_InvalidUtf8Header_IsInvalidJson()
    {
        var header = Base64Url.Encode([.. Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\",\"x\":\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")]);
        var input = header + "." + B64(Payload());
        var token = input + "." + Base64Url.Encode(HMACSHA256.HashData(HmacSecret, Encoding.ASCII.GetBytes(input)));
        Reason(token).Should().Be(JwtFailureReason.InvalidJson);
    }

    [Fact]
    public void Validate_SameNameInSiblingObjects_IsNotADuplicate() =>
        _validator.Validate(Forge(Header(), Payload(",\"a\":{\"x\":1},\"b\":{\"x\":1},\"list\":[{\"x\":1},{\"x\":2}]"))).IsValid.Should().BeTrue();

    [Fact]
    public void Validate_NameOfANestedMemberReusedAfterTheObject_IsNotADuplicate() =>
        _validator.Validate(Forge(Header(extra: ",\"h\":{\"y\":1},\"y\":2"), Payload(",\"n\":{\"z\":{\"w\":1},\"w\":2},\"z\":3,\"w\":4"))).IsValid.Should().BeTrue();

    [Theory]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\",\"x\":1,\"\\u0078\":2}", "")] // an unregistered header member, escaped
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\",\"\\u0078\":1,\"x\":2}", "")]
    [InlineData("", ",\"custom\":1,\"\\u0063ustom\":2")] // an unregistered claim, escaped
    [InlineData("", ",\"n\":{\"\\u0061\":1,\"a\":2}")]
    public void Validate_DuplicateMemberSpelledWithAnEscape_IsDuplicateMember(string header, string payloadExtra) =>
        Reason(Forge(header.Length == 0 ? Header() : header, Payload(payloadExtra))).Should().Be(JwtFailureReason.DuplicateMember);

    [Fact]
    public void Validate_NonCanonicalBase64Url_IsInvalidBase64Url()
    {
        var token = Forge(Header(), Payload());
        var parts = token.Split('.');
        Reason(parts[0] + "=." + parts[1] + "." + parts[2]).Should().Be(JwtFailureReason.InvalidBase64Url);
        Reason(parts[0] + "." + parts[1] + "." + parts[2] + "=").Should().Be(JwtFailureReason.InvalidBase64Url);
        Reason(parts[0] + "." + parts[1].Replace('-', '+').Replace('_', '/') + "x+." + parts[2]).Should().Be(JwtFailureReason.InvalidBase64Url);
        Reason(parts[0] + " ." + parts[1] + "." + parts[2]).Should().Be(JwtFailureReason.InvalidBase64Url);

        // The 43-character signature has 2 unused low bits: setting them gives the same bytes in a non-canonical form.
        var last = parts[2][^1];
        var index = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".IndexOf(last, StringComparison.Ordinal);
        var sloppy = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[index | 1];
        Reason(parts[0] + "." + parts[1] + "." + parts[2][..^1] + sloppy).Should().Be(JwtFailureReason.InvalidBase64Url);
    }

    [Fact]
    public void Validate_NonAsciiCharacter_IsInvalidBase64Url() =>
        Reason("é" + Forge(Header(), Payload())).Should().Be(JwtFailureReason.InvalidBase64Url);

    [Fact]
    public void Validate_FlippedSignatureBit_IsInvalidSignature()
    {
        var token = Forge(Header(), Payload());
        var dot = token.LastIndexOf('.');
        Base64Url.TryDecode(token.AsSpan(dot + 1), out var sig).Should().BeTrue();
        sig![0] ^= 0x80;
        Reason(token[..(dot + 1)] + Base64Url.Encode(sig)).Should().Be(JwtFailureReason.InvalidSignature);
    }

    [Fact]
    public void Validate_TruncatedOrEmptySignature_IsInvalidSignature()
    {
        var token = Forge(Header(), Payload());
        Reason(token[..^3]).Should().Be(JwtFailureReason.InvalidSignature);
        Reason(token[..(token.LastIndexOf('.') + 1)]).Should().Be(JwtFailureReason.InvalidSignature);
    }

    [Fact]
    public void Validate_SignatureOfOtherPayload_IsInvalidSignature()
    {
        var a = Forge(Header(), Payload()).Split('.');
        var b = Forge(Header(), Payload(",\"admin\":true")).Split('.');
        Reason(a[0] + "." + b[1] + "." + a[2]).Should().Be(JwtFailureReason.InvalidSignature);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("abc")]
    [InlineData("abc.def")]
    [InlineData(".e30.sig")]
    [InlineData("a.b.c.d")]
    [InlineData("a.b.c.d.e.f")]
    public void Validate_StructurallyBroken_IsMalformed(string token) =>
        Reason(token).Should().Be(JwtFailureReason.Malformed);

    [Fact]
    public void Validate_Null_IsMalformed() => Reason(null!).Should().Be(JwtFailureReason.Malformed);

    [Fact]
    public void Validate_TruncatedToken_IsNeverValid()
    {
        var token = Forge(Header(), Payload());
        for (var length = 0; length < token.Length; length++)
        {
            _validator.Validate(token[..length]).IsValid.Should().BeFalse($"length {length}");
        }
    }

    [Fact]
    public void Validate_FiveSegmentJweShape_IsEncryptedTokenNotSupported() =>
        Reason("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ")
            .Should().Be(JwtFailureReason.EncryptedTokenNotSupported);

    [Fact]
    public void Validate_OneMegabyteHeader_IsTokenTooLargeWithoutParsing()
    {
        var header = "{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\",\"pad\":\"" + new string('a', 1 << 20) + "\"}";
        Reason(Forge(header, Payload())).Should().Be(JwtFailureReason.TokenTooLarge);
    }

    [Fact]
    public void Validate_DeeplyNestedPayload_IsJsonTooComplex()
    {
        var nested = new string('[', 200) + new string(']', 200);
        Reason(Forge(Header(), Payload(",\"deep\":" + nested))).Should().Be(JwtFailureReason.JsonTooComplex);
        var objects = string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 20);
        Reason(Forge(Header(), Payload(",\"deep\":" + objects))).Should().Be(JwtFailureReason.JsonTooComplex);
    }

    [Fact]
    public void Validate_DeeplyNestedHeader_IsJsonTooComplex() =>
        Reason(Forge(Header(extra: ",\"deep\":" + new string('[', 100) + new string(']', 100)), Payload())).Should().Be(JwtFailureReason.JsonTooComplex);

    [Fact]
    public void Validate_NestingAtTheLimit_IsAccepted()
    {
        // Depth 8 = payload object + 7 nested arrays.
        _validator.Validate(Forge(Header(), Payload(",\"ok\":" + new string('[', 7) + new string(']', 7)))).IsValid.Should().BeTrue();
        Reason(Forge(Header(), Payload(",\"no\":" + new string('[', 8) + new string(']', 8)))).Should().Be(JwtFailureReason.JsonTooComplex);
    }

    [Fact]
    public void Validate_TooManyMembers_IsJsonTooComplex()
    {
        var members = string.Concat(Enumerable.Range(0, 200).Select(i => $",\"m{i}\":0"));
        Reason(Forge(Header(), Payload(members))).Should().Be(JwtFailureReason.JsonTooComplex);
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("\"text\"")]
    [InlineData("{\"a\":1}{}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{'a':1}")]
    [InlineData("{\"a\":1 /* c */}")]
    [InlineData("")]
    public void Validate_PayloadNotAJsonObject_IsInvalidJson(string payload) =>
        Reason(Forge(Header(), payload)).Should().Be(JwtFailureReason.InvalidJson);

    [Fact]
    public void Validate_InvalidUtf8Payload_IsInvalidJson()
    {
        var header = B64(Header());
        var payload = Base64Url.Encode([.. Encoding.UTF8.GetBytes("{\"sub\":\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")]);
        var input = header + "." + payload;
        var token = input + "." + Base64Url.Encode(HMACSHA256.HashData(HmacSecret, Encoding.ASCII.GetBytes(input)));
        Reason(token).Should().Be(JwtFailureReason.InvalidJson);
    }

    [Theory]
    [InlineData("eyJcdWRjMDAiOjF9.e30.AA")]                                   // header {"\udc00":1}
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6Ilx1ZDgwMCJ9.e30.AA")]           // header typ "\ud800"
    public void Validate_LoneSurrogateEscapeInHeader_IsInvalidJsonNotException(string token)
    {
        var act = () => _validator.Validate(token);
        act.Should().NotThrow();
        Reason(token).Should().Be(JwtFailureReason.InvalidJson);
        _validator.VerifySignature(token).IsValid.Should().BeFalse();
    }

    [Fact]
    public void Validate_LoneSurrogateEscapeInKid_IsRejectedNotException()
    {
        // Signed correctly (with the HMAC key), so only the kid can refuse it: a lookup that matched "hs1" would accept.
        var token = Forge("{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"\\udc00\"}", Payload());
        var act = () => _validator.Validate(token);
        act.Should().NotThrow();
        Reason(token).Should().BeOneOf(JwtFailureReason.InvalidJson, JwtFailureReason.UnknownKeyId);
    }

    [Fact]
    public void Validate_HeaderNotAnObject_IsInvalidJson() =>
        Reason(Forge("[\"HS256\"]", Payload())).Should().Be(JwtFailureReason.InvalidJson);

    [Fact]
    public void Validate_Expired_IsExpired() =>
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now - 61}}}")).Should().Be(JwtFailureReason.Expired);

    [Fact]
    public void Validate_ExpiryWithinClockSkew_IsAccepted()
    {
        _validator.Validate(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now - 59},\"iat\":{Now - 600}}}")).IsValid.Should().BeTrue();
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now - 60}}}")).Should().Be(JwtFailureReason.Expired);
    }

    [Fact]
    public void Validate_NotYetValid_IsNotYetValid()
    {
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600},\"nbf\":{Now + 61}}}")).Should().Be(JwtFailureReason.NotYetValid);
        _validator.Validate(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600},\"nbf\":{Now + 60}}}")).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Validate_IssuedInFuture_IsIssuedInFuture() =>
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600},\"iat\":{Now + 120}}}")).Should().Be(JwtFailureReason.IssuedInFuture);

    [Fact]
    public void Validate_LifetimeAboveMaximum_IsLifetimeTooLong() =>
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 90000},\"iat\":{Now}}}")).Should().Be(JwtFailureReason.LifetimeTooLong);

    [Fact]
    public void Validate_NoIatNorNbfWithACap_IsLifetimeTooLong_MeasuredFromNbfWhenPresent()
    {
        // Measured from "now", a token made to live a year was accepted on its last day (found in review).
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600}}}")).Should().Be(JwtFailureReason.LifetimeTooLong);
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600},\"nbf\":{Now - 86_400 * 364}}}")).Should().Be(JwtFailureReason.LifetimeTooLong);
        _validator.Validate(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600},\"nbf\":{Now - 60}}}")).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Validate_DuplicateTyp_IsDuplicateMember() =>
        Reason(Forge("{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"at+jwt\",\"typ\":\"at+jwt\"}", Payload())).Should().Be(JwtFailureReason.DuplicateMember);

    [Fact]
    public void Validate_EveryRegisteredClaimSpelledWithEscapes_ReadAsThatClaim()
    {
        static string Escaped(string name) => "\\u00" + ((int)name[0]).ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + name[1..];
        var payload = $"{{\"{Escaped("iss")}\":\"{Issuer}\",\"{Escaped("sub")}\":\"user-1\",\"{Escaped("aud")}\":\"{Audience}\",\"{Escaped("exp")}\":{Now + 600},"
            + $"\"{Escaped("iat")}\":{Now},\"{Escaped("nbf")}\":{Now},\"{Escaped("jti")}\":\"j\",\"{Escaped("sid")}\":\"s\",\"{Escaped("ver")}\":4,\"{Escaped("roles")}\":[\"r\"]}}";
        var result = _validator.Validate(Forge(Header(), payload));
        result.IsValid.Should().BeTrue(result.FailureReason.ToString());
        result.TokenVersion.Should().Be(4);
        result.GetSubject().Should().Be("user-1");
        result.ExpiresAt.Should().Be(Start.AddSeconds(600));
    }

    [Theory]
    [InlineData("iss", "\"https://evil.example\"", JwtFailureReason.InvalidIssuer)]
    [InlineData("aud", "\"https://evil.example\"", JwtFailureReason.InvalidAudience)]
    [InlineData("exp", "1767268000", JwtFailureReason.Expired)]
    [InlineData("nbf", "1767272400", JwtFailureReason.NotYetValid)]
    [InlineData("iat", "1767272400", JwtFailureReason.IssuedInFuture)]
    [InlineData("sub", "1", JwtFailureReason.InvalidClaim)]
    [InlineData("jti", "1", JwtFailureReason.InvalidClaim)]
    [InlineData("sid", "1", JwtFailureReason.InvalidClaim)]
    [InlineData("ver", "\"1\"", JwtFailureReason.InvalidClaim)]
    [InlineData("roles", "1", JwtFailureReason.InvalidClaim)]
    public void Validate_RegisteredClaimSpelledWithAnEscape_IsCheckedLikeThatClaim(string name, string value, JwtFailureReason expected)
    {
        // An escaped name ("\u0069ss") is the same member: it must not slip past the checks as a custom claim.
        var escaped = "\\u00" + ((int)name[0]).ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + name[1..];
        var members = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["iss"] = $"\"{Issuer}\"", ["sub"] = "\"user-1\"", ["aud"] = $"\"{Audience}\"", ["exp"] = $"{Now + 600}", ["iat"] = $"{Now}", ["nbf"] = $"{Now}",
        };
        members[name] = value;
        var payload = "{" + string.Join(",", members.Select(m => $"\"{(m.Key == name ? escaped : m.Key)}\":{m.Value}")) + "}";
        Reason(Forge(Header(), payload)).Should().Be(expected);
    }

    [Fact]
    public void Validate_TimeBoundaries_ExactlyAtTheLimitsAccepted()
    {
        // iat up to the skew ahead of now; a lifetime of exactly the cap (1 day, from iat).
        _validator.Validate(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600},\"iat\":{Now + 60}}}")).IsValid.Should().BeTrue();
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600},\"iat\":{Now + 61}}}")).Should().Be(JwtFailureReason.IssuedInFuture);
        _validator.Validate(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 86_400},\"iat\":{Now}}}")).IsValid.Should().BeTrue();
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 86_401},\"iat\":{Now}}}")).Should().Be(JwtFailureReason.LifetimeTooLong);
    }

    [Fact]
    public void Validate_NoIatNorNbf_WithoutALifetimeCap_IsAccepted()
    {
        var options = ValidationOptions();
        options.MaxLifetime = null;
        var uncapped = new JwtValidator(new SigningKeySet(Hs256()), options, Clock());
        uncapped.Validate(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600}}}")).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Validate_MissingKid_WithASingleKey_StillMissingKeyIdWhileRequired()
    {
        // RequireKeyId (the default) holds with one key too; only when it is off does a kid-less token use the one key.
        var single = new JwtValidator(new SigningKeySet(Hs256()), ValidationOptions(), Clock());
        var token = Forge("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", Payload());
        single.Validate(token).FailureReason.Should().Be(JwtFailureReason.MissingKeyId);

        var options = ValidationOptions();
        options.RequireKeyId = false;
        new JwtValidator(new SigningKeySet(Hs256()), options, Clock()).Validate(token).IsValid.Should().BeTrue();
        new JwtValidator(new SigningKeySet(Hs256(), Ec), options, Clock()).Validate(token).FailureReason.Should().Be(JwtFailureReason.MissingKeyId, "with two keys a kid is needed to choose");
    }

    [Fact]
    public void Validate_TokenOfExactlyMaxTokenLength_IsParsed()
    {
        var options = ValidationOptions();
        var token = Forge(Header(), Payload(",\"pad\":\"" + new string('p', 200) + "\""));
        options.MaxTokenLength = token.Length;
        var validator = new JwtValidator(new SigningKeySet(Hs256(), Ec), options, Clock());
        validator.Validate(token).IsValid.Should().BeTrue();
        options.MaxTokenLength = token.Length - 1;
        new JwtValidator(new SigningKeySet(Hs256(), Ec), options, Clock()).Validate(token).FailureReason.Should().Be(JwtFailureReason.TokenTooLarge);
    }

    [Fact]
    public void Validate_MissingExp_IsMissingExpiration() =>
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\"}}")).Should().Be(JwtFailureReason.MissingExpiration);

    [Theory]
    [InlineData("\"exp\":\"1767272400\"")]
    [InlineData("\"exp\":null")]
    [InlineData("\"exp\":true")]
    [InlineData("\"exp\":-1")]
    [InlineData("\"exp\":1e300")]
    [InlineData("\"exp\":[1]")]
    public void Validate_ExpNotANumericDate_IsInvalidClaim(string exp) =>
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",{exp}}}")).Should().Be(JwtFailureReason.InvalidClaim);

    [Theory]
    [InlineData(",\"nbf\":\"0\"")]
    [InlineData(",\"iat\":\"0\"")]
    [InlineData(",\"sid\":1")]
    [InlineData(",\"jti\":{}")]
    [InlineData(",\"ver\":\"1\"")]
    [InlineData(",\"ver\":1.5")]
    [InlineData(",\"roles\":[1]")]
    [InlineData(",\"roles\":{}")]
    public void Validate_RegisteredClaimOfWrongType_IsInvalidClaim(string extra) =>
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600}{extra}}}")).Should().Be(JwtFailureReason.InvalidClaim);

    [Fact]
    public void Validate_FractionalNumericDate_IsAccepted() =>
        _validator.Validate(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600}.75,\"iat\":{Now}.5}}")).IsValid.Should().BeTrue();

    [Theory]
    [InlineData("\"iss\":\"https://issuer.example/\"")]
    [InlineData("\"iss\":\"HTTPS://ISSUER.EXAMPLE\"")]
    [InlineData("\"iss\":\"\"")]
    public void Validate_WrongIssuer_IsInvalidIssuer(string iss) =>
        Reason(Forge(Header(), $"{{{iss},\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600}}}")).Should().Be(JwtFailureReason.InvalidIssuer);

    [Fact]
    public void Validate_MissingIssuer_IsInvalidIssuer() =>
        Reason(Forge(Header(), $"{{\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600}}}")).Should().Be(JwtFailureReason.InvalidIssuer);

    [Fact]
    public void Validate_IssuerNotAString_IsInvalidClaim() =>
        Reason(Forge(Header(), $"{{\"iss\":[\"{Issuer}\"],\"sub\":\"u\",\"aud\":\"{Audience}\",\"exp\":{Now + 600}}}")).Should().Be(JwtFailureReason.InvalidClaim);

    [Theory]
    [InlineData("\"aud\":\"https://other.example\"")]
    [InlineData("\"aud\":[\"https://other.example\",\"x\"]")]
    [InlineData("\"aud\":[]")]
    public void Validate_WrongAudience_IsInvalidAudience(string aud) =>
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",{aud},\"exp\":{Now + 600}}}")).Should().Be(JwtFailureReason.InvalidAudience);

    [Fact]
    public void Validate_AudienceArrayContainingValidAudience_IsAccepted() =>
        _validator.Validate(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":[\"x\",\"{Audience}\"],\"exp\":{Now + 600},\"iat\":{Now}}}")).IsValid.Should().BeTrue();

    [Theory]
    [InlineData("\"aud\":42")]
    [InlineData("\"aud\":[\"x\",42]")]
    [InlineData("\"aud\":[[\"x\"]]")]
    public void Validate_AudienceOfWrongType_IsInvalidClaim(string aud) =>
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",{aud},\"exp\":{Now + 600}}}")).Should().Be(JwtFailureReason.InvalidClaim);

    [Fact]
    public void Validate_MissingSubject_IsMissingSubject() =>
        Reason(Forge(Header(), $"{{\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\",\"exp\":{Now + 600}}}")).Should().Be(JwtFailureReason.MissingSubject);

    [Theory]
    [InlineData("JWT")]
    [InlineData("at+jwt+x")]
    [InlineData("application/jwt")]
    [InlineData("refresh+jwt")]
    public void Validate_WrongType_IsInvalidType(string typ) =>
        Reason(Forge($"{{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"{typ}\"}}", Payload())).Should().Be(JwtFailureReason.InvalidType);

    [Fact]
    public void Validate_MissingType_IsInvalidType() =>
        Reason(Forge("{\"alg\":\"HS256\",\"kid\":\"hs1\"}", Payload())).Should().Be(JwtFailureReason.InvalidType);

    [Theory]
    [InlineData("AT+JWT")]
    [InlineData("application/at+jwt")]
    [InlineData("Application/At+Jwt")]
    [InlineData("at\\u002bjwt")]
    public void Validate_TypeVariantsAllowedByRfc_AreAccepted(string typ) =>
        _validator.Validate(Forge($"{{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"{typ}\"}}", Payload())).IsValid.Should().BeTrue();

    [Theory]
    [InlineData("application/at+jwt")]
    [InlineData("Application/AT+JWT")]
    public void Validate_TypeConfiguredWithPrefix_AcceptsBothFormsAndNothingElse(string configured)
    {
        // RFC 7515 §4.1.9: "at+jwt" and "application/at+jwt" name the same type; a prefixed option refused unprefixed
        // tokens (found in review).
        var options = ValidationOptions();
        options.TokenType = configured;
        var validator = new JwtValidator(new SigningKeySet(Hs256()), options, Clock());

        foreach (var typ in new[] { "at+jwt", "application/at+jwt", "AT+JWT" })
        {
            validator.Validate(Forge($"{{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"{typ}\"}}", Payload())).IsValid.Should().BeTrue(typ);
        }

        foreach (var typ in new[] { "jwt", "application/jwt", "application/application/at+jwt", "application/" })
        {
            validator.Validate(Forge($"{{\"alg\":\"HS256\",\"kid\":\"hs1\",\"typ\":\"{typ}\"}}", Payload())).FailureReason.Should().Be(JwtFailureReason.InvalidType, typ);
        }
    }

    [Theory]
    [InlineData("application/")]
    [InlineData("APPLICATION/ ")]
    public void Constructor_TypeThatIsOnlyThePrefix_IsRefused(string configured)
    {
        var options = ValidationOptions();
        options.TokenType = configured;
        FluentActions.Invoking(() => new JwtValidator(new SigningKeySet(Hs256()), options, Clock()))
            .Should().Throw<ArgumentException>().WithMessage("*TokenType*application/*");
    }

    [Fact]
    public void Validate_UnknownHeaderMember_IsIgnored() =>
        _validator.Validate(Forge(Header(extra: ",\"cty\":\"x\",\"x5t\":\"abc\",\"custom\":{\"a\":[1,2]}"), Payload())).IsValid.Should().BeTrue();

    [Fact]
    public void ReadClaims_ValidTokenWithALoneSurrogateEscape_ReadsThatClaimAsAbsent()
    {
        // Validation does not decode "sub"/"jti"/"roles"; an escaped lone surrogate used to make ReadClaims throw.
        var result = _validator.Validate(Forge(Header(), Payload(",\"jti\":\"\\udc00\",\"roles\":[\"admin\",\"\\ud800\"]")));
        result.IsValid.Should().BeTrue();

        var claims = result.ReadClaims();

        claims.JwtId.Should().BeNull();
        claims.Roles.Should().Equal("admin");
        claims.Subject.Should().Be("user-1");
    }

    [Fact]
    public void ReadClaims_SignatureOnlyResultWithOddPayloads_TypedErrorOrAbsentClaims()
    {
        var notJson = _validator.VerifySignature(Forge(Header(), "not json"));
        notJson.IsValid.Should().BeTrue();
        notJson.Invoking(r => r.ReadClaims()).Should().Throw<InvalidOperationException>().WithMessage("*not JSON*");
        notJson.GetSubject().Should().BeNull("a payload that is not JSON has no subject (it threw JsonException)");
        _validator.VerifySignature(Forge(Header(), "")).GetSubject().Should().BeNull();
        _validator.VerifySignature(Forge(Header(), "[\"sub\"]")).GetSubject().Should().BeNull();
        _validator.VerifySignature(Forge(Header(), "{\"sub\":\"alice\",\"sub\":\"admin\"}")).GetSubject().Should().BeNull("two subjects are ambiguous");
        _validator.VerifySignature(Forge(Header(), "{\"sub\":42}")).GetSubject().Should().BeNull();
        _validator.VerifySignature(Forge(Header(), "{\"x\":{\"sub\":\"nested\"},\"sub\":\"alice\"}")).GetSubject().Should().Be("alice");
        _validator.VerifySignature(Forge(Header(), "[1,2]")).Invoking(r => r.ReadClaims()).Should().Throw<InvalidOperationException>().WithMessage("*not a JSON object*");

        var odd = _validator.VerifySignature(Forge(Header(), "{\"exp\":1e300,\"iat\":-1e300,\"nbf\":99999999999999,\"ver\":\"x\"}")).ReadClaims();

        odd.ExpiresAt.Should().Be(default);
        odd.IssuedAt.Should().BeNull();
        odd.NotBefore.Should().BeNull();
        odd.TokenVersion.Should().BeNull();

        // Beyond double's range: GetDouble threw FormatException out of ReadClaims (documented: reads as absent).
        var huge = _validator.VerifySignature(Forge(Header(), "{\"exp\":1e400,\"iat\":-1e400,\"nbf\":1e999}")).ReadClaims();
        huge.ExpiresAt.Should().Be(default);
        huge.IssuedAt.Should().BeNull();
        huge.NotBefore.Should().BeNull();
        _validator.Validate(Forge(Header(), "{\"exp\":1e400}")).IsValid.Should().BeFalse();
    }
}
