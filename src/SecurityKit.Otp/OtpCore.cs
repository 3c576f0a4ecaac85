/*
 * HOTP (RFC 4226 §5.3) and TOTP (RFC 6238 §4) on the one-shot HMAC APIs.
 *
 *   HOTP(K, C) = Truncate(HMAC(K, C)) mod 10^digits
 *     C        = the 8-byte big-endian counter (TOTP: floor(unix seconds / period))
 *     Truncate = offset = low 4 bits of the LAST MAC byte (20, 32 or 64 bytes);
 *                the 31 low bits of the big-endian 4 bytes at MAC[offset..offset+4]
 *
 * Everything lives on the stack (an 8-byte message, a 64-byte MAC buffer), so computing and
 * verifying allocate nothing. Otp.NET (the reference peer in the tests and benchmarks) allocates a
 * byte[] per MAC and a string per code.
 */
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecurityKit.Otp;

internal static class OtpCore
{
    internal const int MinDigits = 6;
    internal const int MaxDigits = 8;
    internal const int MaxSecretLength = 128;

    /// <summary>Longest code input considered (digits plus spaces a person may type), to bound the work.</summary>
    internal const int MaxCodeInputLength = 32;

    private static ReadOnlySpan<int> Pow10 => [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

    internal static int Compute(ReadOnlySpan<byte> secret, long counter, OtpAlgorithm algorithm, int digits)
    {
        Span<byte> message = stackalloc byte[8];
        Span<byte> mac = stackalloc byte[64];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);
        var length = algorithm switch
        {
            OtpAlgorithm.Sha256 => HMACSHA256.HashData(secret, message, mac),
            OtpAlgorithm.Sha512 => HMACSHA512.HashData(secret, message, mac),
#pragma warning disable CA5350 // RFC 4226/6238 define HOTP/TOTP on HMAC-SHA-1; HMAC-SHA-1 is not broken by SHA-1 collisions (RFC 4226 Appendix A.1).
            _ => HMACSHA1.HashData(secret, message, mac),
#pragma warning restore CA5350
        };
        var offset = mac[length - 1] & 0x0F;
        var binary = BinaryPrimitives.ReadInt32BigEndian(mac.Slice(offset, 4)) & 0x7FFF_FFFF;
        CryptographicOperations.ZeroMemory(mac);
        return binary % Pow10[digits];
    }

    /// <summary>Parses a code: exactly <paramref name="digits"/> ASCII digits, ASCII spaces ignored.</summary>
    internal static bool TryParseCode(ReadOnlySpan<char> code, int digits, out int value)
    {
        value = 0;
        if (code.IsEmpty || code.Length > MaxCodeInputLength)
        {
            return false;
        }

        var count = 0;
        foreach (var c in code)
        {
            if (c == ' ')
            {
                continue;
            }

            if (!char.IsAsciiDigit(c) || ++count > digits)
            {
                value = 0;
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        if (count != digits)
        {
            value = 0;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Computes the codes of every counter in [<paramref name="first"/>, <paramref name="last"/>] and
    /// reports the highest that equals <paramref name="code"/>. The loop never exits early and compares
    /// without branching, so the time does not depend on which counter matched.
    /// </summary>
    internal static bool TryMatch(ReadOnlySpan<byte> secret, int code, long first, long last, OtpAlgorithm algorithm, int digits, out long matched)
    {
        long found = -1;
        var any = 0;
        first = Math.Max(first, 0);

        // Counted from first, never "counter <= last; counter++": with last = long.MaxValue that condition never
        // turns false (the counter wraps), and a verification would never end.
        for (long i = 0, count = last - first; i <= count; i++)
        {
            var counter = first + i;
            var candidate = Compute(secret, counter, algorithm, digits);

            // (x - 1) >>> 31 is 1 exactly when x == 0, for 0 <= x < 2^31.
            var equal = ((candidate ^ code) - 1) >>> 31;
            var mask = -(long)equal;
            found = (found & ~mask) | (counter & mask);
            any |= equal;
        }

        matched = found;
        return any != 0;
    }

    /// <summary><paramref name="value"/> (≥ 0) + <paramref name="add"/>, at most <see cref="long.MaxValue"/> (a negative
    /// <paramref name="add"/> just subtracts: an empty range for the loops, never a wrap).</summary>
    internal static long SaturatingAdd(long value, long add) => add > 0 && value > long.MaxValue - add ? long.MaxValue : value + add;

    internal static string Format(int value, int digits) =>
        value.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');

    internal static void ValidateParameters(ReadOnlySpan<byte> secret, OtpAlgorithm algorithm, int digits)
    {
        if (secret.IsEmpty || secret.Length > MaxSecretLength)
        {
            throw new ArgumentException($"The secret must be 1 to {MaxSecretLength} bytes.", nameof(secret));
        }

        if (algorithm is not (OtpAlgorithm.Sha1 or OtpAlgorithm.Sha256 or OtpAlgorithm.Sha512))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown OTP algorithm.");
        }

        if (digits is < MinDigits or > MaxDigits)
        {
            throw new ArgumentOutOfRangeException(nameof(digits), digits, $"Digits must be {MinDigits} to {MaxDigits}.");
        }
    }

    internal static int DefaultSecretLength(OtpAlgorithm algorithm) => algorithm switch
    {
        OtpAlgorithm.Sha256 => 32,
        OtpAlgorithm.Sha512 => 64,
        _ => 20,
    };

    internal static string AlgorithmName(OtpAlgorithm algorithm) => algorithm switch
    {
        OtpAlgorithm.Sha256 => "SHA256",
        OtpAlgorithm.Sha512 => "SHA512",
        _ => "SHA1",
    };
}
