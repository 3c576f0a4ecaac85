namespace SecurityKit.Primitives;

/// <summary>Checks that text can become UTF-8 without loss, before it names anything (a store key, a partition, an HMAC input).</summary>
public static class WellFormedText
{
    /// <summary>
    /// Tells whether <paramref name="text"/> is well-formed UTF-16: every surrogate is part of a pair. A lone surrogate
    /// becomes U+FFFD when encoded as UTF-8, so "a\uD800", "a\uDC00" and "a\uFFFD" would name the same thing.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> when no surrogate is unpaired.</returns>
    public static bool IsWellFormedUtf16(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Tells whether <paramref name="c"/> must not reach a log line or a UI as is: a control character (CR/LF would forge a
    /// log line), a line or paragraph separator, or a bidirectional mark or override (U+202E would display text reversed).
    /// </summary>
    /// <param name="c">The character.</param>
    /// <returns><see langword="true"/> for such a character.</returns>
    public static bool IsControlOrBidi(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>Throws unless <paramref name="userId"/> is well-formed UTF-16 (see <see cref="IsWellFormedUtf16"/>).</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    /// <exception cref="ArgumentException">The text contains an unpaired surrogate.</exception>
    public static void ThrowIfNotWellFormed(string userId, string paramName)
    {
        if (!IsWellFormedUtf16(userId))
        {
            throw new ArgumentException("The user id is not valid UTF-16 (it contains an unpaired surrogate), so it could name another user's data.", paramName);
        }
    }
}
