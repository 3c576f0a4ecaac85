namespace SecurityKit.Passwords.Tests;

public class RehashPolicyTests
{
    private const string Password = "rehash-me";

    // Stored with the cheap base policy (m=256, t=1, p=1, salt 16, hash 32), verified under another policy.
    private static readonly Dictionary<string, Action<PasswordHasherOptions>> MatrixPolicies = new()
    {
        ["same policy"] = _ => { },
        ["higher memory"] = o => o.Argon2MemoryKiB = 512,
        ["lower memory"] = o => o.Argon2MemoryKiB = 128,
        ["more passes"] = o => o.Argon2Iterations = 2,
        ["more lanes"] = o => o.Argon2Parallelism = 2,
        ["longer salt"] = o => o.Argon2SaltLength = 32,
        ["longer hash"] = o => o.Argon2HashLength = 64,
        ["shorter hash"] = o => o.Argon2HashLength = 16,
        ["algorithm now bcrypt"] = o => o.Algorithm = PasswordHashAlgorithm.BCrypt,
        ["bcrypt cost irrelevant to argon2"] = o => o.BCryptWorkFactor = 6,
    };

    public static TheoryData<string, PasswordVerificationResult> Matrix => new()
    {
        { "same policy", PasswordVerificationResult.Success },
        { "higher memory", PasswordVerificationResult.SuccessRehashNeeded },
        { "lower memory", PasswordVerificationResult.Success },
        { "more passes", PasswordVerificationResult.SuccessRehashNeeded },
        { "more lanes", PasswordVerificationResult.SuccessRehashNeeded },
        { "longer salt", PasswordVerificationResult.SuccessRehashNeeded },
        { "longer hash", PasswordVerificationResult.SuccessRehashNeeded },
        { "shorter hash", PasswordVerificationResult.Success },
        { "algorithm now bcrypt", PasswordVerificationResult.SuccessRehashNeeded },
        { "bcrypt cost irrelevant to argon2", PasswordVerificationResult.Success },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Verify_Argon2HashUnderChangedPolicy_ReportsRehash(string change, PasswordVerificationResult expected)
    {
        var policy = MatrixPolicies[change];
        var (original, _) = TestHashers.Create();
        var stored = original.Hash(Password);
        var (current, sink) = TestHashers.Create(policy);

        current.Verify(Password, stored).Should().Be(expected, change);
        current.IsRehashNeeded(stored).Should().Be(expected == PasswordVerificationResult.SuccessRehashNeeded, change);
        sink.Named(PasswordEventNames.RehashNeeded).Select(e => e.Reason).Should().Equal(
            expected == PasswordVerificationResult.SuccessRehashNeeded
                ? [change == "algorithm now bcrypt" ? PasswordReasonCodes.AlgorithmChanged : PasswordReasonCodes.CostBelowPolicy]
                : Array.Empty<string>(),
            change);
    }

    private static readonly Dictionary<string, Action<PasswordHasherOptions>> BCryptMatrixPolicies = new()
    {
        ["same cost"] = o => o.Algorithm = PasswordHashAlgorithm.BCrypt,
        ["higher cost"] = o => { o.Algorithm = PasswordHashAlgorithm.BCrypt; o.BCryptWorkFactor = 5; },
        ["argon2id configured"] = _ => { },
    };

    public static TheoryData<string, PasswordVerificationResult> BCryptMatrix => new()
    {
        { "same cost", PasswordVerificationResult.Success },
        { "higher cost", PasswordVerificationResult.SuccessRehashNeeded },
        { "argon2id configured", PasswordVerificationResult.SuccessRehashNeeded },
    };

    [Theory]
    [MemberData(nameof(BCryptMatrix))]
    public void Verify_BCryptHashUnderChangedPolicy_ReportsRehash(string change, PasswordVerificationResult expected)
    {
        var policy = BCryptMatrixPolicies[change];
        var (original, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        var stored = original.Hash(Password);
        var (current, sink) = TestHashers.Create(policy);
        current.Verify(Password, stored).Should().Be(expected, change);
        current.IsRehashNeeded(stored).Should().Be(expected == PasswordVerificationResult.SuccessRehashNeeded, change);
        sink.Named(PasswordEventNames.RehashNeeded).Select(e => e.Reason).Should().Equal(
            expected == PasswordVerificationResult.SuccessRehashNeeded
                ? [change == "argon2id configured" ? PasswordReasonCodes.AlgorithmChanged : PasswordReasonCodes.CostBelowPolicy]
                : Array.Empty<string>(),
            change);
    }

    [Fact]
    public void Verify_AfterRehash_Succeeds()
    {
        var (original, _) = TestHashers.Create();
        var (current, _) = TestHashers.Create(o => o.Argon2Iterations = 2);
        var stored = original.Hash(Password);
        current.Verify(Password, stored).Should().Be(PasswordVerificationResult.SuccessRehashNeeded);
        var upgraded = current.Hash(Password);
        current.Verify(Password, upgraded).Should().Be(PasswordVerificationResult.Success);
        upgraded.Should().Contain("t=2,");
    }
}
