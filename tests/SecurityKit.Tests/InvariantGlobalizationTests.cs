using System.Diagnostics;
using SecurityKit.Primitives;

namespace SecurityKit.Tests;

/// <summary>
/// In .NET's globalization-invariant mode string.Normalize does nothing, so passwords, the policy and login account keys
/// would silently skip NFKC (found in review). The mode is fixed when the runtime starts, so the refusal is tested in a
/// child process: the sample app (AddSecurityKit()) started with DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1.
/// </summary>
public sealed class InvariantGlobalizationTests
{
    [Fact]
    public void ThisProcess_HasIcu_NormalizationAvailable() =>
        UnicodeNormalization.IsAvailable.Should().BeTrue("the tests run with ICU; otherwise every password test would be meaningless");

    [Fact]
    public async Task InvariantMode_AddSecurityKit_RefusesToStartSayingWhatToDo()
    {
        var (exitCode, output) = await RunSampleAsync(invariant: true);

        exitCode.Should().NotBe(0);
        output.Should().Contain("Unicode normalization (NFKC) is unavailable").And.Contain("icu");
    }

    [Fact]
    public async Task NormalMode_TheSameSampleRuns_AndEachFeatureItShowsWorks()
    {
        var (exitCode, output) = await RunSampleAsync(invariant: false);

        exitCode.Should().Be(0, output);
        output.Should().NotContain("Unicode normalization (NFKC) is unavailable");

        // The sample is the documentation users copy: each step must show the outcome it describes, not just run.
        output.Should().Contain("right password: Success").And.Contain("wrong password: Failed")
            .And.Contain("after policy change: SuccessRehashNeeded").And.Contain("verify again: Success");
        output.Should().Contain("same code again: replayed").And.Contain("second use invalid_code").And.Contain("locked_out");
        output.Should().MatchRegex(@"attempt 6: Throttled +retry after [0-9]")
            .And.Contain("alice on her trusted laptop: Succeeded")
            .And.Contain("attacker with an invented device token: Throttled")
            .And.Contain("bob after a password reset from home: Succeeded")
            .And.MatchRegex(@"192\.0\.2\.99 blocked after [0-9]+ failures; retry after [1-9]");
        output.Should().Contain("report 4: allowed=False").And.MatchRegex("PartitionedRateLimiter lease for tenant-42: refused, Retry-After [1-9]");
        output.Should().Contain("validate from elsewhere: Valid, warnings IpChanged, DeviceChanged").And.Contain("rotated; old token now Revoked");
        output.Should().Contain("tampered: InvalidSignature; alg none: AlgorithmNone").And.Contain("reuse of the old token: ReuseDetected")
            .And.Contain("old access token is: TokenVersionRevoked");
        output.Should().NotContain("correct horse battery staple", "no password reaches the console or the logs")
            .And.NotContain("bobs new passphrase");
    }

    private static async Task<(int ExitCode, string Output)> RunSampleAsync(bool invariant)
    {
        // tests/artifacts/bin/SecurityKit.Tests/<configuration>/ → samples/artifacts/bin/SecurityKit.Sample/<configuration>/
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = baseDirectory.Name;
        var root = baseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "SecurityKit.sln")))
        {
            root = root.Parent;
        }

        root.Should().NotBeNull("the tests run inside the repository");
        var sample = Path.Combine(root!.FullName, "samples", "artifacts", "bin", "SecurityKit.Sample", configuration, "SecurityKit.Sample.dll");
        File.Exists(sample).Should().BeTrue($"the sample is built with the tests ({sample})");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [sample])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = invariant ? "1" : "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
