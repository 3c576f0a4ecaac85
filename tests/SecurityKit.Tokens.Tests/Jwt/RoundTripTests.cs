using System.Security.Cryptography;
using System.Text.Json;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;
using static SecurityKit.Tokens.Tests.TestKit;

namespace SecurityKit.Tokens.Tests.Jwt;

public sealed class RoundTripTests
{
    public static TheoryData<JwsAlgorithm> Algorithms() => [.. Enum.GetValues<JwsAlgorithm>()];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void CreateToken_EveryAlgorithm_ValidatesWithClaims(JwsAlgorithm algorithm)
    {
        var clock = Clock();
        var keys = new SigningKeySet(Create(algorithm, "k-" + algorithm));
        var issuer = new JwtIssuer(keys, IssuerOptions(), clock);
        var validator = new JwtValidator(keys, ValidationOptions(), clock);
        var descriptor = new JwtDescriptor { Subject = "user-42", SessionId = "s-1", TokenVersion = 7, JwtId = "id-1" };
        descriptor.Roles.Add("admin");
        descriptor.Roles.Add("ops");
        descriptor.Claims["tenant"] = "acme";
        descriptor.Claims["mfa"] = true;
        descriptor.Claims["level"] = 3;
        descriptor.Claims["scopes"] = new[] { "read", "write" };

        var token = issuer.CreateToken(descriptor);
        var result = validator.Validate(token);

        result.IsValid.Should().BeTrue(result.FailureReason.ToString());
        result.Key!.Algorithm.Should().Be(algorithm);
        result.TokenVersion.Should().Be(7);
        result.ExpiresAt.Should().Be(Start.AddMinutes(15));
        result.IssuedAt.Should().Be(Start);
        result.NotBefore.Should().Be(Start);
        result.GetSubject().Should().Be("user-42");
        var claims = result.ReadClaims();
        claims.Subject.Should().Be("user-42");
        claims.Issuer.Should().Be(Issuer);
        claims.Audiences.Should().Equal(Audience);
        claims.SessionId.Should().Be("s-1");
        claims.JwtId.Should().Be("id-1");
        claims.Roles.Should().Equal("admin", "ops");
        claims.TokenVersion.Should().Be(7);
        claims.TryGetClaim("tenant", out var tenant).Should().BeTrue();
        tenant.GetString().Should().Be("acme");
        claims.TryGetClaim("mfa", out var mfa).Should().BeTrue();
        mfa.GetBoolean().Should().BeTrue();
        claims.TryGetClaim("scopes", out var scopes).Should().BeTrue();
        scopes.EnumerateArray().Select(e => e.GetString()).Should().Equal("read", "write");
    }

    [Fact]
    public void CreateToken_EveryCustomClaimType_WrittenAsJson_AndNoEmptyRoles()
    {
        var clock = Clock();
        var keys = new SigningKeySet(Hs256());
        var descriptor = new JwtDescriptor { Subject = "u" };
        descriptor.Claims["none"] = null;
        descriptor.Claims["big"] = 9_007_199_254_740_993L;
        descriptor.Claims["ratio"] = 0.25;
        descriptor.Claims["when"] = Start.AddHours(1);
        descriptor.Claims["small"] = -3;

        var token = new JwtIssuer(keys, IssuerOptions(), clock).CreateToken(descriptor);
        var payload = System.Text.Encoding.UTF8.GetString(SecurityKit.Primitives.Base64Url.TryDecode(token.Split('.')[1], out var bytes) ? bytes : []);

        payload.Should().Contain("\"none\":null").And.Contain("\"big\":9007199254740993").And.Contain("\"ratio\":0.25")
            .And.Contain($"\"when\":{Start.AddHours(1).ToUnixTimeSeconds()}").And.Contain("\"small\":-3");
        payload.Should().NotContain("roles", "no roles, no empty array");
        new JwtValidator(keys, ValidationOptions(), clock).Validate(token).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Issuer_InvalidOptionsOrLifetime_ThrowsSayingWhatToSet()
    {
        var keys = new SigningKeySet(Hs256());
        JwtIssuerOptions With(Action<JwtIssuerOptions> change)
        {
            var o = IssuerOptions();
            change(o);
            return o;
        }

        foreach (var (options, message) in new (JwtIssuerOptions, string)[]
        {
            (With(o => o.Issuer = ""), "*Issuer*"),
            (With(o => o.Audiences.Clear()), "*audience*"),
            (With(o => o.Audiences.Add("")), "*non-empty audience*"),
            (With(o => o.Lifetime = TimeSpan.Zero), "*Lifetime must be positive*"),
            (With(o => o.TokenType = " "), "*TokenType*"),
            (With(o => o.MaxLifetime = o.Lifetime - TimeSpan.FromSeconds(1)), "*MaxLifetime*"),
        })
        {
            FluentActions.Invoking(() => new JwtIssuer(keys, options, Clock())).Should().Throw<ArgumentException>().WithMessage(message);
        }

        var issuer = new JwtIssuer(keys, With(o => o.MaxLifetime = o.Lifetime), Clock());
        issuer.CreateToken(new JwtDescriptor { Subject = "u" }).Should().NotBeEmpty("MaxLifetime equal to Lifetime is fine");
        FluentActions.Invoking(() => issuer.CreateToken(new JwtDescriptor { Subject = "u", Lifetime = TimeSpan.Zero })).Should().Throw<ArgumentException>().WithMessage("*positive*");
    }

    [Fact]
    public void CreateToken_ValuesTheValidatorWouldRefuse_RefusedWhenIssued()
    {
        // A null role (JSON null), a negative ver, and a token longer than the validators accept were issued and then
        // failed at every use (found in review).
        var options = IssuerOptions();
        options.MaxTokenLength = 1024;
        var issuer = new JwtIssuer(new SigningKeySet(Hs256("key-7")), options, Clock());

        var nullRole = new JwtDescriptor { Subject = "u" };
        nullRole.Roles.Add(null!);
        issuer.Invoking(i => i.CreateToken(nullRole)).Should().Throw<ArgumentException>().WithMessage("*null role*");
        issuer.Invoking(i => i.CreateToken(new JwtDescriptor { Subject = "u", TokenVersion = -1 })).Should().Throw<ArgumentException>().WithMessage("*negative*");
        issuer.Invoking(i => i.CreateToken(new JwtDescriptor { Subject = "" })).Should().Throw<ArgumentException>().WithMessage("*Subject is empty*");
        var large = new JwtDescriptor { Subject = "u" };
        for (var r = 0; r < 100; r++)
        {
            large.Roles.Add("role-" + r);
        }

        issuer.Invoking(i => i.CreateToken(large)).Should().Throw<ArgumentException>().WithMessage("*longer than JwtIssuerOptions.MaxTokenLength (1024)*");
        var fits = issuer.CreateToken(new JwtDescriptor { Subject = "u", TokenVersion = 0 });
        fits.Length.Should().BeLessThanOrEqualTo(1024);

        // The computed length is the real one: exactly the token's length passes, one less does not.
        var exact = IssuerOptions();
        exact.MaxTokenLength = fits.Length;
        new JwtIssuer(new SigningKeySet(Hs256("key-7")), exact, Clock()).CreateToken(new JwtDescriptor { Subject = "u", TokenVersion = 0 }).Should().HaveLength(fits.Length);
        exact.MaxTokenLength = fits.Length - 1;
        new JwtIssuer(new SigningKeySet(Hs256("key-7")), exact, Clock()).Invoking(i => i.CreateToken(new JwtDescriptor { Subject = "u", TokenVersion = 0 })).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void CreateToken_MoreCustomClaimsThanTheValidatorsRead_RefusedWhenIssued()
    {
        // Found in review: 129 custom claims (~1.5 KB, well under the length limit) were signed, and every validation then
        // failed with JsonTooComplex. 128 is the most the validators track for duplicate names.
        var clock = Clock();
        var keys = new SigningKeySet(Hs256("key-7"));
        var issuer = new JwtIssuer(keys, IssuerOptions(), clock);
        var validator = new JwtValidator(keys, ValidationOptions(), clock);
        var most = new JwtDescriptor { Subject = "u", SessionId = "s", TokenVersion = 1 };
        most.Roles.Add("admin");
        for (var i = 0; i < JwtDescriptor.MaxCustomClaims; i++)
        {
            most.Claims["c" + i] = i;
        }

        var token = issuer.CreateToken(most);
        var result = validator.Validate(token);
        result.IsValid.Should().BeTrue(result.FailureReason.ToString());

        most.Claims["one-more"] = 1;
        issuer.Invoking(i => i.CreateToken(most)).Should().Throw<ArgumentException>().WithMessage("*129 custom claims*at most 128*");
    }

    [Fact]
    public void CreateToken_Header_HasAlgKidAndType()
    {
        var issuer = new JwtIssuer(new SigningKeySet(Hs256("key-7")), IssuerOptions(), Clock());
        var token = issuer.CreateToken(new JwtDescriptor { Subject = "u" });
        SecurityKit.Primitives.Base64Url.TryDecode(token.AsSpan(0, token.IndexOf('.')), out var header).Should().BeTrue();
        System.Text.Encoding.UTF8.GetString(header!).Should().Be("{\"alg\":\"HS256\",\"kid\":\"key-7\",\"typ\":\"at+jwt\"}");
    }

    [Fact]
    public void CreateToken_WithoutJwtId_GeneratesUniqueIds()
    {
        var clock = Clock();
        var keys = new SigningKeySet(Hs256());
        var issuer = new JwtIssuer(keys, IssuerOptions(), clock);
        var validator = new JwtValidator(keys, ValidationOptions(), clock);
        var ids = Enumerable.Range(0, 50).Select(_ => validator.Validate(issuer.CreateToken(new JwtDescriptor { Subject = "u" })).ReadClaims().JwtId).ToList();
        ids.Should().OnlyHaveUniqueItems().And.AllSatisfy(id => id.Should().HaveLength(22));
    }

    [Fact]
    public void Validate_AfterLifetime_IsExpired()
    {
        var clock = Clock();
        var keys = new SigningKeySet(Hs256());
        var token = new JwtIssuer(keys, IssuerOptions(), clock).CreateToken(new JwtDescriptor { Subject = "u" });
        var validator = new JwtValidator(keys, ValidationOptions(), clock);
        clock.Advance(TimeSpan.FromSeconds((15 * 60) + 30));
        validator.Validate(token).IsValid.Should().BeTrue("within the 60 s skew");
        clock.Advance(TimeSpan.FromMinutes(1));
        validator.Validate(token).FailureReason.Should().Be(JwtFailureReason.Expired);
    }

    [Fact]
    public void Validate_KeyRotation_OldTokensValidateUntilKeyIsDropped()
    {
        var clock = Clock();
        var oldKey = Hs256("2026-01");
        var newKey = SigningKey.GenerateHmac("2026-02");
        var oldToken = new JwtIssuer(new SigningKeySet(oldKey), IssuerOptions(), clock).CreateToken(new JwtDescriptor { Subject = "u" });

        var rotated = new SigningKeySet(newKey, oldKey);
        var newToken = new JwtIssuer(rotated, IssuerOptions(), clock).CreateToken(new JwtDescriptor { Subject = "u" });
        var validator = new JwtValidator(rotated, ValidationOptions(), clock);
        validator.Validate(oldToken).IsValid.Should().BeTrue();
        validator.Validate(newToken).Key!.KeyId.Should().Be("2026-02");

        var dropped = new JwtValidator(new SigningKeySet(newKey), ValidationOptions(), clock);
        dropped.Validate(oldToken).FailureReason.Should().Be(JwtFailureReason.UnknownKeyId);
    }

    [Fact]
    public void CreateToken_SeveralAudiences_WritesArrayAndValidates()
    {
        var clock = Clock();
        var keys = new SigningKeySet(Hs256());
        var options = IssuerOptions();
        options.Audiences.Add("second");
        var token = new JwtIssuer(keys, options, clock).CreateToken(new JwtDescriptor { Subject = "u" });
        var result = new JwtValidator(keys, ValidationOptions(), clock).Validate(token);
        result.IsValid.Should().BeTrue();
        result.ReadClaims().Audiences.Should().Equal(Audience, "second");
    }

    [Theory]
    [InlineData("sub")]
    [InlineData("exp")]
    [InlineData("roles")]
    public void CreateToken_CustomClaimWithRegisteredName_Throws(string name)
    {
        var issuer = new JwtIssuer(new SigningKeySet(Hs256()), IssuerOptions(), Clock());
        var descriptor = new JwtDescriptor { Subject = "u" };
        descriptor.Claims[name] = "x";
        issuer.Invoking(i => i.CreateToken(descriptor)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void CreateToken_UnsupportedCustomValue_Throws()
    {
        var issuer = new JwtIssuer(new SigningKeySet(Hs256()), IssuerOptions(), Clock());
        var descriptor = new JwtDescriptor { Subject = "u" };
        descriptor.Claims["obj"] = new object();
        issuer.Invoking(i => i.CreateToken(descriptor)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void CreateToken_LargeClaims_UsesPooledBuffersAndValidates()
    {
        var clock = Clock();
        var keys = new SigningKeySet(Hs256());
        var descriptor = new JwtDescriptor { Subject = "u" };
        descriptor.Claims["blob"] = new string('x', 3000);
        var token = new JwtIssuer(keys, IssuerOptions(), clock).CreateToken(descriptor);
        token.Length.Should().BeGreaterThan(4000);
        new JwtValidator(keys, ValidationOptions(), clock).Validate(token).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Validate_HotPath_AllocatesNothing()
    {
        var clock = Clock();
        var keys = new SigningKeySet(Hs256());
        var token = new JwtIssuer(keys, IssuerOptions(), clock).CreateToken(new JwtDescriptor { Subject = "user-1" });
        var validator = new JwtValidator(keys, ValidationOptions(), clock);
        validator.Validate(token).IsValid.Should().BeTrue();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            validator.Validate(token);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void JwtIssuer_ValidationOnlyKeySet_Throws()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicOnly = ECDsa.Create(ec.ExportParameters(false));
        var set = SigningKeySet.ForValidation(SigningKey.FromEcdsa("pub", publicOnly));
        set.CanSign.Should().BeFalse();
        var create = () => new JwtIssuer(set, IssuerOptions(), Clock());
        create.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void JwtValidator_WithoutIssuerOrAudience_Throws()
    {
        var create = () => new JwtValidator(new SigningKeySet(Hs256()), new JwtValidationOptions(), Clock());
        create.Should().Throw<ArgumentException>().WithMessage("*ValidIssuers*");
    }

    [Fact]
    public void Result_ToString_NeverContainsToken()
    {
        var clock = Clock();
        var keys = new SigningKeySet(Hs256());
        var token = new JwtIssuer(keys, IssuerOptions(), clock).CreateToken(new JwtDescriptor { Subject = "u" });
        var result = new JwtValidator(keys, ValidationOptions(), clock).Validate(token);
        result.ToString().Should().Be("Valid(kid=hs1)");
        default(JwtValidationResult).IsValid.Should().BeFalse();
        default(JwtValidationResult).Invoking(r => r.ReadClaims()).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Claims_NumericTimes_ParseAsJsonNumbers()
    {
        var clock = Clock();
        var keys = new SigningKeySet(Hs256());
        var token = new JwtIssuer(keys, IssuerOptions(), clock).CreateToken(new JwtDescriptor { Subject = "u" });
        var payload = new JwtValidator(keys, ValidationOptions(), clock).Validate(token).GetPayload();
        using var doc = JsonDocument.Parse(payload);
        doc.RootElement.GetProperty("exp").ValueKind.Should().Be(JsonValueKind.Number);
        doc.RootElement.GetProperty("iat").GetInt64().Should().Be(Now);
    }
}
