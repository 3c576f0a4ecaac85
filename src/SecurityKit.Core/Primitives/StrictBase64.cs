namespace SecurityKit.Primitives;

/// <summary>
/// Shared strict decoder for the two unpadded base64 alphabets (RFC 4648 §4 and §5).
/// </summary>
/// <remarks>
/// Strict means: no padding, no whitespace, no characters outside the alphabet, no length that is
/// 1 modulo 4, and the unused low bits of the last character must be zero. Together these make the
/// encoding canonical: every byte string has exactly one accepted text form, which matters when the
/// text is signed (JWS) or compared (PHC strings).
/// </remarks>
internal static class StrictBase64
{
    private const string StandardAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private const string UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly sbyte[] StandardMap = BuildMap(StandardAlphabet);
    private static readonly sbyte[] UrlMap = BuildMap(UrlAlphabet);

    internal static ReadOnlySpan<char> Alphabet(bool url) => url ? UrlAlphabet : StandardAlphabet;

    private static sbyte[] BuildMap(string alphabet)
    {
        var map = new sbyte[128];
        Array.Fill(map, (sbyte)-1);
        for (var i = 0; i < alphabet.Length; i++)
        {
            map[alphabet[i]] = (sbyte)i;
        }

        return map;
    }

    internal static int GetEncodedLength(int byteCount) => checked(((byteCount * 4) + 2) / 3);

    internal static int GetMaxDecodedLength(int charCount) => (int)(((long)charCount * 3) / 4);

    internal static bool TryGetDecodedLength(int charCount, out int byteCount)
    {
        if (charCount % 4 == 1)
        {
            byteCount = 0;
            return false;
        }

        byteCount = GetMaxDecodedLength(charCount);
        return true;
    }

    internal static int Encode(ReadOnlySpan<byte> source, Span<char> destination, bool url)
    {
        var alphabet = url ? UrlAlphabet : StandardAlphabet;
        var length = GetEncodedLength(source.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException("Destination is too small.", nameof(destination));
        }

        var i = 0;
        var o = 0;
        for (; i + 3 <= source.Length; i += 3)
        {
            var v = (source[i] << 16) | (source[i + 1] << 8) | source[i + 2];
            destination[o++] = alphabet[(v >> 18) & 63];
            destination[o++] = alphabet[(v >> 12) & 63];
            destination[o++] = alphabet[(v >> 6) & 63];
            destination[o++] = alphabet[v & 63];
        }

        var rest = source.Length - i;
        if (rest == 1)
        {
            var v = source[i] << 16;
            destination[o++] = alphabet[(v >> 18) & 63];
            destination[o++] = alphabet[(v >> 12) & 63];
        }
        else if (rest == 2)
        {
            var v = (source[i] << 16) | (source[i + 1] << 8);
            destination[o++] = alphabet[(v >> 18) & 63];
            destination[o++] = alphabet[(v >> 12) & 63];
            destination[o++] = alphabet[(v >> 6) & 63];
        }

        return o;
    }

    internal static bool TryDecode(ReadOnlySpan<char> source, Span<byte> destination, out int bytesWritten, bool url)
    {
        bytesWritten = 0;
        if (!TryGetDecodedLength(source.Length, out var needed) || destination.Length < needed)
        {
            return false;
        }

        var map = url ? UrlMap : StandardMap;
        var i = 0;
        var o = 0;
        for (; i + 4 <= source.Length; i += 4)
        {
            var a = Lookup(map, source[i]);
            var b = Lookup(map, source[i + 1]);
            var c = Lookup(map, source[i + 2]);
            var d = Lookup(map, source[i + 3]);
            if ((a | b | c | d) < 0)
            {
                return false;
            }

            var v = (a << 18) | (b << 12) | (c << 6) | d;
            destination[o++] = (byte)(v >> 16);
            destination[o++] = (byte)(v >> 8);
            destination[o++] = (byte)v;
        }

        var rest = source.Length - i;
        if (rest == 2)
        {
            var a = Lookup(map, source[i]);
            var b = Lookup(map, source[i + 1]);
            if ((a | b) < 0 || (b & 0x0F) != 0)
            {
                return false;
            }

            destination[o++] = (byte)((a << 2) | (b >> 4));
        }
        else if (rest == 3)
        {
            var a = Lookup(map, source[i]);
            var b = Lookup(map, source[i + 1]);
            var c = Lookup(map, source[i + 2]);
            if ((a | b | c) < 0 || (c & 0x03) != 0)
            {
                return false;
            }

            var v = (a << 12) | (b << 6) | c;
            destination[o++] = (byte)(v >> 10);
            destination[o++] = (byte)(v >> 2);
        }

        bytesWritten = o;
        return true;
    }

    private static int Lookup(sbyte[] map, char c) => c < 128 ? map[c] : -1;
}
