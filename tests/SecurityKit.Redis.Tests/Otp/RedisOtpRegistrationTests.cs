using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Redis.Otp;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Redis.Tests.Otp;

public sealed class RedisOtpRegistrationTests
{
    [Fact]
    public void UseRedis_ReplacesOtpStoresWhateverTheOrder()
    {
        var services = new ServiceCollection();
        var builder = services.AddSecurityKitCore();
        services.AddSingleton<IOtpStateStore>(_ => throw new InvalidOperationException("in-memory placeholder"));
        builder.UseRedis(o => o.Configuration = "127.0.0.1:1");
        services.Where(d => d.ServiceType == typeof(IOtpStateStore)).Should().ContainSingle()
            .Which.ImplementationType.Should().Be(typeof(RedisOtpStateStore));
        services.Where(d => d.ServiceType == typeof(IBackupCodeStore)).Should().ContainSingle()
            .Which.ImplementationType.Should().Be(typeof(RedisBackupCodeStore));
    }
}
