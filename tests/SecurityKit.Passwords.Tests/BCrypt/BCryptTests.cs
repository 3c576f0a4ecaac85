using SecurityKit.Passwords.BCrypt;

namespace SecurityKit.Passwords.Tests.BCrypt;

public class BCryptTests
{
    // Known answers from the jBCrypt / OpenBSD test suites (cost 6), checked with PHP password_verify.
    public static TheoryData<string, string> KnownAnswers => new()
    {
        { "", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s." },
        { "a", "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe" },
        { "abc", "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i" },
        { "abcdefghijklmnopqrstuvwxyz", "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC" },
        { "~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO" },
    };

    [Theory]
    [MemberData(nameof(KnownAnswers))]
    public void BCryptFormat_KnownAnswer_Verifies(string password, string hash)
    {
        BCryptFormat.TryParse(hash, 31, out var cost, out _).Should().BeTrue();
        cost.Should().Be(6);
        BCryptFormat.Verify(password, hash).Should().BeTrue();
        BCryptFormat.Verify(password + "!", hash).Should().BeFalse();
    }

    private const string Good = "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe";

    [Theory]
    [InlineData("$2x$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "unsupported_algorithm")] // crypt_blowfish bug marker
    [InlineData("$2$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "unsupported_algorithm")]
    [InlineData("$2A$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "unsupported_algorithm")]
    [InlineData("$2a$06xm0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "malformed_hash")] // 60 characters, no '$' after the cost
    [InlineData("$2a$6$$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "malformed_hash")] // one-digit cost, same length
    [InlineData("$2a$0x$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "malformed_hash")]
    [InlineData("$2a$03$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "malformed_hash")] // below bcrypt's minimum cost
    [InlineData("$2a$32$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "malformed_hash")]
    [InlineData("$2a$13$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "cost_above_limit")]
    [InlineData("$2a$06$m0CrhHm10qJ3lXRY+5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe", "malformed_hash")] // RFC 4648 '+' is not bcrypt's alphabet
    [InlineData("$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfx=", "malformed_hash")]
    [InlineData("$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxé", "malformed_hash")]
    [InlineData("$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfx", "malformed_hash")] // 59 characters
    [InlineData("$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxee", "malformed_hash")] // 61 characters
    public void TryParse_EachLayoutRule_RefusedWithItsReason_BeforeTheLibrarySeesIt(string hash, string reason)
    {
        // Called directly: through the hasher a hash BCrypt.Net-Next throws on also ends as malformed_hash, so those tests
        // cannot tell SecurityKit's checks from the library's.
        BCryptFormat.TryParse(Good, 12, out var cost, out _).Should().BeTrue();
        cost.Should().Be(6);

        BCryptFormat.TryParse(hash, 12, out _, out var actual).Should().BeFalse();

        actual.Should().Be(reason);
    }

    [Theory]
    [MemberData(nameof(KnownAnswers))]
    public void Verify_KnownAnswer_SucceedsWithRehashExceptEmpty(string password, string hash)
    {
        var (hasher, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        var expected = password.Length == 0 ? PasswordVerificationResult.Failed : PasswordVerificationResult.Success;
        hasher.Verify(password, hash).Should().Be(expected, "cost 6 meets the test policy of 4; empty passwords are refused before hashing");
        foreach (var variant in new[] { "$2b$", "$2y$" })
        {
            hasher.Verify(password, variant + hash[4..]).Should().Be(expected);
        }
    }

    [Fact]
    public void Hash_BCrypt_Writes2bWithConfiguredCost()
    {
        var (hasher, _) = TestHashers.Create(o => { o.Algorithm = PasswordHashAlgorithm.BCrypt; o.BCryptWorkFactor = 5; });
        var hash = hasher.Hash("password");
        hash.Should().MatchRegex(@"^\$2b\$05\$[./A-Za-z0-9]{53}$");
        hasher.Verify("password", hash).Should().Be(PasswordVerificationResult.Success);
        hasher.Verify("passwore", hash).Should().Be(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void BCryptNetNext_Truncates72Bytes_TheHazardThisPackageBlocks()
    {
        var hash = BCryptFormat.Hash(new string('a', 72), 4);
        global::BCrypt.Net.BCrypt.Verify(new string('a', 72) + "anything", hash).Should().BeTrue("BCrypt.Net-Next silently truncates");
    }

    [Fact]
    public void Hash_BCrypt72ByteBoundary_AcceptsExactly72()
    {
        var (hasher, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        var at72 = new string('a', 72);
        var hash = hasher.Hash(at72);
        hasher.Verify(at72, hash).Should().Be(PasswordVerificationResult.Success);
        hasher.Verify(new string('a', 71), hash).Should().Be(PasswordVerificationResult.Failed);
        hasher.Verify(at72 + "b", hash).Should().Be(PasswordVerificationResult.Failed, "a 73-byte password must never match through truncation");
    }

    [Theory]
    [InlineData(73)]
    [InlineData(100)]
    public void Hash_BCryptOver72Bytes_Throws(int length)
    {
        var (hasher, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        var act = () => hasher.Hash(new string('a', length));
        act.Should().Throw<ArgumentException>().WithMessage("*72*");
    }

    [Fact]
    public void Hash_BCryptMultiByteOver72_Throws()
    {
        var (hasher, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        var act = () => hasher.Hash(new string('a', 71) + "é"); // 71 chars + 2 bytes = 73 bytes
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Verify_ImportedTruncatingHash_LongPasswordFails()
    {
        // A hash made by a system that truncated: the 80-byte password must not match.
        var imported = BCryptFormat.Hash(new string('z', 72), 4);
        var (hasher, sink) = TestHashers.Create();
        hasher.Verify(new string('z', 80), imported).Should().Be(PasswordVerificationResult.Failed);
        sink.Named(PasswordEventNames.PasswordRejected).Single().Reason.Should().Be(PasswordReasonCodes.PasswordTooLong);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "$2x$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", PasswordReasonCodes.UnsupportedAlgorithm },
        { "$2$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", PasswordReasonCodes.UnsupportedAlgorithm },
        { "$2c$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", PasswordReasonCodes.UnsupportedAlgorithm },
        { "$2a$03$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", PasswordReasonCodes.MalformedHash },
        { "$2a$32$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", PasswordReasonCodes.MalformedHash },
        { "$2a$31$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", PasswordReasonCodes.CostAboveLimit },
        { "$2a$6$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", PasswordReasonCodes.MalformedHash },
        { "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s", PasswordReasonCodes.MalformedHash },
        { "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.x", PasswordReasonCodes.MalformedHash },
        { "$2a$06$DCq7YPn5Rq63x1Lad4cll+TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", PasswordReasonCodes.MalformedHash },
        { "$2a$06$", PasswordReasonCodes.MalformedHash },
        { "$2a$xx$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", PasswordReasonCodes.MalformedHash },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Verify_MalformedBCrypt_FailsWithEventNoException(string hash, string reason)
    {
        var (hasher, sink) = TestHashers.Create();
        hasher.Verify("password", hash).Should().Be(PasswordVerificationResult.Failed);
        sink.Named(PasswordEventNames.MalformedHash).Single().Reason.Should().Be(reason);
    }

    [Fact]
    public void BCryptFormat_LibraryThrowsOnMalformedHash_ReturnsNullInsteadOfThrowing()
    {
        var direct = () => global::BCrypt.Net.BCrypt.Verify("password", "$2a$06$abc");
        direct.Should().Throw<Exception>("BCrypt.Net-Next throws on malformed hashes");
        BCryptFormat.Verify("password", "$2a$06$abc").Should().BeNull();
        BCryptFormat.Verify("password", "$2a$06$****************************************************").Should().NotBe(true);
    }
}
