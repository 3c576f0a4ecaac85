using System.Diagnostics;

namespace SecurityKit.Passwords.Tests.Interop;

/// <summary>
/// Runs the reference implementations installed on the machine (Debian: argon2, python3-argon2, php-cli).
/// In CI (CI=true) a missing tool fails the test; elsewhere the test is skipped with the install command.
/// </summary>
internal static class ExternalTools
{
    public const string InstallHint = "apt-get install -y argon2 python3-argon2 php-cli";

    private static readonly Lazy<string?> Argon2Cli = new(() => FindOnPath("argon2"));
    private static readonly Lazy<string?> Php = new(() => FindOnPath("php") is { } php && Run(php, ["-r", "exit(defined('PASSWORD_ARGON2ID') ? 0 : 1);"], null).ExitCode == 0 ? php : null);
    private static readonly Lazy<string?> Python = new(FindPythonWithArgon2);

    public static string RequireArgon2Cli() => Require(Argon2Cli.Value, "argon2 (reference CLI, Debian package argon2)");

    public static string RequirePhp() => Require(Php.Value, "php with PASSWORD_ARGON2ID (Debian package php-cli)");

    public static string RequirePython() => Require(Python.Value, "python3 with argon2-cffi (Debian package python3-argon2)");

    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> arguments, string? stdin)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit(30_000).Should().BeTrue($"{file} finishes");
        return (process.ExitCode, output.Trim());
    }

    private static string Require(string? path, string what)
    {
        if (path is not null)
        {
            return path;
        }

        var message = $"{what} is not installed. Install it with: {InstallHint}";
        if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "0" && !string.Equals(ci, "false", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("CI must run the interop tests: " + message);
        }

        Skip.If(true, message);
        return null!;
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin"))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindPythonWithArgon2()
    {
        // Debian's python3-argon2 lives in the system interpreter, which a pyenv/venv python3 on PATH may hide.
        foreach (var candidate in new[] { "/usr/bin/python3", FindOnPath("python3") })
        {
            if (candidate is not null && File.Exists(candidate) && Run(candidate, ["-c", "import argon2"], null).ExitCode == 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
