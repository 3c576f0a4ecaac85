namespace SecurityKit.Otp;

/// <summary>Stateless TOTP (RFC 6238) code computation and comparison; verification allocates nothing.</summary>
/// <remarks>
/// <para><b>Security:</b> these methods keep no state, so a code stays valid for its whole window and can
/// be replayed. Sign-in flows should use <see cref="TotpService"/>, which adds the replay guard required by
/// RFC 6238 §5.2 and failure limits.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public static class Totp
{
    /// <summary>The default time step, in seconds (RFC 6238 §5.2).</summary>
    public const int DefaultPeriodSeconds = 30;

    /// <summary>Gets the time step of <paramref name="time"/>: floor(Unix seconds / period).</summary>
    /// <param name="time">The time.</param>
    /// <param name="periodSeconds">The period, 1 to 3600 seconds.</param>
    /// <returns>The time step; negative before the Unix epoch.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="periodSeconds"/> is out of range.</exception>
    public static long GetTimeStep(DateTimeOffset time, int periodSeconds = DefaultPeriodSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(periodSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(periodSeconds, 3600);
        return Math.DivRem(time.ToUnixTimeSeconds(), periodSeconds, out var rem) - (rem < 0 ? 1 : 0);
    }

    /// <summary>Gets the start time of a time step.</summary>
    /// <param name="timeStep">The time step.</param>
    /// <param name="periodSeconds">The period, 1 to 3600 seconds.</param>
    /// <returns>The first instant of the step.</returns>
    public static DateTimeOffset GetStepStart(long timeStep, int periodSeconds = DefaultPeriodSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(periodSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(periodSeconds, 3600);
        ArgumentOutOfRangeException.ThrowIfNegative(timeStep);
        // Past year 9999 FromUnixTimeSeconds throws; a step so large that step × period wraps must not come out as 1970.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeStep, DateTimeOffset.MaxValue.ToUnixTimeSeconds() / periodSeconds);
        return DateTimeOffset.FromUnixTimeSeconds(timeStep * periodSeconds);
    }

    /// <summary>Computes the code valid at <paramref name="time"/>.</summary>
    /// <param name="secret">The shared secret, 1 to 128 bytes.</param>
    /// <param name="time">The time, at or after the Unix epoch.</param>
    /// <param name="algorithm">The HMAC hash function.</param>
    /// <param name="digits">The code length, 6 to 8.</param>
    /// <param name="periodSeconds">The period, 1 to 3600 seconds.</param>
    /// <returns>The code, left-padded with zeros.</returns>
    /// <exception cref="ArgumentException">The secret is empty or longer than 128 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The time is before the epoch, or a parameter is out of range.</exception>
    public static string ComputeCode(ReadOnlySpan<byte> secret, DateTimeOffset time, OtpAlgorithm algorithm = OtpAlgorithm.Sha1, int digits = 6, int periodSeconds = DefaultPeriodSeconds)
    {
        var step = GetTimeStep(time, periodSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(step, nameof(time));
        return Hotp.ComputeCode(secret, step, algorithm, digits);
    }

    /// <summary>
    /// Checks <paramref name="code"/> against the steps from <paramref name="stepsBehind"/> before to
    /// <paramref name="stepsAhead"/> after the step of <paramref name="time"/>, computing every step so the
    /// time taken does not reveal which one matched.
    /// </summary>
    /// <param name="secret">The shared secret, 1 to 128 bytes.</param>
    /// <param name="code">The code presented: exactly <paramref name="digits"/> ASCII digits (spaces ignored, at most 32 characters).</param>
    /// <param name="time">The verification time.</param>
    /// <param name="stepsBehind">Earlier steps accepted (clock drift, slow typing), 0 to 10.</param>
    /// <param name="stepsAhead">Later steps accepted, 0 to 10.</param>
    /// <param name="matchedStep">The highest matching step, or -1.</param>
    /// <param name="algorithm">The HMAC hash function.</param>
    /// <param name="digits">The code length, 6 to 8.</param>
    /// <param name="periodSeconds">The period, 1 to 3600 seconds.</param>
    /// <returns><see langword="true"/> when a step matched; malformed codes give <see langword="false"/>.</returns>
    /// <exception cref="ArgumentException">The secret is empty or longer than 128 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A parameter other than the code is out of range.</exception>
    public static bool VerifyCode(ReadOnlySpan<byte> secret, ReadOnlySpan<char> code, DateTimeOffset time, int stepsBehind, int stepsAhead, out long matchedStep, OtpAlgorithm algorithm = OtpAlgorithm.Sha1, int digits = 6, int periodSeconds = DefaultPeriodSeconds)
    {
        OtpCore.ValidateParameters(secret, algorithm, digits);
        ArgumentOutOfRangeException.ThrowIfNegative(stepsBehind);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stepsBehind, 10);
        ArgumentOutOfRangeException.ThrowIfNegative(stepsAhead);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(stepsAhead, 10);
        var step = GetTimeStep(time, periodSeconds);
        matchedStep = -1;
        if (!OtpCore.TryParseCode(code, digits, out var value))
        {
            return false;
        }

        return OtpCore.TryMatch(secret, value, step - stepsBehind, step + stepsAhead, algorithm, digits, out matchedStep);
    }
}
