using System.Security.Cryptography;
using SecurityKit.Keys;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Tokens.Tests.DependencyInjection;

/// <summary>Each reason the configured signing keys cannot be loaded, with the message that says what to fix.</summary>
public sealed class TokenKeyLoaderTests
{
    private static readonly SecretKeyRing Ring = SecretKeyRing.FromRootKey("k1", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    private static string Hmac() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static (SigningKeySet? Set, string Errors) Load(params SigningKeyEntry?[] entries)
    {
        var options = new TokenOptions();
        foreach (var entry in entries)
        {
            options.SigningKeys.Add(entry!);
        }

        var errors = new List<string>();
        var set = TokenKeyLoader.TryLoad(options, Ring, errors);
        return (set, string.Join(" | ", errors));
    }

    [Fact]
    public void OneKeyWithoutActive_IsTheActiveKey()
    {
        var (set, errors) = Load(new SigningKeyEntry { KeyId = "only", Value = Hmac() });
        errors.Should().BeEmpty();
        set!.ActiveKey.KeyId.Should().Be("only");
    }

    [Fact]
    public void TwoKeysWithoutActive_Refused()
    {
        var (set, errors) = Load(new SigningKeyEntry { KeyId = "a", Value = Hmac() }, new SigningKeyEntry { KeyId = "b", Value = Hmac() });
        set.Should().BeNull();
        errors.Should().Be("TokenOptions.SigningKeys: no key has Active = true; mark the key that signs new tokens.");
    }

    [Fact]
    public void TwoActiveKeys_Refused() =>
        Load(new SigningKeyEntry { KeyId = "a", Value = Hmac(), Active = true }, new SigningKeyEntry { KeyId = "b", Value = Hmac(), Active = true })
            .Errors.Should().Contain("more than one key has Active = true");

    [Fact]
    public void ActivePublicKey_Refused()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Load(new SigningKeyEntry { KeyId = "pub", Algorithm = JwsAlgorithm.ES256, Value = ec.ExportSubjectPublicKeyInfoPem(), Active = true })
            .Errors.Should().Be("TokenOptions.SigningKeys: the active key 'pub' is a public key; the active key needs the private key (PEM).");
    }

    [Fact]
    public void KeyIdAndValueSwapped_KeyMaterialNeverInTheMessageOrToString()
    {
        // Found in review: the loader echoed the kid, so a configuration with KeyId and Value swapped put the PEM or the
        // base64 secret into the startup exception (ValidateOnStart), which hosts log.
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ec.ExportPkcs8PrivateKeyPem();
        var secret = Hmac();
        var pemSwapped = new SigningKeyEntry { KeyId = pem, Algorithm = JwsAlgorithm.ES256, Value = "k1", Active = true };
        var hmacSwapped = new SigningKeyEntry { KeyId = secret, Value = "k2" };

        var (set, errors) = Load(pemSwapped, hmacSwapped);

        set.Should().BeNull();
        errors.Should().Contain("TokenOptions.SigningKeys[0] (kid (not shown))").And.Contain("TokenOptions.SigningKeys[1] (kid (not shown))");
        errors.Should().NotContain("PRIVATE KEY").And.NotContain(pem.Split('\n')[1]).And.NotContain(secret);
        pemSwapped.ToString().Should().Be("SigningKeyEntry(kid=(not shown), alg=ES256, active=True)");
        hmacSwapped.ToString().Should().NotContain(secret);
    }

    [Theory]
    [InlineData("k1", true)]
    [InlineData("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", true)] // an RFC 7638 thumbprint (43 characters)
    [InlineData("NzbLsXh8uDCcd+6MNwXF4W/7noWXFZAfHkxZsRGC9Xs=", false)] // a base64 256-bit secret (44 characters)
    [InlineData("", false)]
    [InlineData("has space", false)]
    public void KeyIdInMessages_ShownOnlyWhenItCannotBeKeyMaterial(string keyId, bool shown)
    {
        SigningKey.KeyIdForMessage(keyId).Should().Be(shown ? $"'{keyId}'" : "(not shown)");
        SigningKey.CanShowKeyId(keyId).Should().Be(shown);
    }

    [Fact]
    public void SigningKeyCreation_ValidLongKeyId_NotEchoed()
    {
        var kid = Convert.ToBase64String(new byte[32]);
        var failure = FluentActions.Invoking(() => SigningKey.CreateHmac(kid, JwsAlgorithm.HS256, new byte[8])).Should().Throw<ArgumentException>().Which;
        failure.Message.Should().StartWith("Key (not shown): an HS256 secret must be at least 256 bits").And.NotContain(kid);
        FluentActions.Invoking(() => SigningKey.CreateHmac("short", JwsAlgorithm.HS256, new byte[8])).Should().Throw<ArgumentException>()
            .WithMessage("Key 'short': *");
    }

    [Fact]
    public void KeySetErrors_FollowTheSameRule()
    {
        var longKid = Convert.ToBase64String(new byte[32]);
        var duplicate = FluentActions.Invoking(() => new SigningKeySet(SigningKey.GenerateHmac(longKid), [SigningKey.GenerateHmac(longKid)]))
            .Should().Throw<ArgumentException>().Which;
        duplicate.Message.Should().Contain("share the key id (not shown)").And.NotContain(longKid);
        FluentActions.Invoking(() => new SigningKeySet(SigningKey.GenerateHmac("k1"), [SigningKey.GenerateHmac("k1")]))
            .Should().Throw<ArgumentException>().WithMessage("*share the key id 'k1'*");
    }

    [Fact]
    public void BadEntries_EachNamedWithItsIndex()
    {
        var (set, errors) = Load(
            null,
            new SigningKeyEntry { KeyId = "empty", Value = " " },
            new SigningKeyEntry { KeyId = "b64", Value = "not base64!" },
            new SigningKeyEntry { KeyId = "short", Value = Convert.ToBase64String(new byte[16]) },
            new SigningKeyEntry { KeyId = "good", Value = Hmac(), Active = true });
        set.Should().BeNull();
        errors.Should().Be(
            "TokenOptions.SigningKeys[0] is null. | " +
            "TokenOptions.SigningKeys[1] (kid 'empty'): Value is empty; set the key (base64 for HMAC, PEM for EC/RSA). | " +
            "TokenOptions.SigningKeys[2] (kid 'b64'): Value is not valid standard base64. | " +
            "TokenOptions.SigningKeys[3] (kid 'short'): Key 'short': an HS256 secret must be at least 256 bits; this one is 128 bits. (Parameter 'secret')");
    }

    [Fact]
    public void MoreKeysThanASetHolds_Refused()
    {
        var entries = Enumerable.Range(0, SigningKeySet.MaximumKeys + 1).Select(i => new SigningKeyEntry { KeyId = "k" + i, Value = Hmac(), Active = i == 0 }).ToArray();
        Load(entries[..SigningKeySet.MaximumKeys]).Errors.Should().BeEmpty();
        var (set, errors) = Load(entries);
        set.Should().BeNull();
        errors.Should().StartWith("TokenOptions.SigningKeys: A signing key set holds at most 16 keys.");
    }

    [Fact]
    public void KeyRingWithMoreSigningKeysThanASetHolds_Refused()
    {
        static SecretKeyRing RingWith(int count)
        {
            var options = new SecretKeyRingOptions();
            for (var i = 0; i < count; i++)
            {
                options.AddKey(TokenKeyPurposes.Signing, "s" + i, Enumerable.Range(i, 32).Select(b => (byte)b).ToArray(), active: i == count - 1);
            }

            return new SecretKeyRing(options);
        }

        var errors = new List<string>();
        var set = TokenKeyLoader.TryLoad(new TokenOptions(), RingWith(SigningKeySet.MaximumKeys), errors);
        errors.Should().BeEmpty();
        set!.ActiveKey.KeyId.Should().Be("ring-s15");
        set.Keys.Should().HaveCount(SigningKeySet.MaximumKeys);

        TokenKeyLoader.TryLoad(new TokenOptions(), RingWith(SigningKeySet.MaximumKeys + 1), errors).Should().BeNull();
        errors.Should().ContainSingle().Which.Should().StartWith("The key ring holds 17 keys for access-token signing");
    }
}
