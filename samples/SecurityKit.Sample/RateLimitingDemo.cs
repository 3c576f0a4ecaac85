using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SecurityKit.RateLimiting;
using SecurityKit.RateLimiting.Login;

/// <summary>A short tour of SecurityKit.RateLimiting: login throttling, trusted devices, IP blocking, API limits.</summary>
public static class RateLimitingDemo
{
    /// <summary>Runs the tour.</summary>
    /// <param name="services">The sample's service provider (built from <c>AddSecurityKit()</c>).</param>
    /// <returns>A task that completes when the tour is printed.</returns>
    public static async Task RunAsync(IServiceProvider services)
    {
        var protector = services.GetRequiredService<LoginProtector>();
        const string Password = "correct horse battery staple";

        // The host's credential check; it also runs (and fails) for unknown accounts.
        static Func<CancellationToken, ValueTask<bool>> Check(string typed) => _ => ValueTask.FromResult(typed == Password);

        // 1. Someone guesses alice's password from one IP: free attempts, then a delay is required.
        Console.WriteLine("== Login throttling ==");
        var attacker = IPAddress.Parse("203.0.113.66");
        for (var i = 1; i <= 6; i++)
        {
            var result = await protector.AttemptAsync(new LoginAttempt("Alice@Example.com", attacker), Check("guess" + i));
            Console.WriteLine($"attempt {i}: {result.Status,-9} retry after {result.RetryAfter.TotalSeconds:0.#} s");
        }

        // 2. The same answer shape for every refusal: the client sees one message.
        Console.WriteLine("client message for every non-success: \"Wrong e-mail or password. Try again later.\"");

        // 3. Alice on her laptop (a device that signed in before) is not locked out by the attacker.
        var owner = await protector.AttemptAsync(
            new LoginAttempt("alice@example.com", IPAddress.Parse("198.51.100.10")) { TrustedDeviceId = "laptop-cookie-7f3a" },
            Check(Password));
        Console.WriteLine($"alice on her trusted laptop: {owner.Status}");

        // 4. Credential stuffing: one IP tries many accounts and gets blocked.
        Console.WriteLine("== Credential stuffing ==");
        LoginAttemptResult last = default;
        var tries = 0;
        while (tries < 100 && last.Status != LoginAttemptStatus.IpBlocked)
        {
            last = await protector.AttemptAsync(new LoginAttempt($"user{tries++}@example.com", IPAddress.Parse("192.0.2.99")), Check("123456"));
        }

        Console.WriteLine($"192.0.2.99 blocked after {tries - 1} failures; retry after {last.RetryAfter.TotalSeconds:0} s");

        // 5. API limits through a named policy (or an ASP.NET Core PartitionedRateLimiter from CreatePartitionedLimiter).
        Console.WriteLine("== API limit ==");
        var limiter = new SecurityRateLimiter(
            services.GetRequiredService<SecurityKit.Stores.RateLimiting.IRateLimitStore>(),
            new RateLimitingOptions().AddPolicy("reports", SecurityKit.Stores.RateLimiting.RateLimitRule.TokenBucket(3, TimeSpan.FromMinutes(1))),
            TimeProvider.System);
        for (var i = 1; i <= 4; i++)
        {
            var decision = await limiter.AcquireAsync("reports", "tenant-42");
            Console.WriteLine($"report {i}: allowed={decision.IsAllowed} remaining={decision.Remaining} retry after {decision.RetryAfter.TotalSeconds:0} s");
        }
    }
}
