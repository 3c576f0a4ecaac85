using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Passwords;
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
        var hasher = services.GetRequiredService<IPasswordHasher>();

        // The host's user table: alice, bob and their Argon2id hashes.
        var users = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["alice@example.com"] = await hasher.HashAsync("correct horse battery staple"),
            ["bob@example.com"] = await hasher.HashAsync("bobs new passphrase, freshly reset"),
        };

        // The host's credential check: it runs for unknown accounts too (a null hash verifies a dummy hash, so the
        // answer and its timing do not reveal whether the account exists) and never compares passwords itself.
        Func<CancellationToken, ValueTask<bool>> Check(string account, string typed) => async ct =>
            await hasher.VerifyAsync(typed, users.GetValueOrDefault(account.Trim()), ct) != PasswordVerificationResult.Failed;

        // 0. Alice signed in on her laptop last week; after that success the host issued a trusted-device token and kept it
        //    in a long-lived HttpOnly cookie on the laptop. (Hosts with a per-account security stamp pass it too, so a
        //    password reset revokes every device token: IssueTrustedDeviceToken(account, stamp).)
        var laptopCookie = protector.IssueTrustedDeviceToken("alice@example.com");

        // 1. Someone guesses alice's password from one IP: free attempts, then a delay is required.
        Console.WriteLine("== Login throttling ==");
        var attacker = IPAddress.Parse("203.0.113.66");
        for (var i = 1; i <= 6; i++)
        {
            var result = await protector.AttemptAsync(new LoginAttempt("Alice@Example.com", attacker), Check("Alice@Example.com", "guess" + i));
            Console.WriteLine($"attempt {i}: {result.Status,-9} retry after {result.RetryAfter.TotalSeconds:0.#} s");
        }

        // 2. The same answer shape for every refusal: the client sees one message.
        Console.WriteLine("client message for every non-success: \"Wrong e-mail or password. Try again later.\"");

        // 3. Alice on her laptop is not locked out by the attacker: the protector verifies the token (issued for this
        //    account, not expired) and judges the attempt on the laptop's own counter. Invented or stolen-for-another-account
        //    tokens are ignored, so an attacker cannot escape the account counter by sending device ids.
        var owner = await protector.AttemptAsync(
            new LoginAttempt("alice@example.com", IPAddress.Parse("198.51.100.10")) { TrustedDeviceToken = laptopCookie },
            Check("alice@example.com", "correct horse battery staple"));
        Console.WriteLine($"alice on her trusted laptop: {owner.Status}");
        var forged = await protector.AttemptAsync(
            new LoginAttempt("alice@example.com", attacker) { TrustedDeviceToken = "made-up-device" },
            Check("alice@example.com", "guess7"));
        Console.WriteLine($"attacker with an invented device token: {forged.Status}");

        // Bob mistyped from his home address until he was throttled, then reset his password from there: unlocking with
        // that address clears the account counter and that address's account + IP counter, so he can sign in at once.
        var home = IPAddress.Parse("198.51.100.77");
        for (var i = 0; i < 12; i++)
        {
            await protector.AttemptAsync(new LoginAttempt("bob@example.com", home), Check("bob@example.com", "typo" + i));
        }

        await protector.UnlockAsync("bob@example.com", home);
        var bob = await protector.AttemptAsync(new LoginAttempt("bob@example.com", home), Check("bob@example.com", "bobs new passphrase, freshly reset"));
        Console.WriteLine($"bob after a password reset from home: {bob.Status}");

        // 4. Credential stuffing: one IP tries many accounts and gets blocked.
        Console.WriteLine("== Credential stuffing ==");
        LoginAttemptResult last = default;
        var tries = 0;
        while (tries < 100 && last.Status != LoginAttemptStatus.IpBlocked)
        {
            var account = $"user{tries++}@example.com";
            last = await protector.AttemptAsync(new LoginAttempt(account, IPAddress.Parse("192.0.2.99")), Check(account, "123456"));
        }

        Console.WriteLine($"192.0.2.99 blocked after {tries - 1} failures; retry after {last.RetryAfter.TotalSeconds:0} s");

        // 5. API limits through the "reports" policy configured in Program.cs (AddRateLimiting).
        Console.WriteLine("== API limit ==");
        var limiter = services.GetRequiredService<SecurityRateLimiter>();
        for (var i = 1; i <= 4; i++)
        {
            var decision = await limiter.AcquireAsync("reports", "tenant-42");
            Console.WriteLine($"report {i}: allowed={decision.IsAllowed} remaining={decision.Remaining} retry after {decision.RetryAfter.TotalSeconds:0} s");
        }

        // 6. The same policy as a System.Threading.RateLimiting limiter: what ASP.NET Core's AddRateLimiter
        //    (o.GlobalLimiter = …) and Polly's AddRateLimiter(…) consume. A refused lease carries RetryAfter.
        using var partitioned = limiter.CreatePartitionedLimiter<string>("reports", tenant => tenant);
        using var lease = partitioned.AttemptAcquire("tenant-42");
        Console.WriteLine(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? $"PartitionedRateLimiter lease for tenant-42: refused, Retry-After {retryAfter.TotalSeconds:0} s"
            : "PartitionedRateLimiter lease for tenant-42: acquired");
    }
}
