using SecurityKit.Keys;
using SecurityKit.Primitives;

namespace SecurityKit.Otp.Tests;

public sealed class OtpSecretProtectorTests
{
    private static OtpCredential Credential(int secretLength = 20) => new()
    {
        Kind = OtpKind.Totp,
        Confirmed = true,
        Algorithm = OtpAlgorithm.Sha256,
        Digits = 8,
        PeriodSeconds = 60,
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000),
        CredentialId = [1, 2, 3, 4, 5, 6, 7, 8],
        Secret = Enumerable.Range(0, secretLength).Select(i => (byte)(i * 7)).ToArray(),
        KeyId = "",
    };

    [Theory]
    [InlineData(16)]
    [InlineData(20)]
    [InlineData(64)]
    public void ProtectThenUnprotect_RoundTripsEveryField(int secretLength)
    {
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        var original = Credential(secretLength);
        var text = protector.Protect("user-1", original);

        text.Should().StartWith("otp1.k1.");
        text.Should().NotContain(Base32.Encode(original.Secret)).And.NotContain(Base64Url.Encode(original.Secret));
        protector.TryUnprotect("user-1", text, out var back).Should().BeTrue();
        back!.Secret.Should().Equal(original.Secret);
        back.Kind.Should().Be(OtpKind.Totp);
        back.Confirmed.Should().BeTrue();
        back.Algorithm.Should().Be(OtpAlgorithm.Sha256);
        back.Digits.Should().Be(8);
        back.PeriodSeconds.Should().Be(60);
        back.CreatedAt.Should().Be(original.CreatedAt);
        back.CredentialId.Should().Equal(original.CredentialId);
        back.KeyId.Should().Be("k1");
    }

    [Fact]
    public void Protect_Twice_DifferentCiphertexts()
    {
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        protector.Protect("u", Credential()).Should().NotBe(protector.Protect("u", Credential()));
    }

    [Fact]
    public void Unprotect_OtherUser_Fails()
    {
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        var text = protector.Protect("alice", Credential());
        protector.TryUnprotect("bob", text, out _).Should().BeFalse();
    }

    [Fact]
    public void Unprotect_EveryFlippedCharacter_Fails()
    {
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        var text = protector.Protect("u", Credential());
        for (var i = 0; i < text.Length; i++)
        {
            var chars = text.ToCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            protector.TryUnprotect("u", new string(chars), out _).Should().BeFalse($"position {i} was changed");
        }
    }

    [Fact]
    public void Unprotect_AfterRotation_OldStringStillReadsAndIsStale()
    {
        var old = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1)).Protect("u", Credential());
        var rotated = new OtpSecretProtector(OtpTestContext.RotatedRing());
        rotated.TryUnprotect("u", old, out var credential).Should().BeTrue();
        rotated.IsStale(credential!).Should().BeTrue();
        rotated.Protect("u", credential!).Should().StartWith("otp1.k2.");
    }

    [Fact]
    public void Unprotect_UnknownKeyId_Fails()
    {
        var text = new OtpSecretProtector(SecretKeyRing.FromRootKey("k9", OtpTestContext.RootKey1)).Protect("u", Credential());
        new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1)).TryUnprotect("u", text, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("otp1.")]
    [InlineData("otp1.k1")]
    [InlineData("otp1.k1.")]
    [InlineData("otp1..AAAA")]
    [InlineData("otp1.k1.!!!!")]
    [InlineData("otp1.k1.AAAA")]
    [InlineData("otp2.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("otp1.k/1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("otp1.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Unprotect_Malformed_FailsWithoutException(string? text)
    {
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        protector.TryUnprotect("u", text, out var credential).Should().BeFalse();
        credential.Should().BeNull();
    }

    [Fact]
    public void Unprotect_Huge_Fails()
    {
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        protector.TryUnprotect("u", "otp1.k1." + new string('A', 1_000_000), out _).Should().BeFalse();
    }
}
