using System.Security.Cryptography;
using System.Text.Json;
using SecurityKit.Keys;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Tokens.Tests.Keys;

public sealed class SigningKeyTests
{
    [Theory]
    [InlineData(JwsAlgorithm.HS256, 31)]
    [InlineData(JwsAlgorithm.HS384, 47)]
    [InlineData(JwsAlgorithm.HS512, 63)]
    public void CreateHmac_BelowFloor_Throws(JwsAlgorithm algorithm, int size)
    {
        var create = () => SigningKey.CreateHmac("k", algorithm, new byte[size]);
        create.Should().Throw<ArgumentException>().WithMessage("*at least*bits*");
    }

    [Fact]
    public void CreateHmac_AsymmetricAlgorithm_Throws()
    {
        var create = () => SigningKey.CreateHmac("k", JwsAlgorithm.ES256, new byte[32]);
        create.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void FromRsa_1024Bits_Throws()
    {
        var create = () => SigningKey.FromRsa("k", RSA.Create(1024), JwsAlgorithm.RS256);
        create.Should().Throw<ArgumentException>().WithMessage("*2048*");
    }

    [Fact]
    public void FromEcdsa_P521_Throws()
    {
        var create = () => SigningKey.FromEcdsa("k", ECDsa.Create(ECCurve.NamedCurves.nistP521));
        create.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    [InlineData("quote\"")]
    [InlineData("back\\slash")]
    public void CreateHmac_InvalidKeyId_Throws(string kid)
    {
        var create = () => SigningKey.CreateHmac(kid, JwsAlgorithm.HS256, new byte[32]);
        create.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void FromPem_RsaPrivateAndPublic_CanSignOnlyWithThePrivateKey()
    {
        // CanSign is decided by a trial signature (no export of the private parameters, which left copies in memory).
        using var rsa = RSA.Create(2048);
        SigningKey.FromPem("rsa", JwsAlgorithm.RS256, rsa.ExportPkcs8PrivateKeyPem()).CanSign.Should().BeTrue();
        SigningKey.FromPem("rsa", JwsAlgorithm.RS256, rsa.ExportSubjectPublicKeyInfoPem()).CanSign.Should().BeFalse();
        SigningKey.FromPem("rsa", JwsAlgorithm.PS256, rsa.ExportSubjectPublicKeyInfoPem()).CanSign.Should().BeFalse();
    }

    [Fact]
    public void FromPem_EcPrivateAndPublic_SignAndVerify()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signer = SigningKey.FromPem("ec", JwsAlgorithm.ES256, ec.ExportPkcs8PrivateKeyPem());
        var verifier = SigningKey.FromPem("ec", JwsAlgorithm.ES256, ec.ExportSubjectPublicKeyInfoPem());
        signer.CanSign.Should().BeTrue();
        verifier.CanSign.Should().BeFalse();
        var signature = new byte[64];
        signer.Sign("data"u8, signature).Should().Be(64);
        verifier.Verify("data"u8, signature).Should().BeTrue();
        verifier.Invoking(v => v.Sign("data"u8, signature)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void FromPem_CurveDoesNotMatchAlgorithm_Throws()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var create = () => SigningKey.FromPem("ec", JwsAlgorithm.ES256, ec.ExportPkcs8PrivateKeyPem());
        create.Should().Throw<ArgumentException>().WithMessage("*ES384*");
    }

    [Fact]
    public void FromPem_Garbage_ThrowsWithoutEchoingIt()
    {
        var create = () => SigningKey.FromPem("ec", JwsAlgorithm.ES256, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----");
        create.Should().Throw<ArgumentException>().Which.Message.Should().NotContain("c2VjcmV0");
    }

    [Fact]
    public void FromPem_RsaKey_Works()
    {
        using var rsa = RSA.Create(2048);
        var key = SigningKey.FromPem("rsa", JwsAlgorithm.PS256, rsa.ExportRSAPrivateKeyPem());
        key.Algorithm.Should().Be(JwsAlgorithm.PS256);
        key.SignatureSize.Should().Be(256);
    }

    [Fact]
    public void ExportJwks_PublishesAsymmetricKeysOnly()
    {
        var set = new SigningKeySet(SigningKey.GenerateEcdsa("ec1"), SigningKey.GenerateHmac("hs1"), TestKit.Rsa("rsa1", JwsAlgorithm.RS256));
        using var jwks = JsonDocument.Parse(set.ExportJwks());
        var keys = jwks.RootElement.GetProperty("keys").EnumerateArray().ToList();
        keys.Select(k => k.GetProperty("kid").GetString()).Should().Equal("ec1", "rsa1");
        keys[0].GetProperty("kty").GetString().Should().Be("EC");
        keys[0].GetProperty("crv").GetString().Should().Be("P-256");
        keys[0].TryGetProperty("d", out _).Should().BeFalse();
        keys[1].GetProperty("kty").GetString().Should().Be("RSA");
        keys[1].GetProperty("e").GetString().Should().Be("AQAB");
        keys[1].TryGetProperty("d", out _).Should().BeFalse();
        keys.Should().AllSatisfy(k => k.GetProperty("use").GetString().Should().Be("sig"));
    }

    [Fact]
    public void SigningKeySet_DuplicateKid_Throws()
    {
        var create = () => new SigningKeySet(SigningKey.GenerateHmac("same"), SigningKey.GenerateHmac("same"));
        create.Should().Throw<ArgumentException>().WithMessage("*same*");
    }

    [Fact]
    public void SigningKeySet_PublicActiveKey_Throws()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var create = () => new SigningKeySet(SigningKey.FromEcdsa("pub", ECDsa.Create(ec.ExportParameters(false))));
        create.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void FromSecretKey_SameRingKey_DerivesSameKeyWithRingKid()
    {
        var ring = SecretKeyRing.FromRootKey("root-1", new byte[32]);
        var a = SigningKey.FromSecretKey(ring.GetActiveKey(TokenKeyPurposes.Signing));
        var b = SigningKey.FromSecretKey(ring.GetActiveKey(TokenKeyPurposes.Signing));
        a.KeyId.Should().Be("ring-root-1");
        var sa = new byte[32];
        var sb = new byte[32];
        a.Sign("x"u8, sa);
        b.Sign("x"u8, sb);
        sa.Should().Equal(sb);
    }

    [Fact]
    public void ToString_NeverShowsMaterial()
    {
        SigningKey.CreateHmac("k", JwsAlgorithm.HS256, new byte[32]).ToString().Should().Be("SigningKey(kid=k, alg=HS256, private)");
        new SigningKeyEntry { KeyId = "k", Value = "c2VjcmV0c2VjcmV0" }.ToString().Should().NotContain("c2VjcmV0");
    }

    [Fact]
    public async Task HmacVerify_ManyThreadsAlternatingKeys_AlwaysMatchesOneShotHmac()
    {
        var keys = Enumerable.Range(0, 3).Select(i => SigningKey.GenerateHmac("k" + i, (JwsAlgorithm)i)).ToArray();
        var secrets = new[] { 32, 48, 64 };
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(t => Task.Run(() =>
        {
            var ok = 0;
            for (var i = 0; i < 300; i++)
            {
                var key = keys[(i + t) % 3];
                var data = BitConverter.GetBytes(i * 31 + t);
                var signature = new byte[key.SignatureSize];
                key.Sign(data, signature);
                if (key.Verify(data, signature) && !keys[(i + t + 1) % 3].Verify(data, signature.AsSpan(0, secrets[(i + t + 1) % 3] <= signature.Length ? secrets[(i + t + 1) % 3] : signature.Length)))
                {
                    ok++;
                }
            }

            return ok;
        })));
        results.Should().AllSatisfy(r => r.Should().Be(300));
    }

    [Fact]
    public void HmacSign_MatchesOneShotBclHmac()
    {
        var secret = RandomNumberGenerator.GetBytes(64);
        var data = RandomNumberGenerator.GetBytes(300);
        var s256 = new byte[32];
        var s512 = new byte[64];
        SigningKey.CreateHmac("a", JwsAlgorithm.HS256, secret).Sign(data, s256);
        SigningKey.CreateHmac("b", JwsAlgorithm.HS512, secret).Sign(data, s512);
        SigningKey.CreateHmac("a", JwsAlgorithm.HS256, secret).Sign(data, s256.AsSpan());
        s256.Should().Equal(HMACSHA256.HashData(secret, data));
        s512.Should().Equal(HMACSHA512.HashData(secret, data));
    }

    [Fact]
    public void Sign_DestinationTooShort_ThrowsAndLeavesTheHmacContextClean()
    {
        var key = SigningKey.CreateHmac("short-buf", JwsAlgorithm.HS256, new byte[32]);
        var data = "header.payload"u8.ToArray();
        var act = () => key.Sign(data, new byte[16]);
        act.Should().Throw<ArgumentException>();

        var signature = new byte[key.SignatureSize];
        key.Sign(data, signature).Should().Be(32);
        signature.Should().Equal(System.Security.Cryptography.HMACSHA256.HashData(new byte[32], data), "no stale input may remain in the per-thread context");
        key.Verify(data, signature).Should().BeTrue();
    }
}
