using SecurityKit.Passwords.Argon2;

namespace SecurityKit.Passwords;

/// <summary>A set of Argon2id costs.</summary>
/// <param name="MemoryKiB">Memory m in KiB.</param>
/// <param name="Iterations">Passes t.</param>
/// <param name="Parallelism">Lanes p.</param>
public readonly record struct Argon2idParameters(int MemoryKiB, int Iterations, int Parallelism)
{
    /// <summary>Copies these costs into <paramref name="options"/>.</summary>
    /// <param name="options">The options to update.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public void ApplyTo(PasswordHasherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Argon2MemoryKiB = MemoryKiB;
        options.Argon2Iterations = Iterations;
        options.Argon2Parallelism = Parallelism;

        // Verification caps must admit the hashes these parameters produce.
        options.MaxVerificationIterations = Math.Max(options.MaxVerificationIterations, Iterations);
        options.MaxVerificationMemoryKiB = Math.Max(options.MaxVerificationMemoryKiB, MemoryKiB);
    }
}

/// <summary>
/// Picks the number of Argon2id passes t that takes about a target duration on the current machine,
/// for a memory cost you choose (memory is the stronger defence; fix it first, then spend time on t).
/// </summary>
/// <remarks>
/// <para>It measures t = 1 and t = 2 (best of <c>samples</c> runs each), splits the time into a fixed part
/// (allocation) and a per-pass part (at least half of the t = 1 time, so noise cannot make a pass look free), and
/// picks the largest t whose predicted time fits the target, never below OWASP's floor for that memory. It then times
/// that t once (best of <c>samples</c>) and, if it took longer than the target, scales t down in proportion. Run it once at deployment or in a tool, not per request:
/// it hashes several times. Measurements are injectable so it can be tested.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class Argon2idCalibrator
{
    private readonly Func<Argon2idParameters, TimeSpan> _measure;

    /// <summary>Initializes a calibrator that times real Argon2id hashes with <paramref name="timeProvider"/>.</summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public Argon2idCalibrator(TimeProvider? timeProvider = null)
    {
        var clock = timeProvider ?? TimeProvider.System;
        _measure = parameters => MeasureHash(clock, parameters);
    }

    /// <summary>Initializes a calibrator with a custom measurement (tests, or timing the full hasher).</summary>
    /// <param name="measure">Returns how long one hash with the given parameters takes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="measure"/> is <see langword="null"/>.</exception>
    public Argon2idCalibrator(Func<Argon2idParameters, TimeSpan> measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        _measure = measure;
    }

    /// <summary>Returns Argon2id parameters whose hash takes about <paramref name="target"/>.</summary>
    /// <param name="target">The target duration of one hash, 10 ms to 10 s (OWASP suggests well under 1 s for logins).</param>
    /// <param name="memoryKiB">The memory cost to keep, at least 7168 KiB (OWASP's smallest).</param>
    /// <param name="parallelism">The lanes, 1 to 16.</param>
    /// <param name="samples">Runs per measurement, 1 to 10; the fastest counts.</param>
    /// <returns>The parameters: <paramref name="memoryKiB"/>, the chosen t (at least OWASP's floor for that memory, at most 64), and <paramref name="parallelism"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public Argon2idParameters Calibrate(TimeSpan target, int memoryKiB = 19456, int parallelism = 1, int samples = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(target, TimeSpan.FromMilliseconds(10));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(target, TimeSpan.FromSeconds(10));
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryKiB, 7168);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(memoryKiB, 4194304);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parallelism, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(samples, 10);

        var one = Fastest(new Argon2idParameters(memoryKiB, 1, parallelism), samples);
        var two = Fastest(new Argon2idParameters(memoryKiB, 2, parallelism), samples);
        // A pass costs at least half of the whole t = 1 hash (allocation, H0 and the final hash are far cheaper than one
        // pass over memory). Without this floor a noisy pair (t = 2 no slower than t = 1) made the per-pass time one tick
        // and the result jumped to 64 passes (found in review).
        var perPass = Math.Max((two - one).Ticks, Math.Max(one.Ticks / 2, 1));
        var fixedPart = Math.Max(one.Ticks - perPass, 0);
        var passes = (target.Ticks - fixedPart) / perPass;

        var floor = 1;
        while (!PasswordHasherOptionsValidator.MeetsOwaspFloor(memoryKiB, floor))
        {
            floor++;
        }

        var t = (int)Math.Clamp(passes, floor, Argon2idPhc.MaxIterations);
        if (t > floor)
        {
            // Check the prediction once: if the chosen t takes longer than the target, scale it down in proportion.
            var measured = Fastest(new Argon2idParameters(memoryKiB, t, parallelism), samples);
            if (measured > target)
            {
                t = (int)Math.Clamp(t * target.Ticks / measured.Ticks, floor, t);
            }
        }

        return new Argon2idParameters(memoryKiB, t, parallelism);
    }

    private TimeSpan Fastest(Argon2idParameters parameters, int samples)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < samples; i++)
        {
            var elapsed = _measure(parameters);
            if (elapsed < best)
            {
                best = elapsed;
            }
        }

        return best;
    }

    private static TimeSpan MeasureHash(TimeProvider clock, Argon2idParameters parameters)
    {
        Span<byte> salt = stackalloc byte[16];
        Span<byte> output = stackalloc byte[32];
        System.Security.Cryptography.RandomNumberGenerator.Fill(salt);
        var start = clock.GetTimestamp();
        Argon2Engine.Hash("calibration-password"u8, salt, default, default, parameters.MemoryKiB, parameters.Iterations, parameters.Parallelism, output);
        return clock.GetElapsedTime(start);
    }
}
