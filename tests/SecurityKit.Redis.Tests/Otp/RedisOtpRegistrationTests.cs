using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Redis.Otp;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Redis.Tests.Otp;

public sealed class RedisOtpRegistrationTests
{
    [Fact]
    public void UseRedis_ReplacesOtpStoresWhateverTheOrder()
    {
        // SecurityKit's own in-memory registrations (AddTotp, AddBackupCodes) before UseRedis, and after it. (A factory
        // registered from this test assembly used to stand in for them; it is now, rightly, the host's own store.)
        var before = new ServiceCollection();
        before.AddSecurityKitCore().AddTotp(o => o.Issuer = "Example").AddBackupCodes().UseRedis(o => o.Configuration = "127.0.0.1:1");
        var after = new ServiceCollection();
        after.AddSecurityKitCore().UseRedis(o => o.Configuration = "127.0.0.1:1").AddTotp(o => o.Issuer = "Example").AddBackupCodes();
        foreach (var services in new[] { before, after })
        {
            services.Where(d => d.ServiceType == typeof(IOtpStateStore)).Should().ContainSingle()
                .Which.ImplementationType.Should().Be(typeof(RedisOtpStateStore));
            services.Where(d => d.ServiceType == typeof(IBackupCodeStore)).Should().ContainSingle()
                .Which.ImplementationType.Should().Be(typeof(RedisBackupCodeStore));
        }
    }
}
