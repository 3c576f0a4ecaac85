using BenchmarkDotNet.Attributes;
using SecurityKit.Passwords.Argon2;

namespace SecurityKit.Benchmarks;

/// <summary>Argon2id at m=19456 KiB, t=2 with p lanes: managed engine (threads per slice) vs Konscious.</summary>
/// <remarks>libsodium's crypto_pwhash only supports p = 1, so it is not in this table.</remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class Argon2ParallelismBenchmarks
{
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();
    private static readonly byte[] Salt = "0123456789abcdef"u8.ToArray();
    private readonly byte[] _output = new byte[32];

    [Params(1, 2, 4)]
    public int Parallelism { get; set; }

    [Benchmark(Baseline = true, Description = "SecurityKit ManagedArgon2")]
    public byte[] SecurityKitManaged()
    {
        ManagedArgon2.Hash(Password, Salt, [], [], 19456, 2, Parallelism, _output);
        return _output;
    }

    [Benchmark(Description = "Konscious 1.3.1")]
    public byte[] Konscious()
    {
        using var argon2 = new Konscious.Security.Cryptography.Argon2id(Password)
        {
            Salt = Salt,
            MemorySize = 19456,
            Iterations = 2,
            DegreeOfParallelism = Parallelism,
        };
        return argon2.GetBytes(32);
    }
}
