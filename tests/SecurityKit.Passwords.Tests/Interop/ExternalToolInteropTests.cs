using System.Text;
using SecurityKit.Passwords.Argon2;

namespace SecurityKit.Passwords.Tests.Interop;

/// <summary>Hashes made here must verify in the reference CLI, argon2-cffi and PHP (the other direction is ReferenceHashTests).</summary>
public class ExternalToolInteropTests
{
    private static readonly string[] Passwords = ["password", "correct horse battery staple", "pässwörd-ünïcödé", "密码123-пароль"];

    [SkippableTheory]
    [InlineData("somesalt", 1, 64, 1, 32)]
    [InlineData("saltsaltsaltsalt", 2, 256, 2, 32)]
    [InlineData("0123456789abcdef", 3, 1024, 4, 16)]
    [InlineData("another-salt-value", 1, 512, 1, 64)]
    [InlineData("odd-memory-long-tag", 1, 1030, 3, 100)] // m not a multiple of 4p (rounded down to 1020 for the blocks, 1030 in H0); tag > 64 bytes (H')
    [InlineData("tiny-memory", 2, 33, 4, 65)] // m just above 8p; a 65-byte tag (H' with one 32-byte step)
    [InlineData("threaded-lanes", 2, 4096, 4, 32)] // segments of 256 blocks: the lanes run in parallel on more than one CPU
    public void Argon2Cli_SameInputs_ProducesIdenticalPhcString(string salt, int t, int m, int p, int length)
    {
        var cli = ExternalTools.RequireArgon2Cli();
        foreach (var password in Passwords)
        {
            var tag = new byte[length];
            Argon2Engine.Hash(Encoding.UTF8.GetBytes(password), Encoding.ASCII.GetBytes(salt), default, default, m, t, p, tag);
            var ours = Argon2idPhc.Format(m, t, p, null, Encoding.ASCII.GetBytes(salt), tag);

            var (exit, theirs) = ExternalTools.Run(cli, [salt, "-id", "-t", $"{t}", "-k", $"{m}", "-p", $"{p}", "-l", $"{length}", "-e"], password);

            exit.Should().Be(0);
            ours.Should().Be(theirs);
        }
    }

    [SkippableFact]
    public void PythonArgon2Cffi_VerifiesOurHashes()
    {
        var python = ExternalTools.RequirePython();
        var (hasher, _) = TestHashers.Create(o => { o.Argon2MemoryKiB = 512; o.Argon2Iterations = 2; o.Argon2Parallelism = 2; });
        const string Script = "import sys\nfrom argon2 import PasswordHasher\nfrom argon2.exceptions import VerifyMismatchError\ntry:\n    PasswordHasher().verify(sys.argv[1], sys.argv[2]); print('ok')\nexcept VerifyMismatchError:\n    print('mismatch')\n";
        foreach (var password in Passwords)
        {
            var hash = hasher.Hash(password);
            ExternalTools.Run(python, ["-c", Script, hash, password], null).Output.Should().Be("ok", hash);
            ExternalTools.Run(python, ["-c", Script, hash, password + "x"], null).Output.Should().Be("mismatch");
        }
    }

    [SkippableFact]
    public void PhpPasswordVerify_VerifiesOurHashes()
    {
        var php = ExternalTools.RequirePhp();
        var (hasher, _) = TestHashers.Create(o => { o.Argon2MemoryKiB = 1024; o.Argon2Iterations = 1; });
        const string Script = "echo password_verify($argv[1], $argv[2]) ? 'ok' : 'mismatch';";
        foreach (var password in Passwords)
        {
            var hash = hasher.Hash(password);
            ExternalTools.Run(php, ["-r", Script, "--", password, hash], null).Output.Should().Be("ok", hash);
            ExternalTools.Run(php, ["-r", Script, "--", password + "x", hash], null).Output.Should().Be("mismatch");
        }
    }

    [SkippableFact]
    public void PhpPasswordVerify_VerifiesOurBCryptHashes()
    {
        var php = ExternalTools.RequirePhp();
        var (hasher, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        const string Script = "echo password_verify($argv[1], $argv[2]) ? 'ok' : 'mismatch';";
        var hash = hasher.Hash("pässwörd");
        ExternalTools.Run(php, ["-r", Script, "--", "pässwörd", hash], null).Output.Should().Be("ok");
        var vector = "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.";
        ExternalTools.Run(php, ["-r", Script, "--", "", vector], null).Output.Should().Be("ok", "the BCrypt known-answer vectors are confirmed by PHP");
    }
}
