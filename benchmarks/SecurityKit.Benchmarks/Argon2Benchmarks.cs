using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NSec.Cryptography;
using SecurityKit.Passwords.Argon2;

namespace SecurityKit.Benchmarks;

/// <summary>Argon2id (p = 1, 32-byte tag, 16-byte salt): managed engine vs Konscious vs libsodium (NSec).</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class Argon2Benchmarks
{
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();
    private static readonly byte[] Salt = "0123456789abcdef"u8.ToArray();
    private readonly byte[] _output = new byte[32];
    private PasswordBasedKeyDerivationAlgorithm _libsodium = null!;
    private ulong[] _workspace = [];

    public static IEnumerable<Argon2Cost> Costs => [new(19456, 2), new(65536, 3)];

    [ParamsSource(nameof(Costs))]
    public Argon2Cost Cost { get; set; } = new(19456, 2);

    [GlobalSetup]
    public void Setup()
    {
        _libsodium = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = Cost.MemoryKiB,
            NumberOfPasses = Cost.Iterations,
        });

        _workspace = new ulong[ManagedArgon2.GetWorkspaceLength(Cost.MemoryKiB, 1)];

        // The three must agree before their speed means anything.
        byte[] sodium = Libsodium();
        byte[] managed = (byte[])SecurityKitManaged().Clone();
        byte[] konscious = Konscious();
        if (!sodium.AsSpan().SequenceEqual(managed) || !sodium.AsSpan().SequenceEqual(konscious))
        {
            throw new InvalidOperationException("Argon2id implementations disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "libsodium (NSec)")]
    public byte[] Libsodium() => _libsodium.DeriveBytes(Password, Salt, 32);

    [Benchmark(Description = "SecurityKit ManagedArgon2 (AVX2)")]
    public byte[] SecurityKitManaged()
    {
        ManagedArgon2.Hash(Password, Salt, [], [], Cost.MemoryKiB, Cost.Iterations, 1, _output);
        return _output;
    }

    [Benchmark(Description = "SecurityKit, reused workspace")]
    public byte[] SecurityKitWorkspace()
    {
        ManagedArgon2.Hash(Password, Salt, [], [], Cost.MemoryKiB, Cost.Iterations, 1, _output, _workspace);
        return _output;
    }

    [Benchmark(Description = "SecurityKit, SSSE3 kernel")]
    public byte[] SecurityKitSsse3()
    {
        ManagedArgon2.Hash(Password, Salt, [], [], Cost.MemoryKiB, Cost.Iterations, 1, _output, Argon2Kernel.Vector128);
        return _output;
    }

    [Benchmark(Description = "SecurityKit, scalar kernel")]
    public byte[] SecurityKitScalar()
    {
        ManagedArgon2.Hash(Password, Salt, [], [], Cost.MemoryKiB, Cost.Iterations, 1, _output, Argon2Kernel.Scalar);
        return _output;
    }

    [Benchmark(Description = "Konscious 1.3.1")]
    public byte[] Konscious()
    {
        using var argon2 = new Konscious.Security.Cryptography.Argon2id(Password)
        {
            Salt = Salt,
            MemorySize = Cost.MemoryKiB,
            Iterations = Cost.Iterations,
            DegreeOfParallelism = 1,
        };
        return argon2.GetBytes(32);
    }

    /// <summary>One Argon2id cost (p = 1).</summary>
    /// <param name="MemoryKiB">m in KiB.</param>
    /// <param name="Iterations">t.</param>
    public sealed record Argon2Cost(int MemoryKiB, int Iterations)
    {
        /// <inheritdoc />
        public override string ToString() => $"m={MemoryKiB},t={Iterations}";
    }
}
