using System.Security.Cryptography;
using System.Text;
using SecurityKit.Keys;
using SecurityKit.Primitives;
using SecurityKit.RateLimiting.Login;

namespace SecurityKit.RateLimiting.Tests.Login;

/// <summary>
/// What mutation testing (Stryker.NET, session of 2026-11-30 from 22:45 UTC) showed no test would notice: the persisted
/// formats (counter keys, trusted-device tokens), which counter a trusted device charges and for how long, the retry
/// time of an address refusal, degraded reporting, event contents, and the options' boundaries.
/// </summary>
public sealed class LoginProtectorPinningTests : LoginProtectorTestBase
{
    private static SecretKey RateLimitKey() => TestKeys.Ring().GetActiveKey(KeyPurposes.RateLimitKeys);

    /// <summary>The documented counter key: <c>login:&lt;tag&gt;:&lt;key id&gt;:</c> base64url of the first 16 bytes of
    /// HMAC-SHA256(key, tag ‖ 0x1F ‖ UTF-8(part1) [‖ 0x1F ‖ UTF-8(part2)]), computed here independently.</summary>
    private static string ExpectedKey(char tag, string part1, string? part2 = null)
    {
        var key = RateLimitKey();
        byte[] input = part2 is null
            ? [(byte)tag, 0x1F, .. Encoding.UTF8.GetBytes(part1)]
            : [(byte)tag, 0x1F, .. Encoding.UTF8.GetBytes(part1), 0x1F, .. Encoding.UTF8.GetBytes(part2)];
        var mac = HMACSHA256.HashData(key.Material.ToArray(), input);
        return $"login:{tag}:{key.KeyId}:{Base64Url.Encode(mac.AsSpan(0, 16))}";
    }

    [Fact]
    public async Task CounterKeys_Format_IsPinned()
    {
        // Counters live in Redis for up to a day (100-failure stop) or for good (permanent locks): a change of the key
        // layout would silently start every counter over at the next deploy.
        var protector = Create();
        await Attempt(protector, "Alice@Example.com", "203.0.113.5");
        Store.Keys.Should().BeEquivalentTo(
        [
            ExpectedKey('i', "203.0.113.5"),
            ExpectedKey('p', "alice@example.com", "203.0.113.5"),
            ExpectedKey('a', "alice@example.com"),
        ]);

        Store.Keys.Clear();
        await Attempt(protector, "bob", "2001:db8:1:2:3:4:5:6");
        Store.Keys.Should().BeEquivalentTo(
        [
            ExpectedKey('i', "2001:db8:1:2:3:4:5:6"),
            ExpectedKey('n', "20010db800010002"),
            ExpectedKey('w', "20010db80001"),
            ExpectedKey('p', "bob", "2001:db8:1:2:3:4:5:6"),
            ExpectedKey('a', "bob"),
        ]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("stamp-1")]
    public void TrustedDeviceToken_Format_IsPinned(string? stamp)
    {
        // Tokens sit in cookies for TrustedDeviceLifetime (90 days): the MAC layout must not change between releases.
        // key id "." base64url(issued (8, big-endian Unix seconds) ‖ device id (16) ‖ MAC (16)), MAC = the first 16 bytes
        // of HMAC-SHA256(key, "trusted-device" ‖ 0x1F ‖ len (4, big-endian) ‖ UTF-8(account) ‖ stamp flag ‖
        // SHA-256(UTF-8(stamp)) or 32 zero bytes ‖ issued ‖ device id).
        var protector = Create();
        var token = protector.IssueTrustedDeviceToken("Émile@Example.com", stamp);

        var key = RateLimitKey();
        token.Should().StartWith(key.KeyId + ".");
        Base64Url.TryDecode(token.AsSpan(key.KeyId.Length + 1), out var body).Should().BeTrue();
        body.Should().HaveCount(40);
        System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(body).Should().Be(Time.GetUtcNow().ToUnixTimeSeconds());
        var account = Encoding.UTF8.GetBytes("émile@example.com");
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, account.Length);
        byte[] input =
        [
            .. "trusted-device"u8, 0x1F, .. length, .. account, stamp is null ? (byte)0 : (byte)1,
            .. stamp is null ? new byte[32] : SHA256.HashData(Encoding.UTF8.GetBytes(stamp)),
            .. body.AsSpan(0, 24),
        ];
        body.AsSpan(24).ToArray().Should().Equal(HMACSHA256.HashData(key.Material.ToArray(), input).AsSpan(0, 16).ToArray());
    }

    [Fact]
    public async Task TrustedDeviceToken_UnderARootKeyThePurposeNoLongerUses_IsRejected()
    {
        // After a leaked root key, the purpose gets its own key and the old root stays (inactive) for old peppered hashes
        // and OTP secrets. The ring still derives a rate-limit key from that root id, and tokens minted with it were
        // accepted as trusted devices: unlimited guessing without the IP and account counters (found in review).
        var root = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var before = new LoginProtector(Store, new LoginProtectionOptions(), SecretKeyRing.FromRootKey("r1", root), Time, Publisher);
        var oldToken = before.IssueTrustedDeviceToken("ivy");
        oldToken.Should().StartWith("r1.");

        var ring = new SecretKeyRing(new SecretKeyRingOptions()
            .AddKey(KeyPurposes.Root, "r1", root)
            .AddKey(KeyPurposes.RateLimitKeys, "rl1", Enumerable.Repeat((byte)7, 32).ToArray()));
        ring.TryGetKey(KeyPurposes.RateLimitKeys, "r1", out _).Should().BeTrue("the ring still derives it (other purposes need that for old data)");
        var after = new LoginProtector(Store, new LoginProtectionOptions(), ring, Time, Publisher);

        await after.AttemptAsync(new LoginAttempt("ivy", System.Net.IPAddress.Parse("192.0.2.10")) { TrustedDeviceToken = oldToken }, _ => ValueTask.FromResult(false));
        Sink.Named(RateLimitingEventNames.DeviceTokenRejected).Should().ContainSingle().Which.Reason.Should().Be("invalid");

        var newToken = after.IssueTrustedDeviceToken("ivy");
        newToken.Should().StartWith("rl1.");
        Time.Advance(TimeSpan.FromMinutes(1)); // past the 5 s between rejection events
        await after.AttemptAsync(new LoginAttempt("ivy", System.Net.IPAddress.Parse("192.0.2.10")) { TrustedDeviceToken = newToken }, _ => ValueTask.FromResult(false));
        Sink.Named(RateLimitingEventNames.DeviceTokenRejected).Should().ContainSingle("the purpose's own key is accepted");
    }

    [Fact]
    public async Task TrustedDevice_Failures_DoNotChargeTheAccountCounter()
    {
        // Below the lockout threshold a trusted device's attempts count on its own counter only: the owner's typos on a
        // known device must not spend the account's budget that protects it from everywhere else.
        var protector = Create(o => o.FreeAttempts = 3); // failures 1 and 2 are free, the third brings a 1 s delay
        var device = protector.IssueTrustedDeviceToken("gina");
        for (var i = 0; i < 2; i++)
        {
            (await Attempt(protector, "gina", "192.0.2.10", device: device)).Should().Be(new LoginAttemptResult(LoginAttemptStatus.Failed, TimeSpan.Zero));
        }

        for (var i = 0; i < 2; i++)
        {
            (await Attempt(protector, "gina", "198.51.100." + i)).Should().Be(new LoginAttemptResult(LoginAttemptStatus.Failed, TimeSpan.Zero), $"untrusted attempt {i + 1}: still free");
        }

        (await Attempt(protector, "gina", "198.51.100.9")).Should().Be(new LoginAttemptResult(LoginAttemptStatus.Failed, TimeSpan.FromSeconds(1)), "the account's third counted failure");
    }

    [Fact]
    public async Task TrustedDevice_Throttled_RetryComesFromTheDeviceCounter()
    {
        var protector = Create(o => o.FreeAttempts = 2);
        var device = protector.IssueTrustedDeviceToken("hal");
        await Attempt(protector, "hal", "192.0.2.10", device: device);
        (await Attempt(protector, "hal", "192.0.2.10", device: device)).RetryAfter.Should().Be(TimeSpan.FromSeconds(1));

        (await Attempt(protector, "hal", "192.0.2.10", device: device)).Should().Be(new LoginAttemptResult(LoginAttemptStatus.Throttled, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task AccountAndIpCounter_ForgetsAfterTheFailureWindow_DeviceCounterAfterTheTokenLifetime()
    {
        var protector = Create(o =>
        {
            o.FreeAttempts = 2;
            o.InitialDelay = TimeSpan.FromMilliseconds(1);
            o.MaxLockoutDuration = TimeSpan.FromMilliseconds(1);
            o.FailureWindow = TimeSpan.FromHours(2);
            o.TrustedDeviceLifetime = TimeSpan.FromDays(30);
        });
        var device = protector.IssueTrustedDeviceToken("ivy");
        for (var i = 0; i < 4; i++)
        {
            await Attempt(protector, "ivy", "192.0.2.10");
            await Attempt(protector, "ivy", "192.0.2.10", device: device);
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Time.Advance(TimeSpan.FromHours(2));

        (await Attempt(protector, "ivy", "192.0.2.10")).Should().Be(new LoginAttemptResult(LoginAttemptStatus.Failed, TimeSpan.Zero), "the account + IP counter is a FailureWindow counter");
        (await Attempt(protector, "ivy", "192.0.2.10", device: device)).Should().Be(new LoginAttemptResult(LoginAttemptStatus.Failed, TimeSpan.FromMilliseconds(1)), "the device counter remembers its 4 failures for the token's lifetime");
    }

    [Fact]
    public async Task HundredFailuresFromOneAddress_WithoutPermanentLockout_EndAfterTheFailureWindow()
    {
        // The account + IP counter is never permanent, whatever PermanentLockout says for the account: here neither is.
        var protector = CreateHundredFailureRun();
        for (var i = 0; i < 100; i++)
        {
            (await Attempt(protector, "rae", "192.0.2.99")).Status.Should().Be(LoginAttemptStatus.Failed);
            Time.Advance(TimeSpan.FromMilliseconds(4));
        }

        (await Attempt(protector, "rae", "192.0.2.99")).Status.Should().Be(LoginAttemptStatus.Locked);
        Time.Advance(TimeSpan.FromHours(24));
        (await Attempt(protector, "rae", "192.0.2.99", correct: true)).Status.Should().Be(LoginAttemptStatus.Succeeded);
    }

    [Fact]
    public async Task Unlocked_PublishedOnlyWhenTheSuccessEndsALock_FromTheHigherOfTheTwoCounters()
    {
        var protector = Create(o =>
        {
            o.LockoutThreshold = 5;
            o.InitialDelay = TimeSpan.FromMilliseconds(1);
            o.MaxLockoutDuration = TimeSpan.FromMilliseconds(1);
        });

        // One short of the threshold: no lock, no Unlocked event.
        for (var i = 0; i < 4; i++)
        {
            await Attempt(protector, "jo", "198.51.100." + i);
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        (await Attempt(protector, "jo", "198.51.100.50", correct: true)).Succeeded.Should().BeTrue();
        Sink.Named(RateLimitingEventNames.Unlocked).Should().BeEmpty();

        // Five failures from five addresses: the account counter reached the threshold, each account + IP counter holds one.
        for (var i = 0; i < 5; i++)
        {
            await Attempt(protector, "jo", "198.51.100." + i);
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        (await Attempt(protector, "jo", "198.51.100.60", correct: true)).Succeeded.Should().BeTrue();
        Sink.Named(RateLimitingEventNames.Unlocked).Should().ContainSingle().Which.Reason.Should().Be("success");
    }

    [Fact]
    public async Task IpBlocked_ByThe64_RetryIsThe64sAndTheEventCarriesNoAccount()
    {
        var protector = Create(o =>
        {
            o.IpFailureLimit = 2;
            o.NetworkFailureLimit = 3;
            o.IpWindow = TimeSpan.FromMinutes(15);
        });
        await Attempt(protector, "kim", "2001:db8:0:1::1");
        await Attempt(protector, "kim", "2001:db8:0:1::1");
        await Attempt(protector, "kim", "2001:db8:0:1::2");

        var refused = await Attempt(protector, "kim", "2001:db8:0:1::2");

        refused.Should().Be(new LoginAttemptResult(LoginAttemptStatus.IpBlocked, TimeSpan.FromMinutes(5)), "the /64's bucket refills one attempt per 15 min / 3");
        var blocked = Sink.Named(RateLimitingEventNames.IpBlocked);
        blocked.Select(e => e.Reason).Should().Equal(["ip", "network", "ip"], "each bucket's last permit: ::1's, the /64's, ::2's");
        blocked.Should().OnlyContain(e => e.UserId == null && e.ClientIp != null, "an address event names no account");
        Sink.Named(RateLimitingEventNames.Throttled).Should().ContainSingle().Which.Reason.Should().Be("ip_blocked");
    }

    [Fact]
    public async Task IpBlocked_ByThe48_RetryIsThe48s()
    {
        var protector = Create(o =>
        {
            o.IpFailureLimit = 1;
            o.NetworkFailureLimit = 1;
            o.WideNetworkFailureLimit = 2;
        });
        await Attempt(protector, "lee", "2001:db8:7:1::1");
        await Attempt(protector, "lee", "2001:db8:7:2::1");

        (await Attempt(protector, "lee", "2001:db8:7:3::1")).Should().Be(new LoginAttemptResult(LoginAttemptStatus.IpBlocked, TimeSpan.FromSeconds(450)));
        Sink.Named(RateLimitingEventNames.IpBlocked).Select(e => e.Reason).Should().Contain("wide_network");
    }

    [Fact]
    public async Task IpBlocked_UnderFailClosed_IsIpBlocked_NotUnavailable_WhileTheStoreAnswers()
    {
        var protector = Create(o =>
        {
            o.IpFailureLimit = 1;
            o.FailurePolicy = StoreFailurePolicy.FailClosed;
        });
        await Attempt(protector, "mia", "192.0.2.77");

        var refused = await Attempt(protector, "mia", "192.0.2.77");

        refused.Status.Should().Be(LoginAttemptStatus.IpBlocked);
        refused.IsDegraded.Should().BeFalse();
    }

    [Fact]
    public async Task OnlyTheIpCounterDown_ResultIsDegraded()
    {
        var protector = Create(); // FallbackToMemory
        Store.FailingKeys = key => key.StartsWith("login:i:", StringComparison.Ordinal);

        var result = await Attempt(protector, "ned", "192.0.2.80", correct: true);

        result.Status.Should().Be(LoginAttemptStatus.Succeeded);
        result.IsDegraded.Should().BeTrue("the IP limit was decided by the in-memory fallback");
    }

    [Fact]
    public async Task Throttled_Reasons_ArePinned()
    {
        var protector = Create(o =>
        {
            o.FreeAttempts = 1;
            o.LockoutThreshold = 2;
            o.MaxConsecutiveFailures = 3;
        });
        await Attempt(protector, "ola", "192.0.2.1"); // failure 1: 1 s delay
        (await Attempt(protector, "ola", "192.0.2.1")).Status.Should().Be(LoginAttemptStatus.Throttled);
        Time.Advance(TimeSpan.FromSeconds(1));
        await Attempt(protector, "ola", "192.0.2.1"); // failure 2: the threshold
        (await Attempt(protector, "ola", "192.0.2.1")).Status.Should().Be(LoginAttemptStatus.Locked);
        Store.Current = FlakyStore.Mode.Throwing;
        var failClosed = Create(o => o.FailurePolicy = StoreFailurePolicy.FailClosed);
        await Attempt(failClosed, "pat", "192.0.2.2");

        Sink.Named(RateLimitingEventNames.Throttled).Select(e => e.Reason).Should().Equal("delay_required", "locked", "store_unavailable");
    }

    [Fact]
    public async Task AccountId_AtTheLengthLimit_Counted_OneLonger_InvalidInput()
    {
        var protector = Create(o => o.MaxAccountIdLength = 8);
        (await Attempt(protector, "abcdefgh", "192.0.2.1")).Status.Should().Be(LoginAttemptStatus.Failed);
        (await Attempt(protector, " abcdefgh ", "192.0.2.1")).Status.Should().Be(LoginAttemptStatus.Failed, "the length is measured after trimming");
        (await Attempt(protector, "abcdefghi", "192.0.2.1")).Status.Should().Be(LoginAttemptStatus.InvalidInput);
    }

    [Fact]
    public async Task ScopedIpv6Addresses_ShareTheAddressCounter()
    {
        // fe80::1%2 and fe80::1%3 are one address seen through two interfaces: the zone must not buy fresh attempts.
        var protector = Create(o => o.IpFailureLimit = 2);
        await Attempt(protector, "quinn", "fe80::1%2");
        await Attempt(protector, "quinn", "fe80::1%3");

        (await Attempt(protector, "quinn", "fe80::1%4")).Status.Should().Be(LoginAttemptStatus.IpBlocked);
    }

    [Theory]
    [InlineData(0x17B4, 0x17B5)]
    [InlineData(0x180B, 0x180F)]
    [InlineData(0x200B, 0x200F)]
    [InlineData(0x202A, 0x202E)]
    [InlineData(0x2060, 0x206F)]
    [InlineData(0xFE00, 0xFE0F)]
    [InlineData(0xFFF0, 0xFFF8)]
    [InlineData(0x1BCA0, 0x1BCA3)]
    [InlineData(0x1D173, 0x1D17A)]
    [InlineData(0xE0000, 0xE0FFF)]
    public void DefaultIgnorableRanges_BothEndsIn_NeighboursOut(int first, int last)
    {
        // Unicode 15.1 DerivedCoreProperties.txt, Default_Ignorable_Code_Point ranges (minus the Hangul fillers).
        LoginProtector.IsDefaultIgnorable(first).Should().BeTrue();
        LoginProtector.IsDefaultIgnorable(last).Should().BeTrue();
        LoginProtector.IsDefaultIgnorable(first - 1).Should().BeFalse();
        LoginProtector.IsDefaultIgnorable(last + 1).Should().BeFalse();
    }

    [Theory]
    [InlineData(0x00AD)]
    [InlineData(0x034F)]
    [InlineData(0x061C)]
    [InlineData(0xFEFF)]
    public void DefaultIgnorableSingles_In(int codePoint) => LoginProtector.IsDefaultIgnorable(codePoint).Should().BeTrue();

    public static TheoryData<string, Action<LoginProtectionOptions>, Action<LoginProtectionOptions>> Boundaries => new()
    {
        { "FreeAttempts 1 / 0", o => o.FreeAttempts = 1, o => o.FreeAttempts = 0 },
        { "FreeAttempts 50 / 51", o => (o.FreeAttempts, o.LockoutThreshold) = (50, 50), o => (o.FreeAttempts, o.LockoutThreshold) = (51, 51) },
        { "InitialDelay 10 min / +1 ms", o => o.InitialDelay = TimeSpan.FromMinutes(10), o => o.InitialDelay = TimeSpan.FromMinutes(10) + TimeSpan.FromMilliseconds(1) },
        { "MaxLockoutDuration 30 d / +1 ms", o => (o.MaxLockoutDuration, o.FailureWindow) = (TimeSpan.FromDays(30), TimeSpan.FromDays(31)), o => (o.MaxLockoutDuration, o.FailureWindow) = (TimeSpan.FromDays(30) + TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(31)) },
        { "FailureWindow = MaxLockoutDuration / −1 ms", o => o.FailureWindow = o.MaxLockoutDuration, o => o.FailureWindow = o.MaxLockoutDuration - TimeSpan.FromMilliseconds(1) },
        { "FailureWindow 366 d / +1 ms", o => o.FailureWindow = TimeSpan.FromDays(366), o => o.FailureWindow = TimeSpan.FromDays(366) + TimeSpan.FromMilliseconds(1) },
        { "NetworkFailureLimit 1,000,000 / +1", o => (o.NetworkFailureLimit, o.WideNetworkFailureLimit) = (1_000_000, 1_000_001), o => (o.NetworkFailureLimit, o.WideNetworkFailureLimit) = (1_000_001, 1_000_001) },
        { "WideNetworkFailureLimit 10,000,000 / +1", o => o.WideNetworkFailureLimit = 10_000_000, o => o.WideNetworkFailureLimit = 10_000_001 },
        { "IpWindow 1 s / −1 ms", o => o.IpWindow = TimeSpan.FromSeconds(1), o => o.IpWindow = TimeSpan.FromMilliseconds(999) },
        { "IpWindow 1 d / +1 ms", o => o.IpWindow = TimeSpan.FromDays(1), o => o.IpWindow = TimeSpan.FromDays(1) + TimeSpan.FromMilliseconds(1) },
        { "FallbackLimitFactor 1 / 1.000001", o => o.FallbackLimitFactor = 1, o => o.FallbackLimitFactor = 1.000001 },
        { "MaxAccountIdLength 1 / 0", o => o.MaxAccountIdLength = 1, o => o.MaxAccountIdLength = 0 },
        { "MaxAccountIdLength 1024 / 1025", o => o.MaxAccountIdLength = 1024, o => o.MaxAccountIdLength = 1025 },
        { "TrustedDeviceLifetime 1 h / −1 ms", o => o.TrustedDeviceLifetime = TimeSpan.FromHours(1), o => o.TrustedDeviceLifetime = TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1) },
        { "TrustedDeviceLifetime 366 d / +1 ms", o => o.TrustedDeviceLifetime = TimeSpan.FromDays(366), o => o.TrustedDeviceLifetime = TimeSpan.FromDays(366) + TimeSpan.FromMilliseconds(1) },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void Options_AtEachBound_Accepted_OnePast_Refused(string name, Action<LoginProtectionOptions> atBound, Action<LoginProtectionOptions> pastBound)
    {
        var accepted = new LoginProtectionOptions();
        atBound(accepted);
        LoginProtector.Check(accepted).Should().BeEmpty(name);

        var refused = new LoginProtectionOptions();
        pastBound(refused);
        LoginProtector.Check(refused).Should().NotBeEmpty(name);
    }

    [Fact]
    public void Constructor_StoreTimeoutOfExactlyOneMinute_Accepted() =>
        FluentActions.Invoking(() => new LoginProtector(Store, new LoginProtectionOptions(), TestKeys.Ring(), Time, Publisher, TimeSpan.FromMinutes(1))).Should().NotThrow();
}
