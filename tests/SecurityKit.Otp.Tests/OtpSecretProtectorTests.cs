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

    /// <summary>Builds a protected string by the documented format, independently of the protector: AES-256-GCM under
    /// HKDF-SHA256(key, info "SecurityKit.Otp.SecretProtection.v1"), AAD "SecurityKit.Otp.Secret.v1" 0 KEYID 0 UTF-8(user).</summary>
    private static string BuildByTheFormat(string userId, byte[] plaintext)
    {
        var ringKey = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, OtpTestContext.RootKey1, 32, "SecurityKit.KeyRing.v1"u8.ToArray(), "otp-secret-protection"u8.ToArray());
        var aesKey = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, ringKey, 32, [], "SecurityKit.Otp.SecretProtection.v1"u8.ToArray());
        byte[] aad = [.. "SecurityKit.Otp.Secret.v1"u8, 0, .. "k1"u8, 0, .. System.Text.Encoding.UTF8.GetBytes(userId)];
        var nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using (var aes = new System.Security.Cryptography.AesGcm(aesKey, 16))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }

        return "otp1.k1." + Base64Url.Encode([.. nonce, .. ciphertext, .. tag]);
    }

    /// <summary>The documented plaintext: version, kind, state, algorithm, digits, period (u16), created (i64),
    /// credential id (8), secret length, secret; all big-endian.</summary>
    private static byte[] Plaintext(byte version = 1, byte kind = 1, byte state = 1, byte algorithm = 1, byte digits = 8, ushort period = 60, long createdAt = 1_800_000_000, int secretLength = 20, int? declaredLength = null)
    {
        var p = new byte[24 + secretLength];
        p[0] = version;
        p[1] = kind;
        p[2] = state;
        p[3] = algorithm;
        p[4] = digits;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(5), period);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(p.AsSpan(7), createdAt);
        for (var i = 0; i < 8; i++)
        {
            p[15 + i] = (byte)(i + 1);
        }

        p[23] = (byte)(declaredLength ?? secretLength);
        for (var i = 0; i < secretLength; i++)
        {
            p[24 + i] = (byte)(i * 7);
        }

        return p;
    }

    [Fact]
    public void Unprotect_StringBuiltByTheDocumentedFormat_Reads()
    {
        // Pins the persisted format (hosts store these strings for years): key derivation, AAD layout and plaintext
        // layout are computed here without the protector.
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        var text = BuildByTheFormat("user-ü", Plaintext());

        protector.TryUnprotect("user-ü", text, out var back).Should().BeTrue();
        back!.Kind.Should().Be(OtpKind.Totp);
        back.Confirmed.Should().BeTrue();
        back.Algorithm.Should().Be(OtpAlgorithm.Sha256);
        back.Digits.Should().Be(8);
        back.PeriodSeconds.Should().Be(60);
        back.CreatedAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        back.CredentialId.Should().Equal(1, 2, 3, 4, 5, 6, 7, 8);
        back.Secret.Should().Equal(Credential().Secret);
        back.KeyId.Should().Be("k1");
        protector.TryUnprotect("user-u", text, out _).Should().BeFalse("the user id is bound by the AAD");

        var hotp = BuildByTheFormat("u", Plaintext(kind: 2, state: 0, algorithm: 0, digits: 6, period: 0, createdAt: 0, secretLength: 16));
        protector.TryUnprotect("u", hotp, out var h).Should().BeTrue();
        h!.Kind.Should().Be(OtpKind.Hotp);
        h.Confirmed.Should().BeFalse();
        h.Secret.Should().HaveCount(16);
    }

    public static TheoryData<string, byte[]> InvalidPlaintexts() => new()
    {
        { "version 2", Plaintext(version: 2) },
        { "kind 0", Plaintext(kind: 0) },
        { "kind 3", Plaintext(kind: 3) },
        { "state 2", Plaintext(state: 2) },
        { "algorithm 3", Plaintext(algorithm: 3) },
        { "5 digits", Plaintext(digits: 5) },
        { "9 digits", Plaintext(digits: 9) },
        { "TOTP period 0", Plaintext(period: 0) },
        { "TOTP period 3601", Plaintext(period: 3601) },
        { "HOTP with a period", Plaintext(kind: 2, period: 30) },
        { "created before 1970", Plaintext(createdAt: -1) },
        { "created after 9999", Plaintext(createdAt: 253402300800) },
        { "secret of 15 bytes", Plaintext(secretLength: 15) },
        { "secret of 65 bytes", Plaintext(secretLength: 65) },
        { "declared length too long", Plaintext(declaredLength: 21) },
        { "declared length too short", Plaintext(declaredLength: 19) },
        { "shorter than the header", new byte[10] },
        { "a header and no secret", Plaintext(secretLength: 0) },
    };

    [Theory]
    [MemberData(nameof(InvalidPlaintexts))]
    public void Unprotect_AuthenticPlaintextWithAnInvalidField_Refused(string what, byte[] plaintext)
    {
        // Authenticated, so only a key holder could write these; refused anyway (and never a crash).
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        protector.TryUnprotect("u", BuildByTheFormat("u", plaintext), out var credential).Should().BeFalse(what);
        credential.Should().BeNull();
    }

    [Fact]
    public void Unprotect_BoundaryFieldsStillValid()
    {
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        foreach (var plaintext in new[] { Plaintext(period: 1), Plaintext(period: 3600), Plaintext(createdAt: 253402300799), Plaintext(digits: 6), Plaintext(algorithm: 2), Plaintext(secretLength: 64) })
        {
            protector.TryUnprotect("u", BuildByTheFormat("u", plaintext), out _).Should().BeTrue();
        }
    }

    [Fact]
    public void Unprotect_EmptyKeyIdOrNoDot_Refused()
    {
        var protector = new OtpSecretProtector(SecretKeyRing.FromRootKey("k1", OtpTestContext.RootKey1));
        var valid = BuildByTheFormat("u", Plaintext());
        protector.TryUnprotect("u", "otp1.." + valid["otp1.k1.".Length..], out _).Should().BeFalse();
        protector.TryUnprotect("u", "otp1." + valid["otp1.k1.".Length..], out _).Should().BeFalse();
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
