using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;
using static SecurityKit.Tokens.Tests.TestKit;

namespace SecurityKit.Tokens.Tests.Interop;

/// <summary>Tokens issued here validate with Microsoft.IdentityModel.JsonWebTokens (what JwtBearer uses), and the reverse.</summary>
public sealed class IdentityModelInteropTests
{
    private static readonly RSAParameters RsaKey = CreateRsa();

    public static TheoryData<JwsAlgorithm> Algorithms() => [JwsAlgorithm.HS256, JwsAlgorithm.HS384, JwsAlgorithm.HS512, JwsAlgorithm.ES256, JwsAlgorithm.ES384, JwsAlgorithm.RS256, JwsAlgorithm.PS256];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task OurToken_ValidatesWithIdentityModel(JwsAlgorithm algorithm)
    {
        var (ours, theirs) = KeyPair(algorithm, "kid-" + algorithm);
        // IdentityModel reads the system clock, so issue at the real time.
        var issuer = new JwtIssuer(new SigningKeySet(ours), IssuerOptions(), TimeProvider.System);
        var descriptor = new JwtDescriptor { Subject = "user-1" };
        descriptor.Roles.Add("admin");
        var token = issuer.CreateToken(descriptor);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, Parameters(theirs));

        result.IsValid.Should().BeTrue(result.Exception?.Message);
        result.Claims["sub"].Should().Be("user-1");
        ((JsonWebToken)result.SecurityToken).Typ.Should().Be("at+jwt");
        ((JsonWebToken)result.SecurityToken).Kid.Should().Be("kid-" + algorithm);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void IdentityModelToken_ValidatesHere(JwsAlgorithm algorithm)
    {
        var (ours, theirs) = KeyPair(algorithm, "kid-" + algorithm);
        var now = DateTime.UtcNow;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "user-2"), new Claim("sid", "s-9")]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(theirs, JwsAlgorithms.GetName(algorithm)),
        });

        var validator = new JwtValidator(SigningKeySet.ForValidation(ours), ValidationOptions(), TimeProvider.System);
        var result = validator.Validate(token);

        result.IsValid.Should().BeTrue(result.FailureReason.ToString());
        result.GetSubject().Should().Be("user-2");
        result.ReadClaims().SessionId.Should().Be("s-9");
    }

    [Fact]
    public void IdentityModelToken_WithExpAsString_IsRejectedHere()
    {
        // IdentityModel accepts a string exp; this validator requires a JSON number (RFC 7519 NumericDate).
        var (ours, theirs) = KeyPair(JwsAlgorithm.HS256, "k");
        var handler = new JsonWebTokenHandler();
        var exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var payload = $"{{\"iss\":\"{Issuer}\",\"aud\":\"{Audience}\",\"sub\":\"u\",\"exp\":\"{exp}\"}}";
        var token = handler.CreateToken(payload, new SigningCredentials(theirs, "HS256"), new Dictionary<string, object> { ["typ"] = "at+jwt" });

        new JwtValidator(SigningKeySet.ForValidation(ours), ValidationOptions(), TimeProvider.System).Validate(token).FailureReason.Should().Be(JwtFailureReason.InvalidClaim);
    }

    private static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = key,
        ValidTypes = ["at+jwt"],
        ValidAlgorithms = ["HS256", "HS384", "HS512", "ES256", "ES384", "RS256", "PS256"],
    };

    private static (SigningKey Ours, SecurityKey Theirs) KeyPair(JwsAlgorithm algorithm, string kid)
    {
        switch (algorithm)
        {
            case JwsAlgorithm.HS256:
            case JwsAlgorithm.HS384:
            case JwsAlgorithm.HS512:
                var secret = RandomNumberGenerator.GetBytes(64);
                return (SigningKey.CreateHmac(kid, algorithm, secret), new SymmetricSecurityKey(secret) { KeyId = kid });
            case JwsAlgorithm.ES256:
            case JwsAlgorithm.ES384:
                var curve = algorithm == JwsAlgorithm.ES256 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384;
                var parameters = ECDsa.Create(curve).ExportParameters(true);
                return (SigningKey.FromEcdsa(kid, ECDsa.Create(parameters)), new ECDsaSecurityKey(ECDsa.Create(parameters)) { KeyId = kid });
            default:
                var ours = RSA.Create();
                ours.ImportParameters(RsaKey);
                var theirs = RSA.Create();
                theirs.ImportParameters(RsaKey);
                return (SigningKey.FromRsa(kid, ours, algorithm), new RsaSecurityKey(theirs) { KeyId = kid });
        }
    }

    private static RSAParameters CreateRsa()
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportParameters(true);
    }
}
