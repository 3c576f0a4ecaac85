namespace SecurityKit.Otp;

/// <summary>Stateless HOTP (RFC 4226) code computation and comparison; allocation-free except for the string returned by <see cref="ComputeCode"/>.</summary>
/// <remarks>
/// <para><b>Security:</b> these methods keep no state, so they cannot stop a code from being used twice
/// or a counter from going backwards. Sign-in flows should use <see cref="HotpService"/>, which adds the
/// replay guard, look-ahead bookkeeping and failure limits.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public static class Hotp
{
    /// <summary>Computes the code for <paramref name="counter"/>.</summary>
    /// <param name="secret">The shared secret, 1 to 128 bytes.</param>
    /// <param name="counter">The counter, ≥ 0.</param>
    /// <param name="algorithm">The HMAC hash function.</param>
    /// <param name="digits">The code length, 6 to 8.</param>
    /// <returns>The code, left-padded with zeros.</returns>
    /// <exception cref="ArgumentException">The secret is empty or longer than 128 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The counter is negative, or the algorithm or digits are out of range.</exception>
    public static string ComputeCode(ReadOnlySpan<byte> secret, long counter, OtpAlgorithm algorithm = OtpAlgorithm.Sha1, int digits = 6)
    {
        OtpCore.ValidateParameters(secret, algorithm, digits);
        ArgumentOutOfRangeException.ThrowIfNegative(counter);
        return OtpCore.Format(OtpCore.Compute(secret, counter, algorithm, digits), digits);
    }

    /// <summary>
    /// Checks <paramref name="code"/> against the counters <paramref name="counter"/> to
    /// <paramref name="counter"/> + <paramref name="lookAhead"/>, in time that does not depend on which matched.
    /// </summary>
    /// <param name="secret">The shared secret, 1 to 128 bytes.</param>
    /// <param name="code">The code presented: exactly <paramref name="digits"/> ASCII digits (spaces ignored, at most 32 characters).</param>
    /// <param name="counter">The first counter to try, ≥ 0.</param>
    /// <param name="lookAhead">How many further counters to try, 0 to 1000.</param>
    /// <param name="matchedCounter">The highest counter whose code matched, or -1.</param>
    /// <param name="algorithm">The HMAC hash function.</param>
    /// <param name="digits">The code length, 6 to 8.</param>
    /// <returns><see langword="true"/> when a counter matched; malformed codes give <see langword="false"/>.</returns>
    /// <exception cref="ArgumentException">The secret is empty or longer than 128 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An argument other than the code is out of range.</exception>
    public static bool VerifyCode(ReadOnlySpan<byte> secret, ReadOnlySpan<char> code, long counter, int lookAhead, out long matchedCounter, OtpAlgorithm algorithm = OtpAlgorithm.Sha1, int digits = 6)
    {
        OtpCore.ValidateParameters(secret, algorithm, digits);
        ArgumentOutOfRangeException.ThrowIfNegative(counter);
        ArgumentOutOfRangeException.ThrowIfNegative(lookAhead);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lookAhead, 1000);
        matchedCounter = -1;
        if (!OtpCore.TryParseCode(code, digits, out var value))
        {
            return false;
        }

        var last = OtpCore.SaturatingAdd(counter, lookAhead);
        return OtpCore.TryMatch(secret, value, counter, last, algorithm, digits, out matchedCounter);
    }
}
