using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using SecurityKit.Passwords.Strength;

namespace SecurityKit.Benchmarks;

/// <summary>
/// Strength estimate (zxcvbn 4.4.2 model) at 8, 16, 64 and 128 (the estimation cap) characters against zxcvbn-core 1.1.17
/// (an instance created once, its cheapest use). Goal: median ≤ 0.2 ms up to 16 characters, ≤ 2 ms at 64.
/// Run: flock /tmp/securitykit-build.lock dotnet run -c Release --project benchmarks/SecurityKit.Benchmarks -- --filter '*StrengthBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(ShortConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class StrengthBenchmarks
{
    private static readonly Dictionary<int, string> Passwords = new()
    {
        [8] = "Tr0ub4d&",
        [16] = "briansmith4mayor",
        [64] = "correct horse battery staple 1987 qwerty!! Zx9#kLm2 summer2019 ab",
        [128] = "correct horse battery staple 1987 qwerty!! Zx9#kLm2 summer2019 ab" + "P@ssw0rd tangerine violin 11/04/1989 aaaaaa zyxwv asdfgh JohnSmith mmm",
    };

    private readonly ZxcvbnPasswordStrengthEstimator estimator = new();
    private readonly Zxcvbn.Zxcvbn zxcvbnCore = new();
    private string password = string.Empty;

    /// <summary>Gets or sets the password length.</summary>
    [Params(8, 16, 64, 128)]
    public int Length { get; set; }

    /// <summary>Selects the password and loads both libraries' dictionaries.</summary>
    [GlobalSetup]
    public void Setup()
    {
        password = Passwords[Length][..Length];
        ZxcvbnPasswordStrengthEstimator.Preload();
        _ = estimator.Estimate(password);
        _ = zxcvbnCore.EvaluatePassword(password);
    }

    /// <summary>zxcvbn-core 1.1.17, the reference.</summary>
    /// <returns>The entropy, to keep the result alive.</returns>
    [Benchmark(Baseline = true)]
    public double ZxcvbnCore() => zxcvbnCore.EvaluatePassword(password).Entropy;

    /// <summary>SecurityKit's zxcvbn 4.4.2 estimator.</summary>
    /// <returns>The guesses, to keep the result alive.</returns>
    [Benchmark]
    public double SecurityKit() => estimator.Estimate(password).Guesses;

    private sealed class ShortConfig : ManualConfig
    {
        public ShortConfig() =>
            AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(5).WithLaunchCount(1).WithId("Short"));
    }
}
