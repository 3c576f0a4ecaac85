namespace SecurityKit.Primitives;

/// <summary>
/// Unpadded base64url (RFC 4648 §5) with strict, canonical decoding, as JWS (RFC 7515 §2) requires.
/// </summary>
/// <remarks>
/// Decoding rejects padding, whitespace, characters outside the alphabet and non-zero unused bits,
/// so each byte string has exactly one accepted encoding. This type is thread-safe.
/// </remarks>
public static class Base64Url
{
    /// <summary>Gets the number of characters needed to encode <paramref name="byteCount"/> bytes.</summary>
    /// <param name="byteCount">The number of bytes to encode.</param>
    /// <returns>The encoded length, without padding.</returns>
    public static int GetEncodedLength(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        return StrictBase64.GetEncodedLength(byteCount);
    }

    /// <summary>Gets the largest number of bytes that <paramref name="charCount"/> characters can decode to.</summary>
    /// <param name="charCount">The number of encoded characters.</param>
    /// <returns>The maximum decoded length.</returns>
    public static int GetMaxDecodedLength(int charCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(charCount);
        return StrictBase64.GetMaxDecodedLength(charCount);
    }

    /// <summary>Encodes bytes into <paramref name="destination"/>.</summary>
    /// <param name="source">The bytes to encode.</param>
    /// <param name="destination">Receives the characters; must hold <see cref="GetEncodedLength"/> characters.</param>
    /// <returns>The number of characters written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static int Encode(ReadOnlySpan<byte> source, Span<char> destination) => StrictBase64.Encode(source, destination, url: true);

    /// <summary>Encodes bytes into a new string.</summary>
    /// <param name="source">The bytes to encode.</param>
    /// <returns>The unpadded base64url text.</returns>
    public static string Encode(ReadOnlySpan<byte> source)
    {
        var length = StrictBase64.GetEncodedLength(source.Length);
        return string.Create(length, source, static (span, state) => StrictBase64.Encode(state, span, url: true));
    }

    /// <summary>Decodes strictly canonical unpadded base64url.</summary>
    /// <param name="source">The text to decode.</param>
    /// <param name="destination">Receives the bytes; must hold <see cref="GetMaxDecodedLength"/> bytes.</param>
    /// <param name="bytesWritten">The number of bytes written.</param>
    /// <returns><see langword="true"/> when the text is canonical base64url and fitted; otherwise <see langword="false"/>.</returns>
    public static bool TryDecode(ReadOnlySpan<char> source, Span<byte> destination, out int bytesWritten) =>
        StrictBase64.TryDecode(source, destination, out bytesWritten, url: true);

    /// <summary>Decodes strictly canonical unpadded base64url into a new array.</summary>
    /// <param name="source">The text to decode.</param>
    /// <param name="bytes">The decoded bytes, or <see langword="null"/> when the text is not canonical base64url.</param>
    /// <returns><see langword="true"/> when the text decoded.</returns>
    public static bool TryDecode(ReadOnlySpan<char> source, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes)
    {
        if (!StrictBase64.TryGetDecodedLength(source.Length, out var length))
        {
            bytes = null;
            return false;
        }

        var buffer = new byte[length];
        if (!StrictBase64.TryDecode(source, buffer, out _, url: true))
        {
            bytes = null;
            return false;
        }

        bytes = buffer;
        return true;
    }
}
