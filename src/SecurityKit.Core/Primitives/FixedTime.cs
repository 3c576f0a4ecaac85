using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace SecurityKit.Primitives;

/// <summary>
/// Fixed-time comparisons for secrets, on top of <see cref="CryptographicOperations.FixedTimeEquals"/>.
/// </summary>
/// <remarks>
/// The time taken depends only on the lengths of the inputs, never on where they first differ.
/// Lengths are not secret for the values this library compares (hashes, MACs, codes of a fixed size).
/// This type is thread-safe.
/// </remarks>
public static class FixedTime
{
    /// <summary>Compares two byte spans in fixed time.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when both have the same length and bytes.</returns>
    public static bool Equals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        CryptographicOperations.FixedTimeEquals(left, right);

    /// <summary>Compares two character spans in fixed time (ordinal, UTF-16 code units).</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when both have the same length and characters.</returns>
    public static bool Equals(ReadOnlySpan<char> left, ReadOnlySpan<char> right) =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(left), MemoryMarshal.AsBytes(right));

    /// <summary>Compares two strings in fixed time (ordinal); <see langword="null"/> equals nothing.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when both are non-null and equal.</returns>
    public static bool Equals(string? left, string? right) =>
        left is not null && right is not null && Equals(left.AsSpan(), right.AsSpan());

    /// <summary>Compares the UTF-8 encoding of <paramref name="text"/> with <paramref name="utf8"/> in fixed time.</summary>
    /// <param name="text">The text.</param>
    /// <param name="utf8">The expected UTF-8 bytes.</param>
    /// <returns><see langword="true"/> when they are equal (never for text with an unpaired surrogate).</returns>
    public static bool EqualsUtf8(ReadOnlySpan<char> text, ReadOnlySpan<byte> utf8)
    {
        if (!WellFormedText.IsWellFormedUtf16(text))
        {
            return false; // a lone surrogate would encode as U+FFFD and match the UTF-8 of another text
        }

        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, buffer);
            return CryptographicOperations.FixedTimeEquals(buffer[..written], utf8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
