using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;
using static SecurityKit.Tokens.Tests.TestKit;

namespace SecurityKit.Tokens.Tests.Jwt;

/// <summary>
/// Options that change a decision, each shown at its boundary with a non-default value (tests at the defaults alone
/// would pass with the value hard-coded), and the orderings the validator promises: nothing of the payload is read
/// before the signature verifies.
/// </summary>
public sealed class ValidationOptionEffectTests
{
    private static JwtValidator With(Action<JwtValidationOptions> configure, params SigningKey[] keys)
    {
        var options = ValidationOptions();
        configure(options);
        return new JwtValidator(keys.Length == 0 ? new SigningKeySet(Hs256()) : new SigningKeySet(keys[0], keys[1..]), options, Clock());
    }

    private static string Claims(string times) => $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",{times}}}";

    private static JwtFailureReason Reason(JwtValidator validator, string times) => validator.Validate(Forge(Header(), Claims(times))).FailureReason;

    [Fact]
    public void ClockSkewZero_ExpiresExactlyAtExp_AndRefusesAnyNbfOrIatAhead()
    {
        var strict = With(o => o.ClockSkew = TimeSpan.Zero);

        Reason(strict, $"\"exp\":{Now},\"iat\":{Now - 60}").Should().Be(JwtFailureReason.Expired);
        Reason(strict, $"\"exp\":{Now + 1},\"iat\":{Now - 60}").Should().Be(JwtFailureReason.None);
        Reason(strict, $"\"exp\":{Now + 600},\"nbf\":{Now + 1}").Should().Be(JwtFailureReason.NotYetValid);
        Reason(strict, $"\"exp\":{Now + 600},\"nbf\":{Now}").Should().Be(JwtFailureReason.None);
        Reason(strict, $"\"exp\":{Now + 600},\"iat\":{Now + 1}").Should().Be(JwtFailureReason.IssuedInFuture);
    }

    [Fact]
    public void ClockSkewFiveMinutes_WidensEveryTimeCheckByExactlyThat()
    {
        var lenient = With(o => o.ClockSkew = TimeSpan.FromMinutes(5));

        Reason(lenient, $"\"exp\":{Now - 299},\"iat\":{Now - 900}").Should().Be(JwtFailureReason.None);
        Reason(lenient, $"\"exp\":{Now - 300},\"iat\":{Now - 900}").Should().Be(JwtFailureReason.Expired);
        Reason(lenient, $"\"exp\":{Now + 600},\"nbf\":{Now + 300}").Should().Be(JwtFailureReason.None);
        Reason(lenient, $"\"exp\":{Now + 600},\"nbf\":{Now + 301}").Should().Be(JwtFailureReason.NotYetValid);
        Reason(lenient, $"\"exp\":{Now + 600},\"iat\":{Now + 300}").Should().Be(JwtFailureReason.None);
        Reason(lenient, $"\"exp\":{Now + 600},\"iat\":{Now + 301}").Should().Be(JwtFailureReason.IssuedInFuture);
    }

    [Fact]
    public void MaxLifetime_Custom_RefusesOneSecondMore_AndRoundsAFractionUp()
    {
        var tenMinutes = With(o => o.MaxLifetime = TimeSpan.FromMinutes(10));
        Reason(tenMinutes, $"\"exp\":{Now + 600},\"iat\":{Now}").Should().Be(JwtFailureReason.None);
        Reason(tenMinutes, $"\"exp\":{Now + 601},\"iat\":{Now}").Should().Be(JwtFailureReason.LifetimeTooLong);
        Reason(tenMinutes, $"\"exp\":{Now + 601},\"nbf\":{Now}").Should().Be(JwtFailureReason.LifetimeTooLong, "measured from nbf without iat");

        // NumericDates are whole seconds: a cap of 600.5 s admits 601 s, not 602.
        var fractional = With(o => o.MaxLifetime = TimeSpan.FromSeconds(600.5));
        Reason(fractional, $"\"exp\":{Now + 601},\"iat\":{Now}").Should().Be(JwtFailureReason.None);
        Reason(fractional, $"\"exp\":{Now + 602},\"iat\":{Now}").Should().Be(JwtFailureReason.LifetimeTooLong);
    }

    [Theory]
    [InlineData("\"exp\":\"x\"")]
    [InlineData("\"exp\":1,\"exp\":2")]
    [InlineData("\"iss\":1")]
    [InlineData("\"roles\":{}")]
    public void PayloadThatWouldFail_WithAWrongSignature_IsInvalidSignature(string bad)
    {
        // The claims are read only once the signature verifies: an unauthenticated payload must not decide the outcome
        // (nor be parsed at all: a parser bug there would be reachable by anyone).
        var validator = With(_ => { });
        var payload = $"{{\"iss\":\"{Issuer}\",\"sub\":\"u\",\"aud\":\"{Audience}\",{bad}}}";
        var signed = Forge(Header(), payload);
        validator.Validate(signed).FailureReason.Should().NotBe(JwtFailureReason.None).And.NotBe(JwtFailureReason.InvalidSignature, "signed, the payload itself is refused");

        var wrongKey = Forge(Header(), payload, hmacKey: Enumerable.Repeat((byte)7, 32).ToArray());

        validator.Validate(wrongKey).FailureReason.Should().Be(JwtFailureReason.InvalidSignature);
    }

    [Fact]
    public void PayloadNotJson_WithAWrongSignature_IsInvalidSignature()
    {
        var validator = With(_ => { });
        validator.Validate(Forge(Header(), "{\"exp\":")).FailureReason.Should().Be(JwtFailureReason.InvalidJson);

        validator.Validate(Forge(Header(), "{\"exp\":", hmacKey: Enumerable.Repeat((byte)7, 32).ToArray())).FailureReason.Should().Be(JwtFailureReason.InvalidSignature);
    }

    [Fact]
    public void NoKid_SingleEcKey_HmacAlgorithm_IsAlgorithmMismatch()
    {
        // With RequireKeyId off and one key, a kid-less token uses that key: its alg must still be the key's.
        var ec = SigningKey.GenerateEcdsa("ec1");
        var validator = With(o => o.RequireKeyId = false, ec);

        validator.Validate(Forge("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}", Payload(), ec)).FailureReason.Should().Be(JwtFailureReason.None);
        validator.Validate(Forge("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", Payload(), hmacKey: HmacSecret)).FailureReason.Should().Be(JwtFailureReason.AlgorithmMismatch);
        validator.Validate(Forge("{\"alg\":\"ES384\",\"typ\":\"at+jwt\"}", Payload(), ec)).FailureReason.Should().Be(JwtFailureReason.AlgorithmMismatch);
    }

    [Theory]
    [InlineData("crit", "\\u0063rit", "[\"exp\"]", JwtFailureReason.CriticalHeaderNotSupported)]
    [InlineData("jku", "\\u006aku", "\"https://evil.example/jwks\"", JwtFailureReason.ForbiddenHeaderParameter)]
    [InlineData("jwk", "j\\u0077k", "{}", JwtFailureReason.ForbiddenHeaderParameter)]
    [InlineData("x5u", "x5\\u0075", "\"https://evil.example/cert\"", JwtFailureReason.ForbiddenHeaderParameter)]
    public void HeaderParameterSpelledWithAnEscape_IsRefusedLikeThatParameter(string plain, string escaped, string value, JwtFailureReason expected)
    {
        var validator = With(_ => { });
        validator.Validate(Forge(Header(extra: $",\"{plain}\":{value}"), Payload())).FailureReason.Should().Be(expected, "the plain spelling is refused");

        validator.Validate(Forge(Header(extra: $",\"{escaped}\":{value}"), Payload())).FailureReason.Should().Be(expected);
    }

    [Theory]
    [InlineData("\"exp\":253402300800")] // year 10000: beyond DateTimeOffset
    [InlineData("\"exp\":9223372036854775807")]
    [InlineData("\"exp\":600,\"nbf\":-1")]
    [InlineData("\"exp\":600,\"iat\":-1")]
    [InlineData("\"exp\":600,\"ver\":-1")]
    [InlineData("\"exp\":600,\"ver\":1.5")]
    public void OutOfRangeIntegerDatesAndVersions_AreInvalidClaim(string members)
    {
        // Without a lifetime cap nothing else would refuse a far-future exp, and ExpiresAt would then throw.
        var uncapped = With(o => o.MaxLifetime = null);
        var times = members.Replace("\"exp\":600", $"\"exp\":{Now + 600}", StringComparison.Ordinal);

        uncapped.Validate(Forge(Header(), Claims(times))).FailureReason.Should().Be(JwtFailureReason.InvalidClaim);
    }

    [Fact]
    public void LargestNumericDate_IsAccepted_AndReadBack()
    {
        var uncapped = With(o => o.MaxLifetime = null);

        var result = uncapped.Validate(Forge(Header(), Claims("\"exp\":253402300799")));

        result.IsValid.Should().BeTrue(result.FailureReason.ToString());
        result.ExpiresAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(253402300799));
    }
}
