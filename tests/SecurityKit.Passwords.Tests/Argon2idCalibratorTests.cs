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
        calls.Should().HaveCount(4).And.OnlyContain(p => p.MemoryKiB == 19456 && p.Parallelism == 1);
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
        var noise = new Queue<double>([50, 10, 70, 20]); // t=1: 50,10 → 10; t=2: 70,20 → 20
        var calibrator = new Argon2idCalibrator(_ => TimeSpan.FromMilliseconds(noise.Dequeue()));
        calibrator.Calibrate(TimeSpan.FromMilliseconds(100), samples: 2).Iterations.Should().Be(10);
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
