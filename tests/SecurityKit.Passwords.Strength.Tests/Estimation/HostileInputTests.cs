using System.Diagnostics;

namespace SecurityKit.Passwords.Strength.Tests.Estimation;

public sealed class HostileInputTests
{
    [Fact]
    public void Estimate_AllL33tCharactersWithLongUserInput_StaysFast()
    {
        // 20 l33t characters give 736 substitution sets; a 128-character user input used to make every
        // set hash every window of the password (seconds at the 256-character cap).
        var estimator = new ZxcvbnPasswordStrengthEstimator();
        var password = string.Concat(Enumerable.Repeat("4@8({[<3691!|70$5+%2", 7))[..128];
        var userInput = new string('q', 60) + string.Concat(Enumerable.Repeat("ab", 34));
        estimator.Estimate("warm-up", [userInput]);

        var clock = Stopwatch.StartNew();
        var result = estimator.Estimate(password, [userInput, "display name", "user@example.com"]);
        clock.Stop();

        result.Score.Should().BeInRange(0, 4);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds:F0} ms");
        Console.WriteLine($"hostile estimate: {clock.Elapsed.TotalMilliseconds:F1} ms");
    }
}
