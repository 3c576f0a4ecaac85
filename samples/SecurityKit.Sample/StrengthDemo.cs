using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Passwords.Strength;

/// <summary>A short tour of SecurityKit.Passwords.Strength: estimate, policy, generation.</summary>
public static class StrengthDemo
{
    /// <summary>Prints the tour.</summary>
    /// <param name="services">A provider built from <c>AddSecurityKit()</c> or <c>AddPasswordPolicy()</c>.</param>
    /// <returns>A task that completes when the tour is printed.</returns>
    public static async Task RunAsync(IServiceProvider services)
    {
        // 1. Estimate like the zxcvbn 4.4.2 meter in the browser: same score, guesses and feedback codes.
        var estimator = services.GetRequiredService<IPasswordStrengthEstimator>();
        foreach (var candidate in new[] { "P@ssw0rd", "briansmith4mayor", "correct horse battery staple" })
        {
            var estimate = estimator.Estimate(candidate);
            Console.WriteLine($"strength: score {estimate.Score}, 10^{estimate.GuessesLog10:F1} guesses, warning '{PasswordFeedbackText.GetCode(estimate.Feedback.Warning)}'");
        }

        // 2. Policy (NIST SP 800-63B rev. 4 defaults): every failed rule with a stable code.
        var policy = services.GetRequiredService<IPasswordPolicy>();
        var context = new PasswordPolicyContext { UserId = "user-1017", UserName = "marta", Email = "marta.kowalski@contoso.com" }; // UserId: the id events carry
        var rejected = await policy.EvaluateAsync("Kowalski2024!", context);
        Console.WriteLine($"policy: {rejected}");
        foreach (var failure in rejected.Failures)
        {
            Console.WriteLine($"  {failure.CodeName}: {failure.Message}");
        }

        // 3. Generate: a passphrase from the EFF list and a random password, both with their entropy.
        var generator = services.GetRequiredService<IPasswordGenerator>();
        var passphrase = generator.GeneratePassphrase();
        var password = generator.GeneratePassword(new RandomPasswordOptions { Length = 24 });
        Console.WriteLine($"generated passphrase: {passphrase.EntropyBits:F1} bits, accepted: {policy.Evaluate(passphrase.Value).IsAcceptable}");
        Console.WriteLine($"generated password: {password.EntropyBits:F1} bits, accepted: {policy.Evaluate(password.Value).IsAcceptable}");
    }
}
