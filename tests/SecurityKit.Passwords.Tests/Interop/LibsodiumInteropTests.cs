using System.Text;

namespace SecurityKit.Passwords.Tests.Interop;

/// <summary>libsodium's crypto_pwhash_str (through Geralt, test-only) and SecurityKit read each other's PHC strings.</summary>
public class LibsodiumInteropTests
{
    private static string LibsodiumHash(string password, int iterations, int memoryBytes)
    {
        Span<char> buffer = stackalloc char[Geralt.Argon2id.HashSize];
        Geralt.Argon2id.ComputeHash(buffer, Encoding.UTF8.GetBytes(password), iterations, memoryBytes);
        return buffer.TrimEnd('\0').ToString();
    }

    [Theory]
    [InlineData("password", 1, 64 * 1024)]
    [InlineData("pässwörd ✓", 2, 1024 * 1024)]
    [InlineData("correct horse battery staple", 3, 256 * 1024)]
    public void Verify_LibsodiumHash_Succeeds(string password, int iterations, int memoryBytes)
    {
        var hash = LibsodiumHash(password, iterations, memoryBytes);
        hash.Should().StartWith($"$argon2id$v=19$m={memoryBytes / 1024},t={iterations},p=1$");
        var (hasher, _) = TestHashers.Create();
        hasher.Verify(password, hash).Should().NotBe(PasswordVerificationResult.Failed);
        hasher.Verify(password + "x", hash).Should().Be(PasswordVerificationResult.Failed);
    }

    [Theory]
    [InlineData("password")]
    [InlineData("pässwörd ✓ 密码")]
    public void LibsodiumVerify_OurHash_Succeeds(string password)
    {
        var (hasher, _) = TestHashers.Create(o => { o.Argon2MemoryKiB = 1024; o.Argon2Iterations = 2; });
        var hash = hasher.Hash(password);
        Geralt.Argon2id.VerifyHash(hash, Encoding.UTF8.GetBytes(password)).Should().BeTrue();
        Geralt.Argon2id.VerifyHash(hash, Encoding.UTF8.GetBytes(password + "x")).Should().BeFalse();
    }

    [Fact]
    public void LibsodiumVerify_PepperedHash_CannotVerify()
    {
        // Documented: a peppered hash needs the secret input, which libsodium does not take.
        var (hasher, _) = TestHashers.Create(o => { o.UsePepper = true; o.Argon2MemoryKiB = 1024; }, TestHashers.PepperRing(("p1", 1, true)));
        var hash = hasher.Hash("password");
        Geralt.Argon2id.VerifyHash(hash, "password"u8).Should().BeFalse();
    }
}
