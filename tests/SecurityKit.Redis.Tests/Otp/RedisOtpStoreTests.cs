using Microsoft.Extensions.Options;
using SecurityKit.Redis.Otp;
using SecurityKit.Stores.Otp;
using SecurityKit.Tests.Conformance;
using StackExchange.Redis;

namespace SecurityKit.Redis.Tests.Otp;

internal static class RedisOtpTestStores
{
    public static RedisConnection Connect(RedisServerFixture fixture, string? prefix = null)
    {
        fixture.EnsureAvailable();
        var multiplexer = fixture.Multiplexer!;
        return new RedisConnection(Options.Create(new RedisSecurityKitOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer),
            KeyPrefix = prefix ?? "test-otp:",
            OperationTimeout = TimeSpan.FromSeconds(5),
        }));
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisOtpStateStoreConformanceTests(RedisServerFixture fixture) : OtpStateStoreConformanceTests
{
    protected override Task<IOtpStateStore> CreateStoreAsync() =>
        Task.FromResult<IOtpStateStore>(new RedisOtpStateStore(RedisOtpTestStores.Connect(fixture)));
}

[Collection(RedisCollection.Name)]
public sealed class RedisBackupCodeStoreConformanceTests(RedisServerFixture fixture) : BackupCodeStoreConformanceTests
{
    protected override Task<IBackupCodeStore> CreateStoreAsync() =>
        Task.FromResult<IBackupCodeStore>(new RedisBackupCodeStore(RedisOtpTestStores.Connect(fixture)));
}

[Collection(RedisCollection.Name)]
public sealed class RedisOtpStoreTests(RedisServerFixture fixture)
{
    [SkippableFact]
    public async Task TryAccept_WithRetention_SetsTtlAtomically()
    {
        var prefix = "ttl-" + Guid.NewGuid().ToString("N") + ":";
        var store = new RedisOtpStateStore(RedisOtpTestStores.Connect(fixture, prefix));
        await store.TryAcceptAsync("alice", "totp", 42, TimeSpan.FromSeconds(90));
        await store.TryAcceptAsync("alice", "hotp.a", 3, null);
        await store.RecordFailureAsync("alice", TimeSpan.FromMinutes(15));

        var db = fixture.Multiplexer!.GetDatabase();
        var tag = prefix + "otp:{YWxpY2U}";
        ((long)await db.StringGetAsync(tag + ":c:totp")).Should().Be(42);
        (await db.KeyTimeToLiveAsync(tag + ":c:totp")).Should().BeCloseTo(TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(5));
        (await db.KeyTimeToLiveAsync(tag + ":c:hotp.a")).Should().BeNull();
        (await db.KeyTimeToLiveAsync(tag + ":f")).Should().BeCloseTo(TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(5));
    }

    [SkippableTheory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("1e9")]
    public async Task TryAccept_StoredValueNotAnInteger_CountsAsNoValue(string stored)
    {
        // GetLastAcceptedAsync already read such a value as absent; TryAcceptAsync raised a Lua error on it, so every
        // verification of that counter threw until the key expired (and one written without a TTL never did).
        var prefix = "corrupt-" + Guid.NewGuid().ToString("N") + ":";
        var store = new RedisOtpStateStore(RedisOtpTestStores.Connect(fixture, prefix));
        var key = prefix + "otp:{YWxpY2U}:c:totp";
        var db = fixture.Multiplexer!.GetDatabase();
        await db.StringSetAsync(key, stored);

        (await store.GetLastAcceptedAsync("alice", "totp")).Should().BeNull();
        var outcome = await store.TryAcceptAsync("alice", "totp", 7, TimeSpan.FromMinutes(1));
        outcome.Accepted.Should().BeTrue();
        outcome.PreviousValue.Should().BeNull();
        ((string?)await db.StringGetAsync(key)).Should().Be("7");
        (await store.TryAcceptAsync("alice", "totp", 7, TimeSpan.FromMinutes(1))).Accepted.Should().BeFalse("the replay guard works again");
    }

    [SkippableTheory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("1e9")]
    [InlineData("99999999999999999999999")]
    [InlineData("+5")]
    [InlineData("1000000000000000000")] // 19 digits: over the scripts' 18
    public async Task FailureCount_StoredValueNotAnInteger_CountsAsZeroAndIsOverwritten(string stored)
    {
        // The accept script was fixed for this; the failure scripts were not: INCR or the comparison raised a Lua error,
        // and every OTP and backup-code attempt of the user threw until the key was removed (found in review).
        var prefix = "corruptf-" + Guid.NewGuid().ToString("N") + ":";
        var store = new RedisOtpStateStore(RedisOtpTestStores.Connect(fixture, prefix));
        var key = prefix + "otp:{YWxpY2U}:f";
        var db = fixture.Multiplexer!.GetDatabase();

        await db.StringSetAsync(key, stored);
        (await store.GetFailureCountAsync("alice")).Should().Be(0);
        (await store.RecordFailureBelowLimitAsync("alice", TimeSpan.FromMinutes(1), 3)).Should().Be(new OtpFailureRecord(true, 1));
        ((string?)await db.StringGetAsync(key)).Should().Be("1");
        (await db.KeyTimeToLiveAsync(key)).Should().BeCloseTo(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5));

        await db.StringSetAsync(key, stored);
        (await store.RecordFailureAsync("alice", TimeSpan.FromMinutes(2))).Should().Be(1);
        (await store.RecordFailureAsync("alice", TimeSpan.FromMinutes(2))).Should().Be(2);
        (await store.GetFailureCountAsync("alice")).Should().Be(2);
        (await db.KeyTimeToLiveAsync(key)).Should().BeCloseTo(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(5));
    }

    [SkippableFact]
    public async Task RecordFailureBelowLimit_EachCountedFailureRestartsTheTtl_ARefusedOneLeavesIt()
    {
        // The path the OTP failure limiter uses. A counted failure gives the count its window from now (without a TTL a
        // user at the limit would stay locked for good); an attempt refused at the limit must not restart it (one request
        // per window would keep the user locked for ever).
        var prefix = "fbl-" + Guid.NewGuid().ToString("N") + ":";
        var store = new RedisOtpStateStore(RedisOtpTestStores.Connect(fixture, prefix));
        var db = fixture.Multiplexer!.GetDatabase();
        var key = prefix + "otp:{YWxpY2U}:f";

        (await store.RecordFailureBelowLimitAsync("alice", TimeSpan.FromMinutes(1), 2)).Should().Be(new OtpFailureRecord(true, 1));
        (await db.KeyTimeToLiveAsync(key)).Should().BeCloseTo(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5));
        (await store.RecordFailureBelowLimitAsync("alice", TimeSpan.FromMinutes(10), 2)).Should().Be(new OtpFailureRecord(true, 2));
        (await db.KeyTimeToLiveAsync(key)).Should().BeCloseTo(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5), "each counted failure restarts the window");

        (await store.RecordFailureBelowLimitAsync("alice", TimeSpan.FromHours(1), 2)).Should().Be(new OtpFailureRecord(false, 2));
        (await db.KeyTimeToLiveAsync(key)).Should().BeCloseTo(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5), "the refused attempt left the window alone");
    }

    [SkippableFact]
    public async Task RecordFailure_EveryFailureRestartsTheTtl()
    {
        var prefix = "fr-" + Guid.NewGuid().ToString("N") + ":";
        var store = new RedisOtpStateStore(RedisOtpTestStores.Connect(fixture, prefix));
        var key = prefix + "otp:{YWxpY2U}:f";

        (await store.RecordFailureAsync("alice", TimeSpan.FromMinutes(1))).Should().Be(1);
        (await store.RecordFailureAsync("alice", TimeSpan.FromHours(1))).Should().Be(2);

        (await fixture.Multiplexer!.GetDatabase().KeyTimeToLiveAsync(key)).Should().BeCloseTo(TimeSpan.FromHours(1), TimeSpan.FromSeconds(5));
    }

    [SkippableFact]
    public async Task Keys_ShareOneClusterSlotPerUser()
    {
        var prefix = "slot-" + Guid.NewGuid().ToString("N") + ":";
        var codes = new RedisBackupCodeStore(RedisOtpTestStores.Connect(fixture, prefix));
        await codes.ReplaceAsync("bob}x", "k1", ["h1"]);
        var server = fixture.Multiplexer!.GetServer("127.0.0.1", fixture.Port);
        var keys = server.Keys(pattern: prefix + "*").Select(k => (string)k!).ToList();
        keys.Should().ContainSingle().Which.Should().Be(prefix + "otp:{Ym9ifXg}:bc");
    }

    [SkippableFact]
    public async Task ServerStopped_OperationsThrowAndAcceptNothing_ThenRecover()
    {
        fixture.EnsureAvailable();
        var store = new RedisOtpStateStore(RedisOtpTestStores.Connect(fixture));
        var user = "fault-" + Guid.NewGuid().ToString("N");
        fixture.StopServer();
        try
        {
            var act = async () => await store.TryAcceptAsync(user, "totp", 1, TimeSpan.FromMinutes(1));
            var thrown = (await act.Should().ThrowAsync<Exception>()).Which;
            thrown.Should().Match<Exception>(e => e is RedisException || e is TimeoutException, "an outage, not an argument or programming error: {0}", thrown.GetType());
        }
        finally
        {
            await fixture.RestartAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                (await store.TryAcceptAsync(user, "totp", 1, TimeSpan.FromMinutes(1))).Accepted.Should().BeTrue();
                break;
            }
            catch (Exception e) when ((e is RedisException || e is TimeoutException) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
