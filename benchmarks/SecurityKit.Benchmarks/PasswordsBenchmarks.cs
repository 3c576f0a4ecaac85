using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Options;
using SecurityKit.Passwords;
using SecurityKit.Passwords.Argon2;
using Identity = Microsoft.AspNetCore.Identity;

namespace SecurityKit.Benchmarks;

/// <summary>
/// SecurityKit.Passwords against the libraries it wraps or replaces, one category per operation:
/// BCrypt verify at cost 10 (BCrypt.Net-Next baseline), ASP.NET Core Identity V3 PBKDF2 verify
/// (Identity's PasswordHasher baseline), and the end-to-end Argon2id hasher at OWASP parameters
/// (the bare Argon2 engine baseline, so the ratio is the hasher's own overhead: parsing, normalisation, gate).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PasswordsBenchmarks
{
    private const string Password = "correct horse battery staple";

    private sealed class User;

    private readonly PasswordHasher _bcryptHasher = new(new PasswordHasherOptions { Algorithm = PasswordHashAlgorithm.BCrypt, BCryptWorkFactor = 10 });
    private readonly PasswordHasher _argon2Hasher = new(new PasswordHasherOptions());
    private readonly Identity.PasswordHasher<User> _identity = new(Options.Create(new Identity.PasswordHasherOptions()));
    private readonly byte[] _salt = new byte[16];
    private readonly byte[] _tag = new byte[32];
    private string _bcryptHash = "";
    private string _identityHash = "";
    private string _argon2Hash = "";

    [GlobalSetup]
    public void Setup()
    {
        _bcryptHash = BCrypt.Net.BCrypt.HashPassword(Password, BCrypt.Net.BCrypt.GenerateSalt(10, 'b'));
        _identityHash = _identity.HashPassword(new User(), Password);
        _argon2Hash = _argon2Hasher.Hash(Password);
        System.Security.Cryptography.RandomNumberGenerator.Fill(_salt);
    }

    [Benchmark(Baseline = true, Description = "BCrypt.Net-Next Verify")]
    [BenchmarkCategory("BCrypt verify cost 10")]
    public bool BCryptNetNextVerify() => BCrypt.Net.BCrypt.Verify(Password, _bcryptHash);

    [Benchmark(Description = "SecurityKit Verify")]
    [BenchmarkCategory("BCrypt verify cost 10")]
    public PasswordVerificationResult SecurityKitBCryptVerify() => _bcryptHasher.Verify(Password, _bcryptHash);

    [Benchmark(Baseline = true, Description = "Identity VerifyHashedPassword")]
    [BenchmarkCategory("PBKDF2 Identity V3 verify")]
    public Identity.PasswordVerificationResult IdentityVerify() => _identity.VerifyHashedPassword(new User(), _identityHash, Password);

    [Benchmark(Description = "SecurityKit Verify")]
    [BenchmarkCategory("PBKDF2 Identity V3 verify")]
    public PasswordVerificationResult SecurityKitPbkdf2Verify() => _argon2Hasher.Verify(Password, _identityHash);

    [Benchmark(Baseline = true, Description = "Argon2Engine.Hash (bare)")]
    [BenchmarkCategory("Argon2id m=19456 t=2 p=1")]
    public byte[] Argon2EngineBare()
    {
        Argon2Engine.Hash("correct horse battery staple"u8, _salt, default, default, 19456, 2, 1, _tag);
        return _tag;
    }

    [Benchmark(Description = "SecurityKit Hash")]
    [BenchmarkCategory("Argon2id m=19456 t=2 p=1")]
    public string SecurityKitArgon2Hash() => _argon2Hasher.Hash(Password);

    [Benchmark(Description = "SecurityKit Verify")]
    [BenchmarkCategory("Argon2id m=19456 t=2 p=1")]
    public PasswordVerificationResult SecurityKitArgon2Verify() => _argon2Hasher.Verify(Password, _argon2Hash);
}
