namespace SecurityKit.Passwords.Tests;

/// <summary>
/// Every refusal spends the work of an unknown user's verification (counted in hash computations through the
/// <c>BeforeHash</c> hook, which a noisy machine cannot blur): a path that answered in ~0 ms told an attacker which
/// accounts exist (an SSO-only account with a "!" sentinel) or hold legacy hashes (found in review).
/// </summary>
public sealed class VerificationWorkTests
{
    private static int Count(PasswordHasher hasher, string password, string? stored)
    {
        hasher.Verify("warm-up", null); // creates the dummy hash once (itself one computation)
        var hashes = 0;
        hasher.BeforeHash = () => Interlocked.Increment(ref hashes);
        hasher.Verify(password, stored).Should().Be(PasswordVerificationResult.Failed);
        hasher.BeforeHash = null;
        return hashes;
    }

    public static TheoryData<string> UnusableHashes() => new()
    {
        "!",
        "*",
        "$6$rounds=5000$salt$hash",
        "$argon2i$v=19$m=256,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA", // over the memory cap
        "$argon2id$v=19$m=256,t=01,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA", // not canonical
        "$2x$10$abcdefghijklmnopqrstuu1234567890123456789012345678901",
        "$2b$17$abcdefghijklmnopqrstuu1234567890123456789012345678901", // cost over the cap
        "AQAAAAEAACcQAAAAE", // truncated Identity hash
        "not a hash at all",
        new string('x', 5000),
    };

    [Theory]
    [MemberData(nameof(UnusableHashes))]
    public void Verify_UnusableStoredHash_CostsWhatAnUnknownUserCosts(string stored)
    {
        var (hasher, _) = TestHashers.Create();
        var unknownUser = Count(hasher, "correct horse battery", null);

        Count(hasher, "correct horse battery", stored).Should().Be(unknownUser).And.BeGreaterThan(0);
    }

    [Fact]
    public void Verify_PasswordTooLongForAStoredBCryptHash_CostsWhatAnUnknownUserCosts()
    {
        // The documented migration path: Argon2id by default, imported BCrypt users. A 73-byte password is never compared
        // against a BCrypt hash (truncation), and used to fail at once for exactly those accounts.
        var (hasher, _) = TestHashers.Create();
        var (bcrypt, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        var stored = bcrypt.Hash("short password");
        var tooLong = new string('a', 73);

        Count(hasher, tooLong, stored).Should().Be(Count(hasher, tooLong, null)).And.BeGreaterThan(0);
    }

    [Fact]
    public void Verify_RetiredPepperWithANonNormalizedPassword_CostsWhatAWrongPasswordCosts()
    {
        // A wrong password with a distinct raw form ("ﬁ", full-width letters) costs two computations (normalised, then raw);
        // the retired-pepper path spent one.
        var (oldHasher, _) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p1", 1, true)));
        var retired = oldHasher.Hash("password");
        var (newHasher, _) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p2", 2, true)));
        var current = newHasher.Hash("password");
        const string Typed = "\uFB01le cabinet";

        Count(newHasher, Typed, retired).Should().Be(Count(newHasher, Typed, current)).And.Be(2);
        Count(newHasher, Typed, null).Should().Be(2);
    }
}
