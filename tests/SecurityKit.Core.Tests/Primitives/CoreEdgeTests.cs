using SecurityKit.Keys;
using SecurityKit.Primitives;
using SecurityKit.Stores.RateLimiting;
using SecurityKit.Stores.Sessions;
using SecurityKit.Stores.Tokens;

namespace SecurityKit.Core.Tests.Primitives;

/// <summary>
/// Edges of Core's primitives and store contracts that mutation testing of this package found unpinned here (several
/// were tested only through other packages): strict base64 on all-zero and invalid short tails, fixed-time string
/// comparison of nulls, key and alphabet limits, the control/bidi character set, the rules' ranges and the store base
/// classes' argument checks.
/// </summary>
public sealed class CoreEdgeTests
{
    [Theory]
    [InlineData("AAAA", new byte[] { 0, 0, 0 })]
    [InlineData("AAA", new byte[] { 0, 0 })]
    [InlineData("AA", new byte[] { 0 })]
    [InlineData("AAAAAA", new byte[] { 0, 0, 0, 0 })]
    [InlineData("____", new byte[] { 0xFF, 0xFF, 0xFF })]
    [InlineData("__8", new byte[] { 0xFF, 0xFF })]
    [InlineData("_w", new byte[] { 0xFF })]
    public void Base64Url_ZeroAndFullBytes_Decode(string text, byte[] expected)
    {
        Base64Url.TryDecode(text, out var bytes).Should().BeTrue();
        bytes.Should().Equal(expected);
        Base64Url.Encode(expected).Should().Be(text);
    }

    [Theory]
    [InlineData("!A")]
    [InlineData("A!")]
    [InlineData("!AA")]
    [InlineData("A!A")]
    [InlineData("AA!")]
    [InlineData("!AAA")]
    [InlineData("AAA!")]
    [InlineData("AAAA!A")]
    [InlineData("AAAAA!A")]
    [InlineData("\u0080AAA")]
    [InlineData("AA\u0080A")]
    [InlineData("AA\u00FF")]
    [InlineData("A\uFFFF")]
    public void Base64Url_InvalidCharacterInAnyPosition_RefusedWithoutThrowing(string text)
    {
        Base64Url.TryDecode(text, out var bytes).Should().BeFalse();
        bytes.Should().BeNull();
        var buffer = new byte[8];
        Base64Url.TryDecode(text, buffer, out var written).Should().BeFalse();
        written.Should().Be(0);
    }

    [Fact]
    public void Base64Url_EncodedLengthOfHugeCounts_Overflows()
    {
        Base64Url.GetEncodedLength(3).Should().Be(4);
        Base64Url.GetEncodedLength(1).Should().Be(2);
        FluentActions.Invoking(() => Base64Url.GetEncodedLength(int.MaxValue)).Should().Throw<OverflowException>();
    }

    [Fact]
    public void FixedTime_NullEqualsNothing()
    {
        FixedTime.Equals((string?)null, null).Should().BeFalse();
        FixedTime.Equals(null, string.Empty).Should().BeFalse();
        FixedTime.Equals(string.Empty, null).Should().BeFalse();
        FixedTime.Equals(string.Empty, string.Empty).Should().BeTrue();
        FixedTime.Equals("abc", "abd").Should().BeFalse();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(84)]
    [InlineData(85)]
    [InlineData(300)]
    public void FixedTime_Utf8Comparison_AnyLength(int length)
    {
        var text = new string('é', length);
        var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        FixedTime.EqualsUtf8(text, utf8).Should().BeTrue();
        utf8[^1] ^= 1;
        FixedTime.EqualsUtf8(text, utf8).Should().BeFalse();
    }

    [Fact]
    public void SecureRandom_AlphabetOf256_Accepted_257Refused()
    {
        var alphabet256 = new string(Enumerable.Range(0x100, 256).Select(i => (char)i).ToArray());
        SecureRandom.GetString(alphabet256, 64).Should().HaveLength(64).And.Match(s => s.All(c => alphabet256.Contains(c)));
        var alphabet257 = new string(Enumerable.Range(0x100, 257).Select(i => (char)i).ToArray());
        FluentActions.Invoking(() => SecureRandom.GetString(alphabet257, 8)).Should().Throw<ArgumentException>().WithMessage("*between 2 and 256*");
        FluentActions.Invoking(() => SecureRandom.GetString("\uFFFF\uFFFF", 8)).Should().Throw<ArgumentException>().WithMessage("*repeat*");
        var highest = SecureRandom.GetString("\uFFFE\uFFFF", 32);
        highest.Should().HaveLength(32).And.Match(s => s.All(c => c == '\uFFFE' || c == '\uFFFF'));
    }

    [Fact]
    public void SecureRandom_CountLimits()
    {
        SecureRandom.GetBytes(0).Should().BeEmpty();
        SecureRandom.GetBytes(SecureRandom.MaxLength).Should().HaveCount(SecureRandom.MaxLength);
        FluentActions.Invoking(() => SecureRandom.GetBytes(-1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => SecureRandom.GetBytes(SecureRandom.MaxLength + 1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => SecureRandom.GetString("ab", -1)).Should().Throw<ArgumentOutOfRangeException>();
        SecureRandom.GetString("ab", 0).Should().BeEmpty();
        var filled = new char[40];
        SecureRandom.Fill("xy", filled);
        filled.Should().OnlyContain(c => c == 'x' || c == 'y').And.Contain('x').And.Contain('y');
        FluentActions.Invoking(() => SecureRandom.Fill("xx", new char[4])).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData('\u2028', true)]
    [InlineData('\u2029', true)]
    [InlineData('\u061C', true)]
    [InlineData('\u200E', true)]
    [InlineData('\u200F', true)]
    [InlineData('\u202A', true)]
    [InlineData('\u202E', true)]
    [InlineData('\u2066', true)]
    [InlineData('\u2069', true)]
    [InlineData('\u0085', true)]
    [InlineData('\n', true)]
    [InlineData('\u200D', false)]
    [InlineData('\u2027', false)]
    [InlineData('\u2030', false)]
    [InlineData('\u202F', false)]
    [InlineData('\u2065', false)]
    [InlineData('\u206A', false)]
    [InlineData('a', false)]
    public void IsControlOrBidi_ExactSet(char c, bool expected) => WellFormedText.IsControlOrBidi(c).Should().Be(expected);

    [Fact]
    public void SecretKey_LimitsOfIdPurposeAndSize()
    {
        var material = new byte[32];
        FluentActions.Invoking(() => new SecretKey("p", new string('k', SecretKey.MaximumKeyIdLength), material)).Should().NotThrow();
        FluentActions.Invoking(() => new SecretKey("p", new string('k', SecretKey.MaximumKeyIdLength + 1), material)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new SecretKey(new string('p', 64), "k1", material)).Should().NotThrow();
        FluentActions.Invoking(() => new SecretKey(new string('p', 65), "k1", material)).Should().Throw<ArgumentException>().WithMessage("*purpose*");
        FluentActions.Invoking(() => new SecretKey("", "k1", material)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new SecretKey("p", "k1", new byte[SecretKey.MaximumSizeInBytes])).Should().NotThrow();
        FluentActions.Invoking(() => new SecretKey("p", "k1", new byte[SecretKey.MaximumSizeInBytes + 1])).Should().Throw<ArgumentException>().WithMessage("*longer than*");
        SecretKey.IsValidKeyId("").Should().BeFalse();
        SecretKey.IsValidKeyId(null).Should().BeFalse();
    }

    [Fact]
    public void LockoutRule_Ranges()
    {
        var ms = TimeSpan.FromMilliseconds(1);
        LockoutRule Make(int free = 5, TimeSpan? initial = null, TimeSpan? max = null, int hard = 100, TimeSpan? window = null) =>
            new(free, initial ?? TimeSpan.FromSeconds(1), max ?? TimeSpan.FromMinutes(15), hard, window ?? TimeSpan.FromHours(1), false);

        FluentActions.Invoking(() => Make(free: 1, hard: 2)).Should().NotThrow();
        FluentActions.Invoking(() => Make(free: 1000, hard: 1001)).Should().NotThrow();
        FluentActions.Invoking(() => Make(initial: ms, max: ms, window: ms)).Should().NotThrow();
        FluentActions.Invoking(() => Make(initial: TimeSpan.FromDays(1), max: TimeSpan.FromDays(30), hard: 1_000_000, window: TimeSpan.FromDays(366))).Should().NotThrow();

        FluentActions.Invoking(() => Make(free: 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Make(free: 1001, hard: 2000)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Make(initial: TimeSpan.FromTicks(9999))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("initialDelay");
        FluentActions.Invoking(() => Make(initial: TimeSpan.FromDays(1) + ms, max: TimeSpan.FromDays(2))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("initialDelay");
        FluentActions.Invoking(() => Make(initial: TimeSpan.FromTicks(15_000))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("initialDelay");
        FluentActions.Invoking(() => Make(max: TimeSpan.FromMilliseconds(999))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxDelay");
        FluentActions.Invoking(() => Make(max: TimeSpan.FromDays(30) + ms, window: TimeSpan.FromDays(60))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxDelay");
        FluentActions.Invoking(() => Make(max: TimeSpan.FromMinutes(15) + TimeSpan.FromTicks(1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("maxDelay");
        FluentActions.Invoking(() => Make(free: 5, hard: 5)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Make(hard: 1_000_001)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Make(window: TimeSpan.FromMinutes(15) - ms)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("failureWindow");
        FluentActions.Invoking(() => Make(window: TimeSpan.FromDays(366) + ms)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("failureWindow");
        FluentActions.Invoking(() => Make(window: TimeSpan.FromHours(1) + TimeSpan.FromTicks(1))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("failureWindow");
    }

    [Fact]
    public void LockoutRule_Delay_FreeThenDoublingThenCapped()
    {
        var rule = new LockoutRule(3, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3), 100, TimeSpan.FromHours(1), false);
        rule.GetDelay(0).Should().Be(TimeSpan.Zero);
        rule.GetDelay(2).Should().Be(TimeSpan.Zero);
        rule.GetDelay(3).Should().Be(TimeSpan.FromMilliseconds(250));
        rule.GetDelay(4).Should().Be(TimeSpan.FromMilliseconds(500));
        rule.GetDelay(6).Should().Be(TimeSpan.FromSeconds(2));
        rule.GetDelay(7).Should().Be(TimeSpan.FromSeconds(3), "4 s is capped");
        rule.GetDelay(42).Should().Be(TimeSpan.FromSeconds(3));
        rule.GetDelay(43).Should().Be(TimeSpan.FromSeconds(3), "an exponent of 40 and more is the cap, without shifting");
        rule.GetDelay(int.MaxValue).Should().Be(TimeSpan.FromSeconds(3));

        var exact = new LockoutRule(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), 10, TimeSpan.FromHours(1), false);
        exact.GetDelay(3).Should().Be(TimeSpan.FromSeconds(4), "reaching the cap exactly");
        var huge = new LockoutRule(1, TimeSpan.FromDays(1), TimeSpan.FromDays(30), 100, TimeSpan.FromDays(366), false);
        huge.GetDelay(40).Should().Be(TimeSpan.FromDays(30), "2^39 days would overflow a TimeSpan");
    }

    public static TheoryData<int, int, long, int, long> SustainedRules => new()
    {
        // free attempts, initial delay ms, max delay ms, hard stop, failure window ms
        { 5, 1_000, 900_000, 100, 86_400_000 },       // the OTP default rule: the longest run is best
        { 5, 1_000, 3_600_000, 100, 86_400_000 },     // the login default curve
        { 5, 1_000, 3_600_000, 100, 3_600_000 },      // a run of 14 is best
        { 2, 1, 1, 100, 7_200_000 },
        { 1, 1, 1, 2, 1 },                            // every failure forgotten at once
        { 10, 900_000, 900_000, 11, 900_000 },        // the free attempts alone are best
        { 1, 1, 1_000, 1_000_000, 1_000 },            // a long run at the cap
        { 1000, 86_400_000, 2_592_000_000, 1_000_000, 31_622_400_000 },
    };

    [Theory]
    [MemberData(nameof(SustainedRules))]
    public void LockoutRule_SustainedAttemptsPerDay_IsTheBestRunLengthOverEveryRun(int free, int initialMs, long maxMs, int hardStop, long windowMs)
    {
        // Brute force over every run length k (the property stops early once delays reach the cap).
        var rule = new LockoutRule(free, TimeSpan.FromMilliseconds(initialMs), TimeSpan.FromMilliseconds(maxMs), hardStop, TimeSpan.FromMilliseconds(windowMs), false);
        double best = 0, waited = 0;
        for (var k = 1; k <= hardStop; k++)
        {
            waited += k > 1 ? rule.GetDelay(k - 1).TotalMilliseconds : 0;
            best = Math.Max(best, k / (waited + windowMs));
        }

        rule.SustainedAttemptsPerDay.Should().BeApproximately(best * 86_400_000, best * 86_400_000 * 1e-9);
    }

    [Fact]
    public void LockoutRule_SustainedAttemptsPerDay_PinnedValues()
    {
        var ms = TimeSpan.FromMilliseconds(1);
        new LockoutRule(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15), 100, TimeSpan.FromDays(1), false).SustainedAttemptsPerDay
            .Should().BeApproximately(52.7077, 0.0001, "100 attempts per 45.5 h: 21.5 h of delays, then the day's window");
        new LockoutRule(1, ms, ms, 2, ms, false).SustainedAttemptsPerDay.Should().Be(86_400_000, "one attempt per millisecond");
        new LockoutRule(10, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15), 11, TimeSpan.FromMinutes(15), false).SustainedAttemptsPerDay
            .Should().BeApproximately(960, 1e-9, "10 free attempts per 15 min beat 11 per 30 min");
        new LockoutRule(1, ms, ms, 2, ms, permanent: true).SustainedAttemptsPerDay.Should().Be(0, "a permanent rule allows its hard stop in all");
        LockoutRule.SafeAttemptsPerDay.Should().Be(1440);
    }

    [Fact]
    public void RateLimitRule_Ranges_AndLimitFactor()
    {
        var ms = TimeSpan.FromMilliseconds(1);
        FluentActions.Invoking(() => RateLimitRule.FixedWindow(1, RateLimitRule.MinWindow)).Should().NotThrow();
        FluentActions.Invoking(() => RateLimitRule.SlidingWindow(RateLimitRule.MaxLimit, RateLimitRule.MaxWindow)).Should().NotThrow();
        FluentActions.Invoking(() => RateLimitRule.TokenBucket(0, ms)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => RateLimitRule.TokenBucket(RateLimitRule.MaxLimit + 1, ms)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => RateLimitRule.TokenBucket(1, TimeSpan.FromTicks(9_999))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("window");
        FluentActions.Invoking(() => RateLimitRule.TokenBucket(1, RateLimitRule.MaxWindow + ms)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("window");
        FluentActions.Invoking(() => RateLimitRule.TokenBucket(1, TimeSpan.FromTicks(15_000))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("window");
        FluentActions.Invoking(() => new RateLimitRule((RateLimitAlgorithm)9, 1, ms)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("algorithm");

        var rule = RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1));
        rule.WithLimitFactor(0.5).Should().BeEquivalentTo(new { Algorithm = RateLimitAlgorithm.SlidingWindow, Limit = 5, Window = TimeSpan.FromMinutes(1) });
        rule.WithLimitFactor(1).Limit.Should().Be(10);
        rule.WithLimitFactor(0.01).Limit.Should().Be(1, "never below one permit");
        rule.WithLimitFactor(0.39).Limit.Should().Be(3, "rounded down: stricter");
        foreach (var bad in new[] { 0, -0.5, 1.0001, double.NaN, double.PositiveInfinity })
        {
            FluentActions.Invoking(() => rule.WithLimitFactor(bad)).Should().Throw<ArgumentOutOfRangeException>();
        }
    }

    [Fact]
    public void SessionRecord_ExpiresAtTheEarlierOfIdleAndAbsolute_ActiveStrictlyBefore()
    {
        var t = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        var record = new SessionRecord { Partition = "p", IdHash = "h", UserId = "u", CreatedAt = t, LastUsedAt = t, IdleTimeout = TimeSpan.FromMinutes(30), AbsoluteExpiresAt = t.AddHours(1) };
        record.ExpiresAt.Should().Be(t.AddMinutes(30));
        (record with { LastUsedAt = t.AddMinutes(45) }).ExpiresAt.Should().Be(t.AddHours(1));
        (record with { LastUsedAt = t.AddMinutes(30) }).ExpiresAt.Should().Be(t.AddHours(1), "equal: either");
        record.IsActiveAt(t.AddMinutes(30) - TimeSpan.FromTicks(1)).Should().BeTrue();
        record.IsActiveAt(t.AddMinutes(30)).Should().BeFalse();
        (record with { RevokedAt = t }).IsActiveAt(t).Should().BeFalse();
        new SessionStoreResult(SessionStoreStatus.Succeeded, 0, []).Succeeded.Should().BeTrue();
        new SessionStoreResult(SessionStoreStatus.StoreFull, 0, []).Succeeded.Should().BeFalse();
    }

    [Fact]
    public void RefreshTokenFamily_ExpiredAtEitherLimit()
    {
        var t = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        var family = new RefreshTokenFamily("f", "u", null, t, t, t.AddDays(30), TimeSpan.FromDays(7), 0, false);
        family.IdleExpiresAt.Should().Be(t.AddDays(7));
        family.IsExpired(t.AddDays(7) - TimeSpan.FromTicks(1)).Should().BeFalse();
        family.IsExpired(t.AddDays(7)).Should().BeTrue();
        (family with { LastUsedAt = t.AddDays(28) }).IsExpired(t.AddDays(30) - TimeSpan.FromTicks(1)).Should().BeFalse();
        (family with { LastUsedAt = t.AddDays(28) }).IsExpired(t.AddDays(30)).Should().BeTrue();
    }

    [Fact]
    public async Task RefreshTokenStore_ChecksEveryArgumentBeforeTheBackend()
    {
        var store = new RecordingRefreshTokenStore();
        var t = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
        var hash = new byte[RefreshTokenStore.HashSize];
        var good = new RefreshTokenFamilyCreation("fam_1-A", "user", null, hash, t, t.AddDays(1), TimeSpan.FromHours(1));
        (await store.CreateFamilyAsync(good)).Should().BeTrue();
        (await store.CreateFamilyAsync(good with { FamilyId = new string('f', RefreshTokenStore.MaxFamilyIdLength), UserId = new string('u', RefreshTokenStore.MaxUserIdLength), SessionId = new string('s', RefreshTokenStore.MaxSessionIdLength) })).Should().BeTrue();

        RefreshTokenFamilyCreation[] bad =
        [
            good with { FamilyId = "" },
            good with { FamilyId = "fam.1" },
            good with { FamilyId = new string('f', RefreshTokenStore.MaxFamilyIdLength + 1) },
            good with { UserId = "" },
            good with { UserId = new string('u', RefreshTokenStore.MaxUserIdLength + 1) },
            good with { UserId = "a\uD800" },
            good with { SessionId = new string('s', RefreshTokenStore.MaxSessionIdLength + 1) },
            good with { TokenHash = new byte[31] },
            good with { AbsoluteExpiresAt = t },
            good with { IdleTimeout = TimeSpan.Zero },
        ];
        foreach (var family in bad)
        {
            await store.Invoking(s => s.CreateFamilyAsync(family).AsTask()).Should().ThrowAsync<ArgumentException>();
        }

        var rotation = new RefreshTokenRotation("fam_1-A", hash, hash, new byte[1], t, TimeSpan.Zero);
        await store.RotateAsync(rotation);
        await store.RotateAsync(rotation with { ProtectedSuccessor = new byte[RefreshTokenStore.MaxProtectedSuccessorSize] });
        RefreshTokenRotation[] badRotations =
        [
            rotation with { FamilyId = "x y" },
            rotation with { PresentedHash = new byte[33] },
            rotation with { NewHash = Array.Empty<byte>() },
            rotation with { ProtectedSuccessor = Array.Empty<byte>() },
            rotation with { ProtectedSuccessor = new byte[RefreshTokenStore.MaxProtectedSuccessorSize + 1] },
            rotation with { GraceWindow = TimeSpan.FromTicks(-1) },
        ];
        foreach (var r in badRotations)
        {
            await store.Invoking(s => s.RotateAsync(r).AsTask()).Should().ThrowAsync<ArgumentException>();
        }

        await store.Invoking(s => s.GetFamilyAsync("bad id").AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.RevokeFamilyAsync("bad id", t).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.RevokeUserFamiliesAsync("", t).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.ListUserFamiliesAsync(new string('u', 257), t).AsTask()).Should().ThrowAsync<ArgumentException>();
        store.Calls.Should().Be(4, "only the valid calls reached the backend");
        RefreshTokenStore.IsValidFamilyId(null).Should().BeFalse();
    }

    [Fact]
    public async Task TokenVersionStore_ChecksTheUserId()
    {
        var store = new RecordingTokenVersionStore();
        (await store.GetVersionAsync(new string('u', TokenVersionStore.MaxUserIdLength))).Should().Be(7);
        (await store.IncrementVersionAsync("u")).Should().Be(8);
        await store.Invoking(s => s.GetVersionAsync(new string('u', TokenVersionStore.MaxUserIdLength + 1)).AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.IncrementVersionAsync("a\uDC00").AsTask()).Should().ThrowAsync<ArgumentException>();
        await store.Invoking(s => s.IncrementVersionAsync("").AsTask()).Should().ThrowAsync<ArgumentException>();
        store.Calls.Should().Be(2);
    }

    private sealed class RecordingRefreshTokenStore : RefreshTokenStore
    {
        public int Calls { get; private set; }

        protected override ValueTask<bool> CreateFamilyCoreAsync(RefreshTokenFamilyCreation family, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(true);
        }

        protected override ValueTask<RefreshTokenRotationResult> RotateCoreAsync(RefreshTokenRotation rotation, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(default(RefreshTokenRotationResult));
        }

        protected override ValueTask<RefreshTokenFamily?> GetFamilyCoreAsync(string familyId, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override ValueTask<bool> RevokeFamilyCoreAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override ValueTask<int> RevokeUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

        protected override ValueTask<IReadOnlyList<RefreshTokenFamily>> ListUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class RecordingTokenVersionStore : TokenVersionStore
    {
        public int Calls { get; private set; }

        protected override ValueTask<long> GetVersionCoreAsync(string userId, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(7L);
        }

        protected override ValueTask<long> IncrementVersionCoreAsync(string userId, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(8L);
        }
    }
}
