// SecurityKit sample: a short tour of the primitives, composed through DI.
// Run: dotnet run --project samples/SecurityKit.Sample -c Release
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// 1. Compose: every primitive with secure defaults and in-memory stores. A real app reads its root key
//    from a secret store (builder.AddKeysFromConfiguration(...)) *instead of* AddEphemeralRootKey() (startup
//    refuses the two together; the ephemeral key logs a startup warning, expected here, and password peppering
//    refuses it), sets TokenOptions.Issuer/Audience per service, and calls .UseRedis(...) when it runs more than one
//    instance.
var services = new ServiceCollection();
services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
services.AddSecurityKit()
    .ConfigureKeys(k => k.AddEphemeralRootKey())
    .AddRateLimiting(o => o.AddPolicy("reports", SecurityKit.Stores.RateLimiting.RateLimitRule.TokenBucket(3, TimeSpan.FromMinutes(1))))
    .AddLoginProtection(o => o.IpFailureLimit = 20)    // default 50 failures per IP per 15 min; lower here to keep the tour short
    .AddFingerprinting(o => o.ClientIp.TrustedProxies.Add("10.0.0.0/8")); // your load balancers (default: trust nobody)

// 2. Build and validate every option now, as a host does with ValidateOnStart.
await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
provider.GetRequiredService<IStartupValidator>().Validate();
Console.WriteLine("SecurityKit composed; options validated.");
Console.WriteLine();

// 3. Each package's tour (see the *Demo.cs files next to this one).
await PasswordsDemo.RunAsync(provider);
Console.WriteLine();
await OtpDemo.RunAsync(provider);
Console.WriteLine();
await RateLimitingDemo.RunAsync(provider);
Console.WriteLine();
await StrengthDemo.RunAsync(provider);
Console.WriteLine();
await SessionsDemo.RunAsync(provider);
Console.WriteLine();
await TokensDemo.RunAsync(provider);
