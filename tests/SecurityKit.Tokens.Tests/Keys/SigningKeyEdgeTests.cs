using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecurityKit.Keys;
using SecurityKit.Primitives;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Tokens.Tests.Keys;

/// <summary>
/// Signing-key edges mutation testing found unpinned: generated and derived HMAC keys really are random / derived as
/// documented, an ES384 check never passes on length alone, the published JWK is the key (imported back and used to
/// verify), every factory checks its key id and algorithm, and the key set's limits.
/// </summary>
public sealed class SigningKeyEdgeTests
{
    private static readonly byte[] Data = "header.payload"u8.ToArray();

    private static byte[] SignWith(SigningKey key)
    {
        var signature = new byte[key.SignatureSize];
        key.Sign(Data, signature).Should().Be(key.SignatureSize);
        return signature;
    }

    [Theory]
    [InlineData(JwsAlgorithm.HS256)]
    [InlineData(JwsAlgorithm.HS384)]
    [InlineData(JwsAlgorithm.HS512)]
    public void GenerateHmac_EachKeyIsRandom(JwsAlgorithm algorithm)
    {
        var a = SigningKey.GenerateHmac("a", algorithm);
        var b = SigningKey.GenerateHmac("b", algorithm);
        SignWith(a).Should().NotEqual(SignWith(b), "two generated secrets must differ");
        var allZero = SigningKey.CreateHmac("z", algorithm, new byte[Math.Max(32, a.SignatureSize)]);
        SignWith(a).Should().NotEqual(SignWith(allZero));
        a.Verify(Data, SignWith(a)).Should().BeTrue();
    }

    [Fact]
    public void FromSecretKey_IsHkdfSha256OfTheRingKey_AsDocumented()
    {
        // Rebuilt from the documented derivation: a change would make every issued token fail validation after an upgrade.
        var material = Enumerable.Range(7, 32).Select(i => (byte)i).ToArray();
        var ringKey = new SecretKey(TokenKeyPurposes.Signing, "r1", material);
        var derived = HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, salt: "SecurityKit.Tokens.v1"u8.ToArray(), info: "jws-hs256"u8.ToArray());

        var key = SigningKey.FromSecretKey(ringKey);

        key.KeyId.Should().Be("ring-r1");
        key.Algorithm.Should().Be(JwsAlgorithm.HS256);
        SignWith(key).Should().Equal(HMACSHA256.HashData(derived, Data));
        SignWith(SigningKey.FromSecretKey(new SecretKey(TokenKeyPurposes.Signing, "r1", material.Reverse().ToArray()))).Should().NotEqual(SignWith(key));
    }

    [Fact]
    public void HmacSecret_SizeLimits_WithMessagesInBits()
    {
        FluentActions.Invoking(() => SigningKey.CreateHmac("k", JwsAlgorithm.HS256, new byte[1024])).Should().NotThrow();
        FluentActions.Invoking(() => SigningKey.CreateHmac("k", JwsAlgorithm.HS256, new byte[1025])).Should().Throw<ArgumentException>().WithMessage("*longer than 1024 bytes*");
        FluentActions.Invoking(() => SigningKey.CreateHmac("k", JwsAlgorithm.HS512, new byte[63])).Should().Throw<ArgumentException>().WithMessage("*at least 512 bits; this one is 504 bits*");
        FluentActions.Invoking(() => SigningKey.CreateHmac("k", JwsAlgorithm.RS256, new byte[64])).Should().Throw<ArgumentException>().WithMessage("*not an HMAC algorithm*");
    }

    [Theory]
    [InlineData(JwsAlgorithm.ES256)]
    [InlineData(JwsAlgorithm.ES384)]
    public void Ecdsa_AWrongSignatureOfTheRightLength_NeverVerifies(JwsAlgorithm algorithm)
    {
        var key = SigningKey.GenerateEcdsa("e", algorithm);
        var good = SignWith(key);
        key.Verify(Data, good).Should().BeTrue();
        key.Verify(Data, new byte[good.Length]).Should().BeFalse();
        key.Verify(Data, RandomNumberGenerator.GetBytes(good.Length)).Should().BeFalse();
        key.Verify(Data, good[..^1]).Should().BeFalse();
        key.Verify(Data, [.. good, 0]).Should().BeFalse();
        var tampered = good.ToArray();
        tampered[5] ^= 1;
        key.Verify(Data, tampered).Should().BeFalse();
    }

    [Theory]
    [InlineData(JwsAlgorithm.ES256, "P-256")]
    [InlineData(JwsAlgorithm.ES384, "P-384")]
    [InlineData(JwsAlgorithm.RS256, null)]
    [InlineData(JwsAlgorithm.PS256, null)]
    public void PublishedJwk_ImportedBack_VerifiesTheKeysSignatures(JwsAlgorithm algorithm, string? curve)
    {
        var key = algorithm is JwsAlgorithm.ES256 or JwsAlgorithm.ES384
            ? SigningKey.GenerateEcdsa("kid-" + curve, algorithm)
            : SigningKey.FromRsa("kid-rsa", RSA.Create(2048), algorithm);
        var signature = SignWith(key);

        using var jwks = JsonDocument.Parse(SigningKeySet.ForValidation(key).ExportJwks());
        var jwk = jwks.RootElement.GetProperty("keys").EnumerateArray().Single();
        jwk.GetProperty("kid").GetString().Should().Be(key.KeyId);
        jwk.GetProperty("alg").GetString().Should().Be(algorithm.ToString());
        jwk.GetProperty("use").GetString().Should().Be("sig");
        byte[] Field(string name) => Base64Url.TryDecode(jwk.GetProperty(name).GetString(), out var bytes) ? bytes : throw new InvalidOperationException(name);

        bool verified;
        if (curve is not null)
        {
            jwk.GetProperty("kty").GetString().Should().Be("EC");
            jwk.GetProperty("crv").GetString().Should().Be(curve);
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = curve == "P-256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384,
                Q = new ECPoint { X = Field("x"), Y = Field("y") },
            });
            verified = ecdsa.VerifyData(Data, signature, curve == "P-256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384);
        }
        else
        {
            jwk.GetProperty("kty").GetString().Should().Be("RSA");
            using var rsa = RSA.Create(new RSAParameters { Modulus = Field("n"), Exponent = Field("e") });
            verified = rsa.VerifyData(Data, signature, HashAlgorithmName.SHA256, algorithm == JwsAlgorithm.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
        }

        verified.Should().BeTrue("the JWK a relying party downloads must verify this key's tokens");
        jwk.TryGetProperty("d", out _).Should().BeFalse("never the private part");
    }

    [Fact]
    public void EveryFactory_ChecksTheKeyId()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        var ecPem = ec.ExportPkcs8PrivateKeyPem();
        FluentActions.Invoking(() => SigningKey.FromEcdsa("bad id", ECDsa.Create(ECCurve.NamedCurves.nistP256))).Should().Throw<ArgumentException>().WithMessage("*key id*");
        FluentActions.Invoking(() => SigningKey.FromRsa("", RSA.Create(2048))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => SigningKey.FromPem("a\"b", JwsAlgorithm.ES256, ecPem)).Should().Throw<ArgumentException>().WithMessage("*key id*");
        FluentActions.Invoking(() => SigningKey.GenerateHmac(new string('k', SigningKey.MaximumKeyIdLength + 1))).Should().Throw<ArgumentException>();
        SigningKey.GenerateHmac(new string('k', SigningKey.MaximumKeyIdLength)).KeyId.Should().HaveLength(SigningKey.MaximumKeyIdLength);
        SigningKey.GenerateHmac("!~").KeyId.Should().Be("!~", "printable ASCII from ! to ~");
        foreach (var bad in new[] { " k", "k\u007F", "k\\", "k\"", "k\u00E9" })
        {
            FluentActions.Invoking(() => SigningKey.GenerateHmac(bad)).Should().Throw<ArgumentException>(bad);
        }
    }

    [Fact]
    public void EveryFactory_ChecksTheAlgorithmAgainstTheKey()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        var ecPem = ec.ExportPkcs8PrivateKeyPem();
        var rsaPem = rsa.ExportPkcs8PrivateKeyPem();

        FluentActions.Invoking(() => SigningKey.FromRsa("r", RSA.Create(2048), JwsAlgorithm.ES256)).Should().Throw<ArgumentException>().WithMessage("*not an RSA algorithm*");
        FluentActions.Invoking(() => SigningKey.FromPem("r", JwsAlgorithm.ES256, rsaPem)).Should().Throw<ArgumentException>().WithMessage("*not an EC key*");
        FluentActions.Invoking(() => SigningKey.FromPem("r", JwsAlgorithm.RS256, ecPem)).Should().Throw<ArgumentException>().WithMessage("*not an RSA key*");
        FluentActions.Invoking(() => SigningKey.FromPem("r", JwsAlgorithm.HS256, ecPem)).Should().Throw<ArgumentException>().WithMessage("*PEM keys are for*");
        FluentActions.Invoking(() => SigningKey.FromPem("r", JwsAlgorithm.PS256, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")).Should().Throw<ArgumentException>().WithMessage("*not an RSA key*");
        FluentActions.Invoking(() => SigningKey.GenerateEcdsa("e", JwsAlgorithm.RS256)).Should().Throw<ArgumentException>().WithMessage("*not an ECDSA algorithm*");
        FluentActions.Invoking(() => SigningKey.FromEcdsa("e", ECDsa.Create(ECCurve.CreateFromFriendlyName("brainpoolP256r1")))).Should().Throw<ArgumentException>().WithMessage("*named curves P-256 or P-384*");

        SigningKey.FromEcdsa("e", ECDsa.Create(ECCurve.NamedCurves.nistP384)).Algorithm.Should().Be(JwsAlgorithm.ES384);
        SigningKey.FromPem("r", JwsAlgorithm.RS256, rsaPem).Algorithm.Should().Be(JwsAlgorithm.RS256);
    }

    [Fact]
    public void ToString_SaysPrivateOrPublic()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        SigningKey.FromPem("e", JwsAlgorithm.ES256, ec.ExportPkcs8PrivateKeyPem()).ToString().Should().Be("SigningKey(kid=e, alg=ES256, private)");
        SigningKey.FromPem("e", JwsAlgorithm.ES256, ec.ExportSubjectPublicKeyInfoPem()).ToString().Should().Be("SigningKey(kid=e, alg=ES256, public)");
    }

    [Fact]
    public void KeySets_Limits()
    {
        var keys = Enumerable.Range(0, SigningKeySet.MaximumKeys + 1).Select(i => SigningKey.GenerateHmac("k" + i)).ToArray();
        FluentActions.Invoking(() => SigningKeySet.ForValidation(keys[..SigningKeySet.MaximumKeys])).Should().NotThrow();
        FluentActions.Invoking(() => SigningKeySet.ForValidation(keys)).Should().Throw<ArgumentException>().WithMessage("*1–16 keys*");
        FluentActions.Invoking(() => SigningKeySet.ForValidation()).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => SigningKeySet.ForValidation(keys[0], SigningKey.GenerateHmac("k0"))).Should().Throw<ArgumentException>().WithMessage("*distinct key ids*");
        FluentActions.Invoking(() => SigningKeySet.ForValidation(keys[0], null!)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new SigningKeySet(keys[0], keys[1..SigningKeySet.MaximumKeys])).Should().NotThrow();
        FluentActions.Invoking(() => new SigningKeySet(keys[0], keys[1..])).Should().Throw<ArgumentException>().WithMessage("*at most 16 keys*");

        var validation = SigningKeySet.ForValidation(keys[2], keys[3]);
        validation.Find("k3").Should().BeSameAs(keys[3]);
        validation.Find("k4").Should().BeNull();
        validation.Find("K3").Should().BeNull("key ids are case-sensitive");
        FluentActions.Invoking(() => validation.ActiveKey).Should().Throw<InvalidOperationException>().WithMessage("*validation only*");
        validation.ToString().Should().Be("SigningKeySet(active=none, keys=k2,k3)");
        validation.ExportJwks().Should().Be("{\"keys\":[]}", "HMAC keys are never published");
    }
}
