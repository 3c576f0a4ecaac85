using CsCheck;
using SecurityKit.Passwords.Argon2;

namespace SecurityKit.Passwords.Tests.Argon2;

/// <summary>Property tests: parsers and Verify never throw on arbitrary stored values, and no mutation of a valid hash verifies.</summary>
public class PropertyTests
{
    [Fact]
    public void TryParse_ArbitraryText_NeverThrows()
    {
        Gen.String.Sample(text =>
        {
            Argon2idPhc.TryParse(text, 262144, 16, out _, out _);
            Argon2idPhc.TryParse("$argon2id$" + text, 262144, 16, out _, out _);
            Argon2idPhc.TryParse("$argon2id$v=19$" + text, 262144, 16, out _, out _);
        }, iter: 20_000);
    }

    [Fact]
    public void Verify_ArbitraryStoredValue_NeverThrowsNorSucceeds()
    {
        var (hasher, _) = TestHashers.Create(o => o.MaxVerificationMemoryKiB = 1024);
        string[] starts = ["", "$", "$2a$", "$2b$10$", "$argon2id$", "$argon2id$v=19$", "$argon2id$v=19$m=64,t=1,p=1$", "AQAAAA", "AAAA"];
        var prefixes = Gen.Int[0, starts.Length - 1].Select(i => starts[i]);
        Gen.Select(prefixes, Gen.String[Gen.Char.AlphaNumeric, 0, 90]).Sample((prefix, tail) =>
        {
            hasher.Verify("password", prefix + tail).Should().Be(PasswordVerificationResult.Failed);
        }, iter: 3_000);
    }

    [Fact]
    public void Verify_OneCharacterMutationOfValidHash_NeverVerifies()
    {
        var (hasher, _) = TestHashers.Create(o => o.MaxVerificationMemoryKiB = 1024);
        var valid = hasher.Hash("password");
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/$=,.-_ ";
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Int[0, Alphabet.Length - 1]).Sample((position, replacement) =>
        {
            var mutated = string.Concat(valid.AsSpan(0, position), Alphabet.AsSpan(replacement, 1), valid.AsSpan(position + 1));
            var expected = mutated == valid ? PasswordVerificationResult.Success : PasswordVerificationResult.Failed;
            hasher.Verify("password", mutated).Should().Be(expected, mutated);
        }, iter: 600);
    }

    [Fact]
    public void HashThenVerify_ArbitraryUnicodePassword_RoundTrips()
    {
        var (hasher, _) = TestHashers.Create(o => o.Argon2MemoryKiB = 64);
        Gen.String[1, 40].Where(s => !HasLoneSurrogate(s)).Sample(password =>
        {
            hasher.Verify(password, hasher.Hash(password)).Should().Be(PasswordVerificationResult.Success);
        }, iter: 300);
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
