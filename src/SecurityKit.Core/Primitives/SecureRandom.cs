using System.Security.Cryptography;

namespace SecurityKit.Primitives;

/// <summary>
/// Cryptographically secure random values, all drawn from <see cref="RandomNumberGenerator"/>.
/// </summary>
/// <remarks>
/// Character selection is unbiased (rejection sampling inside <see cref="RandomNumberGenerator.GetItems{T}(ReadOnlySpan{T}, Span{T})"/>).
/// This type is thread-safe.
/// </remarks>
public static class SecureRandom
{
    /// <summary>Unambiguous upper-case letters and digits (no 0/O, 1/I/L, U): Crockford-style base32.</summary>
    public const string UnambiguousAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>The largest string or byte count this type produces in one call (1 MiB).</summary>
    public const int MaxLength = 1 << 20;

    /// <summary>Returns <paramref name="count"/> random bytes.</summary>
    /// <param name="count">How many bytes, 0 to <see cref="MaxLength"/>.</param>
    /// <returns>A new array of random bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or above <see cref="MaxLength"/>.</exception>
    public static byte[] GetBytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxLength);
        return RandomNumberGenerator.GetBytes(count);
    }

    /// <summary>Returns a random string of <paramref name="length"/> characters drawn uniformly from <paramref name="alphabet"/>.</summary>
    /// <param name="alphabet">The characters to choose from: 2 to 256 distinct characters.</param>
    /// <param name="length">How many characters, 0 to <see cref="MaxLength"/>.</param>
    /// <returns>The random string.</returns>
    /// <exception cref="ArgumentException"><paramref name="alphabet"/> has fewer than two or repeated characters.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is out of range.</exception>
    public static string GetString(ReadOnlySpan<char> alphabet, int length)
    {
        ValidateAlphabet(alphabet);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);
        return RandomNumberGenerator.GetString(alphabet, length);
    }

    /// <summary>Fills <paramref name="destination"/> with characters drawn uniformly from <paramref name="alphabet"/>.</summary>
    /// <param name="alphabet">The characters to choose from: 2 to 256 distinct characters.</param>
    /// <param name="destination">The span to fill.</param>
    /// <exception cref="ArgumentException"><paramref name="alphabet"/> has fewer than two or repeated characters.</exception>
    public static void Fill(ReadOnlySpan<char> alphabet, Span<char> destination)
    {
        ValidateAlphabet(alphabet);
        RandomNumberGenerator.GetItems(alphabet, destination);
    }

    /// <summary>Returns a random token of <paramref name="byteCount"/> random bytes, base64url-encoded.</summary>
    /// <param name="byteCount">The entropy in bytes (default 32 = 256 bits), 16 to 1024.</param>
    /// <returns>The unpadded base64url token.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="byteCount"/> is out of range.</exception>
    public static string GetToken(int byteCount = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(byteCount, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(byteCount, 1024);
        Span<byte> buffer = stackalloc byte[byteCount];
        try
        {
            RandomNumberGenerator.Fill(buffer);
            return Base64Url.Encode(buffer);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>Returns a uniformly random integer in [<paramref name="fromInclusive"/>, <paramref name="toExclusive"/>).</summary>
    /// <param name="fromInclusive">The lower bound.</param>
    /// <param name="toExclusive">The upper bound (exclusive).</param>
    /// <returns>The random integer.</returns>
    public static int GetInt32(int fromInclusive, int toExclusive) => RandomNumberGenerator.GetInt32(fromInclusive, toExclusive);

    private static void ValidateAlphabet(ReadOnlySpan<char> alphabet)
    {
        if (alphabet.Length < 2 || alphabet.Length > 256)
        {
            throw new ArgumentException("The alphabet must have between 2 and 256 characters.", nameof(alphabet));
        }

        // Sorted copy (at most 512 bytes of stack), then neighbours compared: a repeat sits next to its twin.
        Span<char> sorted = stackalloc char[256];
        sorted = sorted[..alphabet.Length];
        alphabet.CopyTo(sorted);
        sorted.Sort();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                throw new ArgumentException("The alphabet must not repeat a character: a repeated character biases the output.", nameof(alphabet));
            }
        }
    }
}
