using System.Buffers;

namespace SecurityKit.Tokens.Jose;

/// <summary>
/// Strict, canonical unpadded base64url decoding of ASCII bytes with the vectorized BCL decoder: the
/// alphabet and the zero trailing bits are checked first, so the accepted language is exactly that of
/// Core's <c>Base64Url.TryDecode</c> (tests compare both).
/// </summary>
internal static class CanonicalBase64Url
{
    private static readonly SearchValues<byte> Alphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);

    public static bool TryDecode(ReadOnlySpan<byte> ascii, Span<byte> destination, out int written)
    {
        written = 0;
        var remainder = ascii.Length & 3;
        if (remainder == 1 || ascii.IndexOfAnyExcept(Alphabet) >= 0)
        {
            return false;
        }

        // The unused low bits of the last character must be zero (2 characters carry 8 bits, 3 carry 16).
        if (remainder != 0 && (Value(ascii[^1]) & (remainder == 2 ? 0x0F : 0x03)) != 0)
        {
            return false;
        }

        return System.Buffers.Text.Base64Url.DecodeFromUtf8(ascii, destination, out var consumed, out written) == OperationStatus.Done
            && consumed == ascii.Length;
    }

    private static int Value(byte c) => c switch
    {
        >= (byte)'A' and <= (byte)'Z' => c - 'A',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => c - '0' + 52,
        (byte)'-' => 62,
        _ => 63,
    };
}
