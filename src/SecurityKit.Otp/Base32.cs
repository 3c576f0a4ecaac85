/*
 * RFC 4648 §6 base32 ("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), the encoding of otpauth:// secrets.
 *
 * Encoding: every 5 input bytes become 8 characters, most significant bit first; a final group of
 * 1/2/3/4 bytes becomes 2/4/5/7 characters, the unused low bits of the last character zero.
 * Padding ('=') is never written: Google's Key Uri Format asks for the secret without it.
 *
 * Strict decoding accepts exactly the strings Encode produces (upper case, no padding, no whitespace,
 * a length that is 0, 2, 4, 5 or 7 modulo 8, zero unused bits), so every byte string has one text form.
 * TryDecodeLenient additionally ignores case, spaces, hyphens and trailing '=' (text a person typed).
 */
namespace SecurityKit.Otp;

/// <summary>Strict, canonical, unpadded RFC 4648 §6 base32.</summary>
/// <remarks>This type is thread-safe. Decoding never throws on malformed text: it returns <see langword="false"/>.</remarks>
public static class Base32
{
    /// <summary>The largest text accepted by the decoders (4096 characters, 2560 bytes).</summary>
    public const int MaxEncodedLength = 4096;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>Gets the number of characters that encode <paramref name="byteCount"/> bytes, without padding.</summary>
    /// <param name="byteCount">The number of bytes.</param>
    /// <returns>The encoded length.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="byteCount"/> is negative or too large.</exception>
    public static int GetEncodedLength(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(byteCount, int.MaxValue / 8);
        return ((byteCount * 8) + 4) / 5;
    }

    /// <summary>Encodes bytes as unpadded upper-case base32.</summary>
    /// <param name="source">The bytes.</param>
    /// <returns>The text.</returns>
    public static string Encode(ReadOnlySpan<byte> source)
    {
        var length = GetEncodedLength(source.Length);
        if (length == 0)
        {
            return string.Empty;
        }

        Span<char> buffer = length <= 512 ? stackalloc char[length] : new char[length];
        Encode(source, buffer);
        return new string(buffer);
    }

    /// <summary>Encodes bytes into <paramref name="destination"/>.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="destination">Receives <see cref="GetEncodedLength"/> characters.</param>
    /// <returns>The number of characters written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static int Encode(ReadOnlySpan<byte> source, Span<char> destination)
    {
        var length = GetEncodedLength(source.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination is too small.", nameof(destination));
        }

        var o = 0;
        var buffer = 0;
        var bits = 0;
        foreach (var b in source)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                destination[o++] = Alphabet[(buffer >> bits) & 31];
            }

            buffer &= (1 << bits) - 1;
        }

        if (bits > 0)
        {
            destination[o++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return o;
    }

    /// <summary>Decodes strictly canonical unpadded upper-case base32 into a new array.</summary>
    /// <param name="source">The text.</param>
    /// <param name="bytes">The bytes, or <see langword="null"/> when the text is not canonical base32.</param>
    /// <returns><see langword="true"/> when the text decoded.</returns>
    public static bool TryDecode(ReadOnlySpan<char> source, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (source.Length > MaxEncodedLength || !IsValidLength(source.Length))
        {
            return false;
        }

        var buffer = new byte[source.Length * 5 / 8];
        if (!TryDecode(source, buffer, out var written) || written != buffer.Length)
        {
            return false;
        }

        bytes = buffer;
        return true;
    }

    /// <summary>Decodes strictly canonical unpadded upper-case base32 into <paramref name="destination"/>.</summary>
    /// <param name="source">The text, at most <see cref="MaxEncodedLength"/> characters.</param>
    /// <param name="destination">Receives the bytes.</param>
    /// <param name="bytesWritten">The number of bytes written.</param>
    /// <returns><see langword="true"/> when the text is canonical and fitted.</returns>
    public static bool TryDecode(ReadOnlySpan<char> source, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (source.Length > MaxEncodedLength || !IsValidLength(source.Length) || destination.Length < source.Length * 5 / 8)
        {
            return false;
        }

        var buffer = 0;
        var bits = 0;
        var o = 0;
        foreach (var c in source)
        {
            var v = Value(c);
            if (v < 0)
            {
                return false;
            }

            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                destination[o++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        // Non-zero leftover bits would give a second spelling of the same bytes.
        if (buffer != 0)
        {
            destination[..o].Clear();
            return false;
        }

        bytesWritten = o;
        return true;
    }

    /// <summary>
    /// Decodes base32 as a person may type it: case-insensitive, ignoring spaces, hyphens and trailing
    /// padding, then decoding strictly.
    /// </summary>
    /// <param name="source">The text, at most <see cref="MaxEncodedLength"/> characters.</param>
    /// <param name="bytes">The bytes, or <see langword="null"/> when the text is not base32.</param>
    /// <returns><see langword="true"/> when the text decoded.</returns>
    public static bool TryDecodeLenient(ReadOnlySpan<char> source, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (source.Length > MaxEncodedLength)
        {
            return false;
        }

        Span<char> normalized = stackalloc char[source.Length];
        var n = 0;
        foreach (var c in source)
        {
            if (c is ' ' or '-')
            {
                continue;
            }

            normalized[n++] = UpperAscii(c);
        }

        var end = n;
        while (end > 0 && normalized[end - 1] == '=')
        {
            end--;
        }

        return TryDecode(normalized[..end], out bytes);
    }

    /// <summary>Upper-cases ASCII letters only: <see cref="char.ToUpperInvariant(char)"/> maps U+017F (ſ) to 'S' and U+0131 (ı)
    /// to 'I', which would let look-alikes pass as typed codes.</summary>
    internal static char UpperAscii(char c) => c is >= 'a' and <= 'z' ? (char)(c - 32) : c;

    private static bool IsValidLength(int length) => (length % 8) is 0 or 2 or 4 or 5 or 7;

    private static int Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= '2' and <= '7' => c - '2' + 26,
        _ => -1,
    };
}
