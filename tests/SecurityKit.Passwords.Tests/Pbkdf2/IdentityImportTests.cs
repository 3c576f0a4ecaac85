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
}
