using SecurityKit.Passwords.Argon2;

namespace SecurityKit.Passwords.Tests;

/// <summary>
/// The verification caps bound what a stored hash may cost. Each is tested at the cap (accepted) and one above it
/// (refused with <c>cost_above_limit</c>, after the unknown-user work): the existing tests only used values far above.
/// </summary>
public sealed class VerificationCapTests
{
    [Fact]
    public void Verify_Argon2MemoryAtTheCap_IsAcceptedAndOneKiBMoreIsRefused()
    {
        var (maker, _) = TestHashers.Create(o => o.Argon2MemoryKiB = 512);
        var stored = maker.Hash("password");

        var (atCap, _) = TestHashers.Create(o => o.MaxVerificationMemoryKiB = 512);
        atCap.Verify("password", stored).Should().Be(PasswordVerificationResult.Success);
        var (belowCap, sink) = TestHashers.Create(o => o.MaxVerificationMemoryKiB = 511);
        belowCap.Verify("password", stored).Should().Be(PasswordVerificationResult.Failed);
        sink.Named(PasswordEventNames.MalformedHash).Single().Reason.Should().Be(PasswordReasonCodes.CostAboveLimit);
    }

    [Fact]
    public void Verify_Argon2PassesAtTheCap_AreAcceptedAndOneMoreIsRefused()
    {
        var (maker, _) = TestHashers.Create(o => o.Argon2Iterations = 3);
        var stored = maker.Hash("password");

        var (atCap, _) = TestHashers.Create(o => o.MaxVerificationIterations = 3);
        atCap.Verify("password", stored).Should().Be(PasswordVerificationResult.Success);
        var (belowCap, sink) = TestHashers.Create(o => o.MaxVerificationIterations = 2);
        belowCap.Verify("password", stored).Should().Be(PasswordVerificationResult.Failed);
        sink.Named(PasswordEventNames.MalformedHash).Single().Reason.Should().Be(PasswordReasonCodes.CostAboveLimit);
    }

    [Fact]
    public void TryParse_Argon2AtEveryCap_IsAcceptedAndOneAboveIsRefused()
    {
        const string Tail = "$c29tZXNhbHQ$cpx6VEQbwTVZvcpxNIxOVUWZ5xnAipUmAe1cg2GMG70";
        Argon2idPhc.TryParse("$argon2id$v=19$m=1024,t=16,p=64" + Tail, 1024, 16, out var phc, out var reason).Should().BeTrue(reason);
        (phc!.MemoryKiB, phc.Iterations, phc.Parallelism).Should().Be((1024, 16, 64));

        Argon2idPhc.TryParse("$argon2id$v=19$m=1025,t=16,p=64" + Tail, 1024, 16, out _, out reason).Should().BeFalse();
        reason.Should().Be(PasswordReasonCodes.CostAboveLimit);
        Argon2idPhc.TryParse("$argon2id$v=19$m=1024,t=17,p=64" + Tail, 1024, 16, out _, out reason).Should().BeFalse();
        reason.Should().Be(PasswordReasonCodes.CostAboveLimit);
        Argon2idPhc.TryParse("$argon2id$v=19$m=1024,t=16,p=65" + Tail, 1024, 16, out _, out reason).Should().BeFalse();
        reason.Should().Be(PasswordReasonCodes.MalformedHash);
        Argon2idPhc.TryParse("$argon2id$v=19$m=64,t=64,p=1" + Tail, 1024, 64, out _, out reason).Should().BeTrue(reason);
        Argon2idPhc.TryParse("$argon2id$v=19$m=64,t=65,p=1" + Tail, 1024, 65, out _, out reason).Should().BeFalse("64 passes is the format's own ceiling");
        reason.Should().Be(PasswordReasonCodes.CostAboveLimit);
    }

    [Fact]
    public void Verify_BCryptCostAtTheCap_IsAcceptedAndOneMoreIsRefused()
    {
        var (maker, _) = TestHashers.Create(o => { o.Algorithm = PasswordHashAlgorithm.BCrypt; o.BCryptWorkFactor = 5; });
        var stored = maker.Hash("password");

        var (atCap, _) = TestHashers.Create(o => o.MaxVerificationBCryptWorkFactor = 5);
        atCap.Verify("password", stored).Should().Be(PasswordVerificationResult.SuccessRehashNeeded, "Argon2id is configured");
        var (belowCap, sink) = TestHashers.Create(o => o.MaxVerificationBCryptWorkFactor = 4);
        belowCap.Verify("password", stored).Should().Be(PasswordVerificationResult.Failed);
        sink.Named(PasswordEventNames.MalformedHash).Single().Reason.Should().Be(PasswordReasonCodes.CostAboveLimit);
    }
}
