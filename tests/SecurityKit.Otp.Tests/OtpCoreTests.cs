using CsCheck;

namespace SecurityKit.Otp.Tests;

public sealed class OtpCoreTests
{
    private static readonly byte[] Secret = Convert.FromHexString("3132333435363738393031323334353637383930");

    [Theory]
    [InlineData(long.MaxValue, 0)]
    [InlineData(long.MaxValue, 10)]
    [InlineData(long.MaxValue - 3, 10)]
    public async Task VerifyCode_CounterAtTheEndOfTheRange_EndsWithoutWrapping(long counter, int lookAhead)
    {
        // "for (c = first; c <= long.MaxValue; c++)" never ends (c wraps): a counter from an imported otpauth URI
        // (counter up to long.MaxValue) must not pin a thread.
        var code = Hotp.ComputeCode(Secret, long.MaxValue);
        var verify = Task.Run(() => (Hotp.VerifyCode(Secret, code, counter, lookAhead, out var matched), matched));

        (await verify.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be((true, long.MaxValue), "the verification must end");
        Hotp.VerifyCode(Secret, Hotp.ComputeCode(Secret, 5), counter, lookAhead, out _).Should().BeFalse("no wrap to low counters");
    }

    [Fact]
    public void SaturatingAdd_StopsAtTheTop_AndANegativeAddEmptiesTheRange()
    {
        OtpCore.SaturatingAdd(long.MaxValue - 1, 5).Should().Be(long.MaxValue);
        OtpCore.SaturatingAdd(long.MaxValue, 0).Should().Be(long.MaxValue);
        OtpCore.SaturatingAdd(5, 10).Should().Be(15);
        OtpCore.SaturatingAdd(long.MaxValue, -1).Should().Be(long.MaxValue - 1, "a negative look-ahead (options changed after start) must not wrap to a huge range");
        OtpCore.TryMatch(Secret, 0, 10, 9, OtpAlgorithm.Sha1, 6, out var matched).Should().BeFalse("last < first is an empty range");
        matched.Should().Be(-1);
    }

    [Fact]
    public void ComputeCode_RandomSecretsAndCounters_MatchOtpNetOracle()
    {
        Gen.Select(Gen.Byte.Array[16, 64], Gen.Long[0, long.MaxValue / 2], Gen.Int[0, 2], Gen.Int[6, 8]).Sample((secret, counter, alg, digits) =>
        {
            var mode = (OtpNet.OtpHashMode)alg;
            var expected = new OtpNet.Hotp(secret, mode, digits).ComputeHOTP(counter);
            Hotp.ComputeCode(secret, counter, (OtpAlgorithm)alg, digits).Should().Be(expected);
        }, iter: 300);
    }

    [Fact]
    public void VerifyCode_OtpNetTotpAtRandomTimes_Accepted()
    {
        Gen.Select(Gen.Byte.Array[20, 20], Gen.Long[0, 4_000_000_000]).Sample((secret, seconds) =>
        {
            var time = DateTimeOffset.FromUnixTimeSeconds(seconds);
            var code = new OtpNet.Totp(secret).ComputeTotp(time.UtcDateTime);
            Totp.VerifyCode(secret, code, time, 0, 0, out var step).Should().BeTrue();
            step.Should().Be(seconds / 30);
        }, iter: 200);
    }

    [Fact]
    public void VerifyCode_WindowEdges_OneBehindAcceptedTwoBehindRejectedAheadRejected()
    {
        var t0 = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 - (1_800_000_000 % 30));
        var previous = Totp.ComputeCode(Secret, t0.AddSeconds(-1));
        var twoBack = Totp.ComputeCode(Secret, t0.AddSeconds(-31));
        var next = Totp.ComputeCode(Secret, t0.AddSeconds(30));

        Totp.VerifyCode(Secret, previous, t0, 1, 0, out var step).Should().BeTrue();
        step.Should().Be(Totp.GetTimeStep(t0) - 1);
        Totp.VerifyCode(Secret, previous, t0.AddSeconds(29), 1, 0, out _).Should().BeTrue();
        Totp.VerifyCode(Secret, previous, t0.AddSeconds(30), 1, 0, out _).Should().BeFalse();
        Totp.VerifyCode(Secret, twoBack, t0, 1, 0, out _).Should().BeFalse();
        Totp.VerifyCode(Secret, next, t0, 1, 0, out _).Should().BeFalse();
        Totp.VerifyCode(Secret, next, t0, 1, 1, out var ahead).Should().BeTrue();
        ahead.Should().Be(Totp.GetTimeStep(t0) + 1);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12345a")]
    [InlineData("+12345")]
    [InlineData("-12345")]
    [InlineData("１２３４５６")]
    [InlineData("123\u0000456")]
    [InlineData("   ")]
    public void VerifyCode_MalformedCode_FalseWithoutException(string? code)
    {
        Totp.VerifyCode(Secret, code, DateTimeOffset.FromUnixTimeSeconds(59), 1, 1, out var step).Should().BeFalse();
        step.Should().Be(-1);
        Hotp.VerifyCode(Secret, code, 0, 10, out var counter).Should().BeFalse();
        counter.Should().Be(-1);
    }

    [Fact]
    public void TryParseCode_SpacesAccepted_UpToTheInputLengthCap_NotOneCharacterMore()
    {
        // Spaces are ignored ("123 456"), but the input is bounded before the digits are counted: 32 characters parse,
        // 33 do not, even when the digits alone are a valid code.
        OtpCore.TryParseCode("123456".PadLeft(OtpCore.MaxCodeInputLength), 6, out var value).Should().BeTrue();
        value.Should().Be(123456);
        OtpCore.TryParseCode("123456".PadLeft(OtpCore.MaxCodeInputLength + 1), 6, out _).Should().BeFalse();
        OtpCore.TryParseCode("123 456", 6, out value).Should().BeTrue();
        value.Should().Be(123456);
    }

    [Fact]
    public void VerifyCode_HugeInput_FalseQuickly()
    {
        var huge = new string('1', 10_000_000);
        Totp.VerifyCode(Secret, huge, DateTimeOffset.FromUnixTimeSeconds(59), 1, 0, out _).Should().BeFalse();
    }

    [Fact]
    public void VerifyCode_SpacesInsideCode_Accepted()
    {
        var code = Hotp.ComputeCode(Secret, 5);
        Hotp.VerifyCode(Secret, code[..3] + " " + code[3..], 5, 0, out var counter).Should().BeTrue();
        counter.Should().Be(5);
    }

    [Fact]
    public void VerifyCode_RandomStrings_NeverThrow()
    {
        Gen.String.Sample(s =>
        {
            Totp.VerifyCode(Secret, s, DateTimeOffset.FromUnixTimeSeconds(1_000_000), 1, 1, out _);
            Hotp.VerifyCode(Secret, s, 0, 5, out _);
        }, iter: 500);
    }

    [Fact]
    public void Verify_AllocatesNothing()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var code = Totp.ComputeCode(Secret, now.AddSeconds(-30));
        Totp.VerifyCode(Secret, code, now, 1, 1, out _);
        var matches = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            matches += Totp.VerifyCode(Secret, code, now, 1, 1, out _) ? 1 : 0;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        matches.Should().Be(100);
        allocated.Should().Be(0);
    }

    [Fact]
    public void ComputeCode_BadParameters_Throw()
    {
        FluentActions.Invoking(() => Hotp.ComputeCode([], 0)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Hotp.ComputeCode(Secret, -1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Hotp.ComputeCode(Secret, 0, digits: 5)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Hotp.ComputeCode(Secret, 0, digits: 9)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Hotp.ComputeCode(Secret, 0, (OtpAlgorithm)7)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Totp.ComputeCode(Secret, DateTimeOffset.FromUnixTimeSeconds(-100))).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Totp.VerifyCode(Secret, "123456", DateTimeOffset.UnixEpoch, 11, 0, out _)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void GetTimeStep_BeforeEpoch_Floors()
    {
        Totp.GetTimeStep(DateTimeOffset.FromUnixTimeSeconds(-1)).Should().Be(-1);
        Totp.GetTimeStep(DateTimeOffset.FromUnixTimeSeconds(29)).Should().Be(0);
        Totp.GetTimeStep(DateTimeOffset.FromUnixTimeSeconds(30)).Should().Be(1);
        Totp.GetStepStart(2).Should().Be(DateTimeOffset.FromUnixTimeSeconds(60));
    }

    [Fact]
    public void GetStepStart_StepThatWouldWrap_Throws()
    {
        // 614891469123651721 × 30 wraps a long to 14: it came out as 1970-01-01T00:00:14.
        FluentActions.Invoking(() => Totp.GetStepStart(614891469123651721, 30)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Totp.GetStepStart(-1)).Should().Throw<ArgumentOutOfRangeException>();
        var last = DateTimeOffset.MaxValue.ToUnixTimeSeconds() / 30;
        Totp.GetStepStart(last).Should().Be(DateTimeOffset.FromUnixTimeSeconds(last * 30));
    }
}
