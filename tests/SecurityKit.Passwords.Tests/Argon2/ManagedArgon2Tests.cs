using System.Security.Cryptography;
using Konscious.Security.Cryptography;
using SecurityKit.Passwords.Argon2;
using SecurityKit.Passwords.Tests.Argon2.Rfc;

namespace SecurityKit.Passwords.Tests.Argon2;

public class ManagedArgon2Tests
{
    // Argon2Kernel is internal, so theory data carries its name.
    public static TheoryData<string> SupportedKernels()
    {
        var data = new TheoryData<string>();
        foreach (Argon2Kernel kernel in Enum.GetValues<Argon2Kernel>())
        {
            if (ManagedArgon2.IsSupported(kernel))
            {
                data.Add(kernel.ToString());
            }
        }

        return data;
    }

    public static TheoryData<string, int, string> Blake2bVectors => ManagedArgon2Vectors.Blake2b;

    public static TheoryData<int, string> HPrimeVectors => ManagedArgon2Vectors.HPrime;

    [Theory]
    [MemberData(nameof(Blake2bVectors))]
    public void Blake2bHash_KnownVector_MatchesDigest(string inputHex, int length, string expectedHex)
    {
        var digest = new byte[length];

        Blake2b.Hash(Convert.FromHexString(inputHex), digest);

        Convert.ToHexStringLower(digest).Should().Be(expectedHex);
    }

    [Theory]
    [MemberData(nameof(Blake2bVectors))]
    public void Blake2bUpdate_ChunkedInput_MatchesOneShot(string inputHex, int length, string expectedHex)
    {
        byte[] input = Convert.FromHexString(inputHex);
        foreach (int chunk in new[] { 1, 3, 64, 127, 128, 129 })
        {
            var state = Blake2b.Create(length);
            for (int offset = 0; offset < input.Length; offset += chunk)
            {
                state.Update(input.AsSpan(offset, Math.Min(chunk, input.Length - offset)));
            }

            var digest = new byte[length];
            state.Finish(digest);
            Convert.ToHexStringLower(digest).Should().Be(expectedHex, "chunks of {0} bytes must not change the digest", chunk);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Blake2bCreate_LengthOutOfRange_Throws(int length)
    {
        Action act = () => Blake2b.Create(length);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [MemberData(nameof(HPrimeVectors))]
    public void HPrime_KnownOutput_MatchesIndependentImplementation(int length, string expectedHex)
    {
        var output = new byte[length];

        ManagedArgon2.HPrime(Convert.FromHexString(ManagedArgon2Vectors.Sequence(200)), output);

        Convert.ToHexStringLower(output).Should().Be(expectedHex);
    }

    [Fact]
    public void HPrime_BlockLength_MatchesIndependentImplementation()
    {
        var output = new byte[1024];

        ManagedArgon2.HPrime(Convert.FromHexString(ManagedArgon2Vectors.Sequence(200)), output);

        Convert.ToHexStringLower(SHA256.HashData(output)).Should().Be(ManagedArgon2Vectors.HPrime1024Sha256);
    }

    [Theory]
    [MemberData(nameof(SupportedKernels))]
    public void Hash_Rfc9106Argon2idVector_MatchesTag(string kernelName)
    {
        var kernel = Enum.Parse<Argon2Kernel>(kernelName);
        var tag = new byte[32];

        ManagedArgon2.Hash(
            ManagedArgon2Vectors.Rfc9106Argon2id.Password,
            ManagedArgon2Vectors.Rfc9106Argon2id.Salt,
            ManagedArgon2Vectors.Rfc9106Argon2id.Secret,
            ManagedArgon2Vectors.Rfc9106Argon2id.AssociatedData,
            ManagedArgon2Vectors.Rfc9106Argon2id.MemoryKiB,
            ManagedArgon2Vectors.Rfc9106Argon2id.Iterations,
            ManagedArgon2Vectors.Rfc9106Argon2id.Parallelism,
            tag,
            kernel);

        Convert.ToHexStringLower(tag).Should().Be(ManagedArgon2Vectors.Rfc9106Argon2id.Tag);
    }

    [Fact]
    public void Hash_RandomParameters_MatchesKonsciousBitForBit()
    {
        var random = new Random(20260601);
        for (int i = 0; i < 60; i++)
        {
            var c = ParameterSet.Next(random, maxMemoryKiB: 2048);

            byte[] expected = Konscious(c);
            var actual = new byte[c.OutputLength];
            ManagedArgon2.Hash(c.Password, c.Salt, c.Secret, c.AssociatedData, c.MemoryKiB, c.Iterations, c.Parallelism, actual);

            actual.Should().Equal(expected, "case {0} ({1}) must match Konscious", i, c);
        }
    }

    [Theory]
    [InlineData(8, 1, 1, 4)]
    [InlineData(9, 1, 1, 64)]
    [InlineData(16, 2, 2, 65)]
    [InlineData(33, 1, 4, 127)]
    [InlineData(1024, 2, 4, 32)]
    [InlineData(1030, 1, 3, 1000)]
    public void Hash_EdgeParameters_MatchesKonscious(int memoryKiB, int iterations, int parallelism, int outputLength)
    {
        var c = new ParameterSet(
            "password"u8.ToArray(), "somesalt"u8.ToArray(), "pepper"u8.ToArray(), "ad"u8.ToArray(),
            memoryKiB, iterations, parallelism, outputLength);

        var actual = new byte[outputLength];
        ManagedArgon2.Hash(c.Password, c.Salt, c.Secret, c.AssociatedData, memoryKiB, iterations, parallelism, actual);

        actual.Should().Equal(Konscious(c));
    }

    [Fact]
    public void Hash_EveryKernel_GivesTheSameBytes()
    {
        var random = new Random(7);
        Argon2Kernel[] kernels = Enum.GetValues<Argon2Kernel>().Where(ManagedArgon2.IsSupported).ToArray();
        for (int i = 0; i < 12; i++)
        {
            var c = ParameterSet.Next(random, maxMemoryKiB: 1024);
            byte[]? first = null;
            foreach (Argon2Kernel kernel in kernels)
            {
                var output = new byte[c.OutputLength];
                ManagedArgon2.Hash(c.Password, c.Salt, c.Secret, c.AssociatedData, c.MemoryKiB, c.Iterations, c.Parallelism, output, kernel);
                first ??= output;
                output.Should().Equal(first, "kernel {0} on case {1} ({2})", kernel, i, c);
            }
        }
    }

    [Fact]
    public void Hash_ScalarKernel_MatchesKonscious()
    {
        var c = new ParameterSet(
            "correct horse"u8.ToArray(), "0123456789abcdef"u8.ToArray(), [], [], 256, 2, 2, 32);
        var actual = new byte[32];

        ManagedArgon2.Hash(c.Password, c.Salt, c.Secret, c.AssociatedData, c.MemoryKiB, c.Iterations, c.Parallelism, actual, Argon2Kernel.Scalar);

        actual.Should().Equal(Konscious(c));
    }

    [Fact]
    public void Hash_CallerWorkspace_MatchesAllocatingOverloadAndIsZeroedAfterwards()
    {
        int length = ManagedArgon2.GetWorkspaceLength(1030, 3);
        length.Should().Be((1020 + 1 + 9) * 128, "m = 1030 rounds down to 4p × floor(m / 4p) = 1020 blocks");
        var workspace = new ulong[length + 5];
        workspace.AsSpan().Fill(0xDEADBEEF);
        var expected = new byte[48];
        var actual = new byte[48];

        ManagedArgon2.Hash("pw"u8, "saltsalt"u8, "k"u8, "x"u8, 1030, 2, 3, expected);
        ManagedArgon2.Hash("pw"u8, "saltsalt"u8, "k"u8, "x"u8, 1030, 2, 3, actual, workspace);

        actual.Should().Equal(expected);
        workspace.AsSpan(0, length).IndexOfAnyExcept(0UL).Should().Be(-1, "the used workspace holds password-derived data");
        workspace.AsSpan(length).ToArray().Should().AllBeEquivalentTo(0xDEADBEEFUL, "words past the used length are not touched");
    }

    [Fact]
    public void Hash_WorkspaceTooSmall_ThrowsArgumentOutOfRange()
    {
        var workspace = new ulong[ManagedArgon2.GetWorkspaceLength(64, 1) - 1];

        Action act = () => ManagedArgon2.Hash("pw"u8, "saltsalt"u8, [], [], 64, 1, 1, new byte[32], workspace);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Hash_ManyConcurrentCalls_EachMatchesSequentialResult()
    {
        var expected = new byte[8][];
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i] = new byte[32];
            ManagedArgon2.Hash(BitConverter.GetBytes(i), "saltsalt"u8, [], [], 512, 1, 1 + (i % 3), expected[i]);
        }

        var tasks = Enumerable.Range(0, 64).Select(n => Task.Run(() =>
        {
            int i = n % expected.Length;
            var tag = new byte[32];
            ManagedArgon2.Hash(BitConverter.GetBytes(i), "saltsalt"u8, [], [], 512, 1, 1 + (i % 3), tag);
            return (i, tag);
        }));

        foreach (var (i, tag) in await Task.WhenAll(tasks))
        {
            tag.Should().Equal(expected[i]);
        }
    }

    [Fact]
    public void Hash_DifferentSecret_ChangesTag()
    {
        var withPepper = new byte[32];
        var withoutPepper = new byte[32];

        ManagedArgon2.Hash("pw"u8, "saltsalt"u8, "k"u8, [], 64, 1, 1, withPepper);
        ManagedArgon2.Hash("pw"u8, "saltsalt"u8, [], [], 64, 1, 1, withoutPepper);

        withPepper.Should().NotEqual(withoutPepper);
    }

    [Theory]
    [InlineData(16, 1, 0, 32, 16)]    // p = 0
    [InlineData(16, 1, 256, 32, 16)]  // p > 255
    [InlineData(15, 1, 2, 32, 16)]    // m < 8p
    [InlineData(16, 0, 1, 32, 16)]    // t = 0
    [InlineData(16, 1, 1, 3, 16)]     // T < 4
    [InlineData(16, 1, 1, 32, 7)]     // salt < 8 bytes
    [InlineData(int.MaxValue, 1, 1, 32, 16)] // matrix larger than one array
    public void Hash_ParameterOutOfRange_ThrowsArgumentOutOfRange(int memoryKiB, int iterations, int parallelism, int outputLength, int saltLength)
    {
        Action act = () => ManagedArgon2.Hash("pw"u8, new byte[saltLength], [], [], memoryKiB, iterations, parallelism, new byte[outputLength]);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static byte[] Konscious(ParameterSet c)
    {
        using var argon2 = new Argon2id(c.Password)
        {
            Salt = c.Salt,
            KnownSecret = c.Secret.Length == 0 ? null : c.Secret,
            AssociatedData = c.AssociatedData.Length == 0 ? null : c.AssociatedData,
            MemorySize = c.MemoryKiB,
            Iterations = c.Iterations,
            DegreeOfParallelism = c.Parallelism,
        };
        return argon2.GetBytes(c.OutputLength);
    }

    private sealed record ParameterSet(
        byte[] Password, byte[] Salt, byte[] Secret, byte[] AssociatedData,
        int MemoryKiB, int Iterations, int Parallelism, int OutputLength)
    {
        public static ParameterSet Next(Random random, int maxMemoryKiB)
        {
            int parallelism = random.Next(1, 5);
            return new ParameterSet(
                Bytes(random, random.Next(1, 80)), // Konscious rejects an empty password
                Bytes(random, random.Next(8, 40)),
                random.Next(2) == 0 ? [] : Bytes(random, random.Next(1, 64)),
                random.Next(2) == 0 ? [] : Bytes(random, random.Next(1, 64)),
                random.Next(8 * parallelism, maxMemoryKiB + 1),
                random.Next(1, 5),
                parallelism,
                random.Next(4, 129));
        }

        public override string ToString() =>
            $"m={MemoryKiB} t={Iterations} p={Parallelism} T={OutputLength} |P|={Password.Length} |S|={Salt.Length} |K|={Secret.Length} |X|={AssociatedData.Length}";

        private static byte[] Bytes(Random random, int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}
