using System.Buffers.Binary;
using Microsoft.AspNetCore.Cryptography.KeyDerivation;
using Microsoft.Extensions.Options;
using Identity = Microsoft.AspNetCore.Identity;

namespace SecurityKit.Passwords.Tests.Pbkdf2;

public class IdentityImportTests
{
    private sealed class User;

    private static string IdentityHash(Identity.PasswordHasherCompatibilityMode mode, string password, int iterations = 100_000)
    {
        var hasher = new Identity.PasswordHasher<User>(Options.Create(new Identity.PasswordHasherOptions { CompatibilityMode = mode, IterationCount = iterations }));
        return hasher.HashPassword(new User(), password);
    }

    [Theory]
    [InlineData(Identity.PasswordHasherCompatibilityMode.IdentityV2, "password")]
    [InlineData(Identity.PasswordHasherCompatibilityMode.IdentityV3, "password")]
    [InlineData(Identity.PasswordHasherCompatibilityMode.IdentityV3, "pässwörd ✓ 密码")]
    public void Verify_RealIdentityHash_SucceedsRehashNeeded(Identity.PasswordHasherCompatibilityMode mode, string password)
    {
        var stored = IdentityHash(mode, password);
        Convert.FromBase64String(stored)[0].Should().Be(mode == Identity.PasswordHasherCompatibilityMode.IdentityV2 ? (byte)0 : (byte)1);
        var (hasher, sink) = TestHashers.Create();

        hasher.Verify(password, stored).Should().Be(PasswordVerificationResult.SuccessRehashNeeded);
        hasher.Verify(password + "x", stored).Should().Be(PasswordVerificationResult.Failed);
        sink.Named(PasswordEventNames.RehashNeeded).Single().Reason.Should().Be(PasswordReasonCodes.AlgorithmChanged);
    }

    [Fact]
    public void Verify_IdentityHashOfUnnormalisedPassword_MatchesRawForm()
    {
        var raw = "cafe\u0301";
        var stored = IdentityHash(Identity.PasswordHasherCompatibilityMode.IdentityV3, raw, 10_000);
        var (hasher, _) = TestHashers.Create();
        hasher.Verify(raw, stored).Should().Be(PasswordVerificationResult.SuccessRehashNeeded);
    }

    [Fact]
    public void Verify_IdentityV3AboveIterationCap_Fails()
    {
        var stored = IdentityHash(Identity.PasswordHasherCompatibilityMode.IdentityV3, "password", 200_000);
        var (hasher, sink) = TestHashers.Create(o => o.MaxVerificationPbkdf2Iterations = 150_000);
        hasher.Verify("password", stored).Should().Be(PasswordVerificationResult.Failed);
        sink.Named(PasswordEventNames.MalformedHash).Single().Reason.Should().Be(PasswordReasonCodes.CostAboveLimit);
    }

    [Fact]
    public void Verify_TruncatedOrTamperedIdentityHash_FailsWithEvent()
    {
        var stored = Convert.FromBase64String(IdentityHash(Identity.PasswordHasherCompatibilityMode.IdentityV3, "password", 10_000));
        var (hasher, sink) = TestHashers.Create();

        hasher.Verify("password", Convert.ToBase64String(stored[..20])).Should().Be(PasswordVerificationResult.Failed);
        var badPrf = (byte[])stored.Clone();
        badPrf[4] = 9;
        hasher.Verify("password", Convert.ToBase64String(badPrf)).Should().Be(PasswordVerificationResult.Failed);
        var hugeSalt = (byte[])stored.Clone();
        hugeSalt[9] = 0x7f;
        hasher.Verify("password", Convert.ToBase64String(hugeSalt)).Should().Be(PasswordVerificationResult.Failed);
        var v2Short = new byte[48];
        hasher.Verify("password", Convert.ToBase64String(v2Short)).Should().Be(PasswordVerificationResult.Failed);

        sink.Named(PasswordEventNames.MalformedHash).Should().HaveCount(4);
    }

    /// <summary>An Identity V3 value built by hand (the layout Identity writes), with the subkey from ASP.NET Core's own
    /// <see cref="KeyDerivation"/>: Identity 8+ writes only HMAC-SHA512, but hashes imported from older versions use SHA-1
    /// (PRF 0) or SHA-256 (PRF 1, the Identity 3–7 default at 10,000 iterations).</summary>
    private static byte[] V3(uint prf, uint iterations, int saltLength, int subkeyLength, string password = "password", uint? declaredSaltLength = null)
    {
        var salt = Enumerable.Range(0, saltLength).Select(i => (byte)(i * 7)).ToArray();
        // Values that must be refused before any hashing get a zero subkey (no work spent building the test data).
        var subkey = prf <= 2 && iterations is > 0 and <= 100_001 && subkeyLength <= 64
            ? KeyDerivation.Pbkdf2(password, salt, (KeyDerivationPrf)prf, (int)iterations, subkeyLength)
            : new byte[subkeyLength];
        var value = new byte[13 + saltLength + subkeyLength];
        value[0] = 0x01;
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(1), prf);
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(5), iterations);
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(9), declaredSaltLength ?? (uint)saltLength);
        salt.CopyTo(value, 13);
        subkey.CopyTo(value, 13 + saltLength);
        return value;
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(2u)]
    public void Verify_IdentityV3WithEachPrf_SucceedsOnlyWithThatPrf(uint prf)
    {
        var (hasher, sink) = TestHashers.Create();
        var value = V3(prf, 10_000, 16, 32);

        hasher.Verify("password", Convert.ToBase64String(value)).Should().Be(PasswordVerificationResult.SuccessRehashNeeded);
        hasher.Verify("passwore", Convert.ToBase64String(value)).Should().Be(PasswordVerificationResult.Failed);
        foreach (var other in new uint[] { 0, 1, 2 }.Where(p => p != prf))
        {
            // The same salt and subkey under another PRF: a mapping that swapped two PRFs would still verify one of them.
            BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(1), other);
            hasher.Verify("password", Convert.ToBase64String(value)).Should().Be(PasswordVerificationResult.Failed, $"PRF {prf} stored as {other}");
        }

        sink.Named(PasswordEventNames.MalformedHash).Should().BeEmpty();
    }

    [Theory]
    [InlineData(16, 16)] // the shortest salt and subkey accepted (mutation testing: "subkey < 16" read as "<= 16" survived)
    [InlineData(16, 64)]
    [InlineData(256, 256)] // the longest salt and subkey accepted, under the work cap with HMAC-SHA512 (4 blocks)
    public void Verify_IdentityV3AtTheLengthBounds_Verifies(int saltLength, int subkeyLength)
    {
        var (hasher, sink) = TestHashers.Create();
        var value = V3(2, 1_000, saltLength, Math.Min(subkeyLength, 64));
        if (subkeyLength > 64)
        {
            // KeyDerivation at 256 bytes is built here rather than in V3 (which skips long subkeys to save work).
            var salt = value.AsSpan(13, saltLength).ToArray();
            var subkey = KeyDerivation.Pbkdf2("password", salt, KeyDerivationPrf.HMACSHA512, 1_000, subkeyLength);
            value = [.. value.AsSpan(0, 13 + saltLength), .. subkey];
        }

        hasher.Verify("password", Convert.ToBase64String(value)).Should().Be(PasswordVerificationResult.SuccessRehashNeeded);
        hasher.Verify("passwore", Convert.ToBase64String(value)).Should().Be(PasswordVerificationResult.Failed);
        sink.Named(PasswordEventNames.MalformedHash).Should().BeEmpty();
    }

    public static TheoryData<string, byte[], string> Unusable() => new()
    {
        { "iterations 0", V3(2, 0, 16, 32), PasswordReasonCodes.MalformedHash },
        { "salt 15 bytes", V3(2, 1000, 15, 32), PasswordReasonCodes.MalformedHash },
        { "subkey 15 bytes", V3(2, 1000, 16, 15), PasswordReasonCodes.MalformedHash },
        { "subkey 257 bytes", V3(2, 1000, 16, 257), PasswordReasonCodes.MalformedHash },
        { "salt 300 bytes", V3(2, 1000, 300, 16), PasswordReasonCodes.MalformedHash },
        { "salt length beyond the value", V3(2, 1000, 16, 32, declaredSaltLength: 40), PasswordReasonCodes.MalformedHash },
        { "salt length 2^32 - 1", V3(2, 1000, 16, 32, declaredSaltLength: uint.MaxValue), PasswordReasonCodes.MalformedHash },
        { "PRF 3", V3(3, 1000, 16, 32), PasswordReasonCodes.UnsupportedAlgorithm },
        { "PRF 2^32 - 1", V3(uint.MaxValue, 1000, 16, 32), PasswordReasonCodes.UnsupportedAlgorithm },
        { "iterations above the cap", V3(2, 1_000_001, 16, 32), PasswordReasonCodes.CostAboveLimit },
        { "iterations 2^32 - 1", V3(2, uint.MaxValue, 16, 32), PasswordReasonCodes.CostAboveLimit },
        { "SHA-1, 256-byte subkey: 13 blocks x 100,000", V3(0, 100_000, 16, 256), PasswordReasonCodes.CostAboveLimit },
        { "header only", V3(2, 1000, 16, 32)[..13], PasswordReasonCodes.MalformedHash },
        { "format marker 0x02", [0x02, .. V3(2, 1000, 16, 32)[1..]], PasswordReasonCodes.UnsupportedAlgorithm },
        { "V2 of 50 bytes", [0x00, .. new byte[49]], PasswordReasonCodes.MalformedHash },
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public void Verify_UnusableIdentityValue_FailsWithItsReasonNoException(string because, byte[] value, string reason)
    {
        var (hasher, sink) = TestHashers.Create();

        hasher.Verify("password", Convert.ToBase64String(value)).Should().Be(PasswordVerificationResult.Failed, because);
        sink.Named(PasswordEventNames.MalformedHash).Single().Reason.Should().Be(reason, because);
    }

    [Fact]
    public void Verify_Pbkdf2WorkCap_CountsIterationsTimesOutputBlocks()
    {
        // Cap 100,000. SHA-1 gives 20 bytes a block: a 40-byte subkey is 2 blocks, a 41-byte one 3.
        var (hasher, sink) = TestHashers.Create(o => o.MaxVerificationPbkdf2Iterations = 100_000);

        hasher.Verify("password", Convert.ToBase64String(V3(0, 50_000, 16, 40))).Should().Be(PasswordVerificationResult.SuccessRehashNeeded, "2 x 50,000 is the cap");
        hasher.Verify("password", Convert.ToBase64String(V3(0, 50_001, 16, 40))).Should().Be(PasswordVerificationResult.Failed, "2 x 50,001");
        hasher.Verify("password", Convert.ToBase64String(V3(0, 50_000, 16, 41))).Should().Be(PasswordVerificationResult.Failed, "3 x 50,000");
        hasher.Verify("password", Convert.ToBase64String(V3(2, 100_000, 16, 64))).Should().Be(PasswordVerificationResult.SuccessRehashNeeded, "one SHA-512 block at the cap");
        hasher.Verify("password", Convert.ToBase64String(V3(2, 100_001, 16, 64))).Should().Be(PasswordVerificationResult.Failed, "one block, one iteration over");

        sink.Named(PasswordEventNames.MalformedHash).Select(e => e.Reason).Should().Equal(
            PasswordReasonCodes.CostAboveLimit, PasswordReasonCodes.CostAboveLimit, PasswordReasonCodes.CostAboveLimit);
    }
}
