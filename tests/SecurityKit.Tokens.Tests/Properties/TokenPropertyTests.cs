using CsCheck;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;
using static SecurityKit.Tokens.Tests.TestKit;

namespace SecurityKit.Tokens.Tests.Properties;

public sealed class TokenPropertyTests
{
    private static readonly SigningKeySet Keys = new(Hs256(), SigningKey.GenerateEcdsa("ec1"));
    private static readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider Time = Clock();
    private static readonly JwtIssuer Issuer = new(Keys, IssuerOptions(), Time);
    private static readonly JwtValidator Validator = new(Keys, ValidationOptions(), Time);
    private static readonly string Base = Issuer.CreateToken(new JwtDescriptor { Subject = "user-1", SessionId = "s" });

    [Fact]
    public void CreateThenValidate_AnySubjectRolesAndClaims_RoundTrips()
    {
        Gen.Select(Gen.String[1, 40], Gen.String[0, 12].List[0, 5], Gen.Long[0, long.MaxValue], Gen.String[0, 30])
            .Sample((subject, roles, version, custom) =>
            {
                var descriptor = new JwtDescriptor { Subject = subject, TokenVersion = version };
                foreach (var role in roles)
                {
                    descriptor.Roles.Add(role);
                }

                descriptor.Claims["custom"] = custom;
                var result = Validator.Validate(Issuer.CreateToken(descriptor));
                if (!result.IsValid)
                {
                    return false;
                }

                var claims = result.ReadClaims();
                return claims.Subject == subject && result.GetSubject() == subject && claims.Roles.SequenceEqual(roles)
                    && claims.TokenVersion == version && claims.TryGetClaim("custom", out var c) && c.GetString() == custom;
            }, iter: 300);
    }

    [Fact]
    public void Validate_AnySingleCharacterMutation_IsRejected()
    {
        Validator.Validate(Base).IsValid.Should().BeTrue();
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}\u00e9";
        Gen.Select(Gen.Int[0, Base.Length - 1], Gen.Char[alphabet])
            .Where((index, c) => Base[index] != c)
            .Sample((index, c) =>
            {
                var mutated = string.Concat(Base.AsSpan(0, index), c.ToString(), Base.AsSpan(index + 1));
                return !Validator.Validate(mutated).IsValid;
            }, iter: 2000);
    }

    [Fact]
    public void Validate_AnyInsertionOrDeletion_IsRejected()
    {
        Gen.Select(Gen.Int[0, Base.Length - 1], Gen.Char['0', 'z'], Gen.Bool)
            .Sample((index, c, insert) =>
            {
                var mutated = insert ? Base.Insert(index, c.ToString()) : Base.Remove(index, 1);
                return !Validator.Validate(mutated).IsValid;
            }, iter: 1000);
    }

    [Fact]
    public void Validate_ArbitraryInput_NeverThrows()
    {
        Gen.OneOf(Gen.String[0, 400], Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."], 0, 400])
            .Sample(text => !Validator.Validate(text).IsValid, iter: 2000);
    }

    [Fact]
    public void Validate_ArbitraryJsonPayloadSignedWithTheKey_NeverThrows()
    {
        var json = Gen.String[Gen.Char["{}[]\":,0123456789.-eE truefalsn\\u"], 0, 200];
        json.Sample(payload =>
        {
            _ = Validator.Validate(Forge(Header(), payload));
            return true;
        }, iter: 2000);
    }
}
