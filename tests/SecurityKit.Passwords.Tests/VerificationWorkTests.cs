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
    public void Verify_PasswordTooLongForBCrypt_UnderBCryptStillCostsOneComputationForEveryAccount()
    {
        // Algorithm = BCrypt makes the unknown-user dummy a BCrypt hash, and a 73-byte password is never compared with one:
        // that path spent no work at all, so unknown users and BCrypt accounts answered at once while accounts holding an
        // imported PBKDF2 hash took a full verification (found in review).
        var (hasher, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        var bcryptAccount = hasher.Hash("short password");
        var identityAccount = Convert.ToBase64String(IdentityV3Sha256("short password"));
        var tooLong = new string('a', 73);

        Count(hasher, tooLong, null).Should().Be(1);
        Count(hasher, tooLong, bcryptAccount).Should().Be(1);
        Count(hasher, tooLong, identityAccount).Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(UnusableHashes))]
    public void Verify_UnusableStoredHashUnderBCryptWithATooLongPassword_CostsWhatAnUnknownUserCosts(string stored)
    {
        var (hasher, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        var tooLong = new string('b', 100);

        Count(hasher, tooLong, stored).Should().Be(Count(hasher, tooLong, null)).And.Be(1);
    }

    private static byte[] IdentityV3Sha256(string password)
    {
        var salt = new byte[16];
        var subkey = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(password, salt, 1000, System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        byte[] header = [0x01, 0, 0, 0, 1, 0, 0, 0x03, 0xE8, 0, 0, 0, 16];
        return [.. header, .. salt, .. subkey];
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
