/*
 * BCrypt modular-crypt string (OpenBSD bcrypt, as BCrypt.Net-Next writes and reads it)
 * ====================================================================================
 *   offset  length  content
 *   0       4       "$2b$" (written); "$2a$", "$2b$", "$2y$" accepted; "$2x$" (the crypt_blowfish
 *                   sign-extension bug marker), "$2$" and anything else rejected
 *   4       2       cost, two decimal digits "04".."31" (2^cost rounds of the key schedule)
 *   6       1       "$"
 *   7       22      salt: 16 bytes in bcrypt's base64 alphabet "./A-Za-z0-9" (not RFC 4648)
 *   29      31      hash: 23 bytes in the same alphabet
 *   total   60      ASCII characters
 *
 * The password is the UTF-8 encoding of the NFKC-normalised text. BCrypt reads at most 72 bytes of
 * it; SecurityKit refuses longer passwords (hash: ArgumentException; verify: Failed) instead of
 * silently truncating, so two different passwords can never match one BCrypt hash. No pepper.
 */

namespace SecurityKit.Passwords.BCrypt;

/// <summary>Strict checks around BCrypt.Net-Next, which throws on malformed hashes.</summary>
internal static class BCryptFormat
{
    public const int Length = 60;
    public const int MaxPasswordBytes = 72;

    public static bool LooksLikeBCrypt(string text) => text.Length >= 3 && text[0] == '$' && text[1] == '2';

    /// <summary>Checks the layout and returns the cost, or a reason code.</summary>
    public static bool TryParse(string text, int maxWorkFactor, out int workFactor, out string? reason)
    {
        workFactor = 0;
        if (text.Length < 4 || !text.StartsWith("$2", StringComparison.Ordinal) || text[3] != '$' || (text[2] is not ('a' or 'b' or 'y')))
        {
            reason = PasswordReasonCodes.UnsupportedAlgorithm;
            return false;
        }

        if (text.Length != Length || text[6] != '$' || !char.IsAsciiDigit(text[4]) || !char.IsAsciiDigit(text[5]))
        {
            reason = PasswordReasonCodes.MalformedHash;
            return false;
        }

        for (var i = 7; i < Length; i++)
        {
            var c = text[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || c == '/'))
            {
                reason = PasswordReasonCodes.MalformedHash;
                return false;
            }
        }

        workFactor = ((text[4] - '0') * 10) + (text[5] - '0');
        if (workFactor is < 4 or > 31)
        {
            reason = PasswordReasonCodes.MalformedHash;
            return false;
        }

        if (workFactor > maxWorkFactor)
        {
            reason = PasswordReasonCodes.CostAboveLimit;
            return false;
        }

        reason = null;
        return true;
    }

    public static string Hash(string normalizedPassword, int workFactor) =>
        global::BCrypt.Net.BCrypt.HashPassword(normalizedPassword, global::BCrypt.Net.BCrypt.GenerateSalt(workFactor, 'b'));

    /// <summary>Verifies; <see langword="null"/> when BCrypt.Net-Next refused the hash.</summary>
    public static bool? Verify(string password, string hash)
    {
        try
        {
            return global::BCrypt.Net.BCrypt.Verify(password, hash);
        }
#pragma warning disable CA1031 // BCrypt.Net-Next throws several types on malformed input; any of them means "not a valid hash".
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }
}
