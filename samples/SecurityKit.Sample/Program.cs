// SecurityKit sample: a short tour of the primitives, composed through DI.
// Run: dotnet run --project samples/SecurityKit.Sample
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// 1. Compose: everything with secure defaults. A real app reads its root key from a secret store.
var services = new ServiceCollection();
services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
services.AddSecurityKit()
    .ConfigureKeys(k => k.AddEphemeralRootKey());

await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
provider.GetRequiredService<IStartupValidator>().Validate();
Console.WriteLine("SecurityKit composed; options validated.");
