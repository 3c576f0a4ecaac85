namespace SecurityKit.Passwords.Tests;

public class Argon2idCalibratorTests
{
    private static Func<Argon2idParameters, TimeSpan> Model(double fixedMs, double perPassMs, List<Argon2idParameters>? calls = null) =>
        p =>
        {
            calls?.Add(p);
            return TimeSpan.FromMilliseconds(fixedMs + (perPassMs * p.Iterations));
        };

    [Theory]
    [InlineData(2, 10, 100, 9)]
    [InlineData(0, 25, 250, 10)]
    [InlineData(5, 20, 64, 2)]
    [InlineData(1, 1, 10_000, 64)]
    public void Calibrate_ModelledMachine_PicksLargestFittingPasses(double fixedMs, double perPassMs, int targetMs, int expected)
    {
        var calls = new List<Argon2idParameters>();
        var calibrator = new Argon2idCalibrator(Model(fixedMs, perPassMs, calls));
        var result = calibrator.Calibrate(TimeSpan.FromMilliseconds(targetMs), memoryKiB: 19456, parallelism: 1, samples: 2);
        result.Should().Be(new Argon2idParameters(19456, expected, 1));
        // t = 1 and t = 2 twice each, then the chosen t twice (the check of the prediction) unless it is the OWASP floor.
        calls.Should().HaveCount(expected > 2 ? 6 : 4).And.OnlyContain(p => p.MemoryKiB == 19456 && p.Parallelism == 1);
        calls.Skip(4).Count(p => p.Iterations != expected).Should().Be(0);
    }

    [Theory]
    [InlineData(47104, 1)]
    [InlineData(19456, 2)]
    [InlineData(12288, 3)]
    [InlineData(9216, 4)]
    [InlineData(7168, 5)]
    public void Calibrate_SlowMachine_NeverBelowOwaspFloor(int memoryKiB, int floor)
    {
        var calibrator = new Argon2idCalibrator(Model(0, 500));
        calibrator.Calibrate(TimeSpan.FromMilliseconds(10), memoryKiB).Iterations.Should().Be(floor);
    }

    [Fact]
    public void Calibrate_NoisyMeasurements_UsesFastestSample()
    {
        var noise = new Queue<double>([50, 10, 70, 20, 130, 100]); // t=1: 50,10 → 10; t=2: 70,20 → 20; t=10: 130,100 → 100
        var calibrator = new Argon2idCalibrator(_ => TimeSpan.FromMilliseconds(noise.Dequeue()));
        calibrator.Calibrate(TimeSpan.FromMilliseconds(100), samples: 2).Iterations.Should().Be(10);
        noise.Should().BeEmpty();
    }

    [Fact]
    public void Calibrate_TwoPassesNoSlowerThanOne_DoesNotJumpToTheCeiling()
    {
        // A machine at 20 ms a pass, measured badly: t=2 came out faster than t=1. The per-pass time used to be one tick,
        // so t was clamped to 64 (about 1.3 s a login instead of 200 ms).
        var calibrator = new Argon2idCalibrator(p => TimeSpan.FromMilliseconds(p.Iterations switch { 1 => 20, 2 => 19, _ => 20 * p.Iterations }));
        calibrator.Calibrate(TimeSpan.FromMilliseconds(200)).Iterations.Should().Be(10);
    }

    [Fact]
    public void Calibrate_PredictionTooHigh_IsScaledDownByTheCheck()
    {
        // t=1 and t=2 suggest 10 ms a pass, but longer runs take 25 ms a pass (e.g. the memory no longer in cache): the
        // prediction (t = 20 for 200 ms) takes 500 ms, so t is scaled down to 8.
        var calibrator = new Argon2idCalibrator(p => TimeSpan.FromMilliseconds(p.Iterations <= 2 ? 10 * p.Iterations : 25 * p.Iterations));
        calibrator.Calibrate(TimeSpan.FromMilliseconds(200)).Iterations.Should().Be(8);
    }

    [Fact]
    public void Calibrate_OutOfRangeArguments_Throw()
    {
        var calibrator = new Argon2idCalibrator(Model(0, 1));
        ((Action)(() => calibrator.Calibrate(TimeSpan.FromMilliseconds(1)))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => calibrator.Calibrate(TimeSpan.FromSeconds(1), memoryKiB: 4096))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => calibrator.Calibrate(TimeSpan.FromSeconds(1), parallelism: 0))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => calibrator.Calibrate(TimeSpan.FromSeconds(1), samples: 0))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Calibrate_RealMachine_ReturnsUsableOptions()
    {
        var result = new Argon2idCalibrator().Calibrate(TimeSpan.FromMilliseconds(30), memoryKiB: 7168, samples: 1);
        result.Iterations.Should().BeInRange(5, 64);
        var options = new PasswordHasherOptions();
        result.ApplyTo(options);
        new PasswordHasherOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
    }
}
