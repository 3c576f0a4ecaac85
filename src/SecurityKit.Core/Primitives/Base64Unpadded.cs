namespace SecurityKit.Primitives;

/// <summary>
/// Unpadded standard-alphabet base64 (RFC 4648 §4 without '='), the encoding of PHC strings, with
/// strict, canonical decoding.
/// </summary>
/// <remarks>This type is thread-safe.</remarks>
public static class Base64Unpadded
{
    /// <summary>Encodes bytes into a new string.</summary>
    /// <param name="source">The bytes to encode.</param>
    /// <returns>The unpadded base64 text.</returns>
    public static string Encode(ReadOnlySpan<byte> source)
    {
        var length = StrictBase64.GetEncodedLength(source.Length);
        return string.Create(length, source, static (span, state) => StrictBase64.Encode(state, span, url: false));
    }

    /// <summary>Encodes bytes into <paramref name="destination"/>.</summary>
    /// <param name="source">The bytes to encode.</param>
    /// <param name="destination">Receives the characters.</param>
    /// <returns>The number of characters written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small.</exception>
    public static int Encode(ReadOnlySpan<byte> source, Span<char> destination) => StrictBase64.Encode(source, destination, url: false);

    /// <summary>Gets the largest number of bytes that <paramref name="charCount"/> characters can decode to.</summary>
    /// <param name="charCount">The number of encoded characters.</param>
    /// <returns>The maximum decoded length.</returns>
    public static int GetMaxDecodedLength(int charCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(charCount);
        return StrictBase64.GetMaxDecodedLength(charCount);
    }

    /// <summary>Decodes strictly canonical unpadded base64.</summary>
    /// <param name="source">The text to decode.</param>
    /// <param name="destination">Receives the bytes.</param>
    /// <param name="bytesWritten">The number of bytes written.</param>
    /// <returns><see langword="true"/> when the text is canonical and fitted; otherwise <see langword="false"/>.</returns>
    public static bool TryDecode(ReadOnlySpan<char> source, Span<byte> destination, out int bytesWritten) =>
        StrictBase64.TryDecode(source, destination, out bytesWritten, url: false);
}
