// SecurityKit.Passwords tour: hash, verify, dummy verify, and rehash on a policy change — composed through DI.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Passwords;

/// <summary>A short tour of SecurityKit.Passwords.</summary>
public static class PasswordsDemo
{
    /// <summary>Runs the tour against the application's service provider.</summary>
    /// <param name="services">A provider built with <c>AddSecurityKit()</c> or <c>AddSecurityKitCore().AddPasswordHashing()</c>.</param>
    /// <returns>A task that completes when the tour is printed.</returns>
    public static async Task RunAsync(IServiceProvider services)
    {
        Console.WriteLine("== Passwords ==");

        // 1. Hash at sign-up with the defaults (Argon2id, OWASP m=19456 KiB, t=2, p=1). Store the string as is.
        var hasher = services.GetRequiredService<IPasswordHasher>();
        var stored = await hasher.HashAsync("correct horse battery staple");
        Console.WriteLine($"1. stored hash: {stored[..stored.LastIndexOf('$')]}$…");

        // 2. Verify at sign-in. The zero value of the result is Failed; only Success* signs in.
        Console.WriteLine($"2. right password: {await hasher.VerifyAsync("correct horse battery staple", stored)}");
        Console.WriteLine($"   wrong password: {await hasher.VerifyAsync("Tr0ub4dor&3", stored)}");

        // 3. Unknown user: verify against a dummy hash so timing does not reveal which accounts exist.
        Console.WriteLine($"3. unknown user:   {await hasher.VerifyAsync("anything", storedHash: null)}");

        // 4. The policy gets stronger (here t=3): old hashes still verify, and ask to be upgraded.
        var stronger = new ServiceCollection();
        stronger.AddSecurityKitCore().AddPasswordHashing(o => o.Argon2Iterations = 3);
        await using var strongerProvider = stronger.BuildServiceProvider();
        strongerProvider.GetRequiredService<IStartupValidator>().Validate();
        var upgraded = strongerProvider.GetRequiredService<IPasswordHasher>();

        var result = await upgraded.VerifyAsync("correct horse battery staple", stored);
        Console.WriteLine($"4. after policy change: {result}");
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            stored = await upgraded.HashAsync("correct horse battery staple");
            Console.WriteLine($"   re-hashed: {stored[..stored.LastIndexOf('$')]}$…");
            Console.WriteLine($"   verify again: {await upgraded.VerifyAsync("correct horse battery staple", stored)}");
        }

        // 5. Malformed stored data never throws: it fails and raises a password.malformed_hash warning event.
        Console.WriteLine($"5. corrupt hash: {await hasher.VerifyAsync("correct horse battery staple", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA")}");

        // 6. Under a burst, the gate bounds parallel hashes; a full queue throws PasswordHasherBusyException (map it to HTTP 503).
        try
        {
            var burst = Enumerable.Range(0, 8).Select(_ => hasher.VerifyAsync("correct horse battery staple", stored).AsTask());
            var results = await Task.WhenAll(burst);
            Console.WriteLine($"6. burst of {results.Length} verifications completed through the gate");
        }
        catch (PasswordHasherBusyException)
        {
            Console.WriteLine("6. gate full: answer 503 Retry-After");
        }
    }
}
