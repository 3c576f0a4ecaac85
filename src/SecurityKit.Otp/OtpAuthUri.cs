/*
 * otpauth:// URIs, Google Authenticator's Key Uri Format
 * (https://github.com/google/google-authenticator/wiki/Key-Uri-Format):
 *
 *   otpauth://TYPE/LABEL?secret=SECRET&issuer=ISSUER&algorithm=ALG&digits=N&period=P   (TYPE = totp)
 *   otpauth://TYPE/LABEL?secret=SECRET&issuer=ISSUER&algorithm=ALG&digits=N&counter=C  (TYPE = hotp)
 *
 *   LABEL  = pct(issuer) ":" pct(account)   (or pct(account) alone without an issuer; neither may contain a colon,
 *            literal or encoded: both forms separate)
 *   SECRET = unpadded upper-case RFC 4648 base32
 *   ALG    = SHA1 | SHA256 | SHA512
 *
 * Percent-encoding: the UTF-8 bytes of every character outside RFC 3986 "unreserved"
 * (A-Z a-z 0-9 - . _ ~) become %XX with upper-case hex. In the label '@' also stays literal (a pchar,
 * as in Google's example "Example:alice@google.com"); a space is %20 (never '+').
 */
using System.Globalization;
using System.Text;

namespace SecurityKit.Otp;

/// <summary>Builds and parses <c>otpauth://</c> key URIs for authenticator apps.</summary>
/// <remarks>
/// <para><b>Security:</b> a key URI contains the raw shared secret. Show it (or its QR code) once, over
/// HTTPS, to the authenticated user who is enrolling; never log it, cache it or put it in a URL of your own.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public static class OtpAuthUri
{
    /// <summary>The longest accepted issuer, in characters.</summary>
    public const int MaxIssuerLength = 100;

    /// <summary>The longest accepted account name, in characters.</summary>
    public const int MaxAccountNameLength = 256;

    /// <summary>The longest URI <see cref="TryParse"/> reads, in characters.</summary>
    public const int MaxUriLength = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Builds a TOTP key URI.</summary>
    /// <param name="issuer">The service name shown in the app (no colon), or <see langword="null"/>.</param>
    /// <param name="accountName">The account, e.g. the user's e-mail address; 1 to 256 characters, no colon, not beginning with a space.</param>
    /// <param name="secret">The shared secret.</param>
    /// <param name="algorithm">The HMAC hash function.</param>
    /// <param name="digits">The code length, 6 to 8.</param>
    /// <param name="periodSeconds">The period, 1 to 3600 seconds.</param>
    /// <returns>The URI.</returns>
    /// <exception cref="ArgumentException">An argument is empty, too long or not valid UTF-16, a name contains a colon or a control or bidi character, the account name begins with a space, or the URI would be longer than <see cref="MaxUriLength"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public static string CreateTotp(string? issuer, string accountName, ReadOnlySpan<byte> secret, OtpAlgorithm algorithm = OtpAlgorithm.Sha1, int digits = 6, int periodSeconds = Totp.DefaultPeriodSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(periodSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(periodSeconds, 3600);
        return Create("totp", issuer, accountName, secret, algorithm, digits, "period", periodSeconds);
    }

    /// <summary>Builds an HOTP key URI.</summary>
    /// <param name="issuer">The service name shown in the app (no colon), or <see langword="null"/>.</param>
    /// <param name="accountName">The account; 1 to 256 characters, no colon, not beginning with a space.</param>
    /// <param name="secret">The shared secret.</param>
    /// <param name="counter">The initial counter, ≥ 0.</param>
    /// <param name="algorithm">The HMAC hash function.</param>
    /// <param name="digits">The code length, 6 to 8.</param>
    /// <returns>The URI.</returns>
    /// <exception cref="ArgumentException">An argument is empty, too long or not valid UTF-16, a name contains a colon or a control or bidi character, the account name begins with a space, or the URI would be longer than <see cref="MaxUriLength"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public static string CreateHotp(string? issuer, string accountName, ReadOnlySpan<byte> secret, long counter = 0, OtpAlgorithm algorithm = OtpAlgorithm.Sha1, int digits = 6)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(counter);
        return Create("hotp", issuer, accountName, secret, algorithm, digits, "counter", counter);
    }

    private static string Create(string type, string? issuer, string accountName, ReadOnlySpan<byte> secret, OtpAlgorithm algorithm, int digits, string lastName, long lastValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        if (accountName.Length > MaxAccountNameLength)
        {
            throw new ArgumentException($"The account name must be at most {MaxAccountNameLength} characters.", nameof(accountName));
        }

        if (issuer is { Length: > MaxIssuerLength })
        {
            throw new ArgumentException($"The issuer must be at most {MaxIssuerLength} characters.", nameof(issuer));
        }

        if (HasUnsafeCharacter(accountName) || (issuer is not null && HasUnsafeCharacter(issuer)))
        {
            throw new ArgumentException("The issuer and account name must not contain control or bidirectional-override characters.", issuer is not null && HasUnsafeCharacter(issuer) ? nameof(issuer) : nameof(accountName));
        }

        // Key Uri Format: a literal or encoded colon separates issuer and account, and neither may contain one; spaces
        // after the separator are padding. Encoding a colon as %3A (as this type did) left apps that split at an encoded
        // colon to show "PayPal" as the issuer of the account "PayPal:victim" (found in review).
        if (accountName.Contains(':') || (issuer is not null && issuer.Contains(':')))
        {
            throw new ArgumentException("The issuer and account name must not contain a colon (the Key Uri Format's separator).", issuer is not null && issuer.Contains(':') ? nameof(issuer) : nameof(accountName));
        }

        if (accountName[0] == ' ')
        {
            throw new ArgumentException("The account name must not begin with a space (authenticator apps drop spaces after the separator).", nameof(accountName));
        }

        OtpCore.ValidateParameters(secret, algorithm, digits);
        var sb = new StringBuilder(128 + (secret.Length * 2));
        sb.Append("otpauth://").Append(type).Append('/');
        if (!string.IsNullOrEmpty(issuer))
        {
            AppendEncoded(sb, issuer, label: true);
            sb.Append(':');
        }

        AppendEncoded(sb, accountName, label: true);
        sb.Append("?secret=").Append(Base32.Encode(secret));
        if (!string.IsNullOrEmpty(issuer))
        {
            sb.Append("&issuer=");
            AppendEncoded(sb, issuer, label: false);
        }

        sb.Append("&algorithm=").Append(OtpCore.AlgorithmName(algorithm))
          .Append("&digits=").Append(digits.ToString(CultureInfo.InvariantCulture))
          .Append('&').Append(lastName).Append('=').Append(lastValue.ToString(CultureInfo.InvariantCulture));

        // Every URI written here must parse back (TryParse's bound); non-ASCII text grows up to 9-fold when encoded, and
        // the issuer appears twice (found in review: a 100-character CJK issuer and a long CJK account name overflowed).
        if (sb.Length > MaxUriLength)
        {
            // Named after the account: the issuer (at most 100 characters, 1,800 once encoded, twice) can never be the
            // larger part of a URI over 4,096, and the account name is what varies from user to user.
            throw new ArgumentException(
                $"The URI would be {sb.Length} characters, longer than {MaxUriLength}: use a shorter issuer or account name (a non-ASCII character takes up to 9 characters once percent-encoded).",
                nameof(accountName));
        }

        return sb.ToString();
    }

    /// <summary>Percent-encodes <paramref name="value"/> as this type does inside a label (<paramref name="label"/>) or a query value.</summary>
    /// <param name="value">The text.</param>
    /// <param name="label"><see langword="true"/> to keep '@' literal, as in a label.</param>
    /// <returns>The encoded text.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not valid UTF-16.</exception>
    public static string PercentEncode(string value, bool label = false)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 16);
        AppendEncoded(sb, value, label);
        return sb.ToString();
    }

    private static void AppendEncoded(StringBuilder sb, string value, bool label)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(value);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException("The text contains an unpaired surrogate and cannot be encoded as UTF-8.", nameof(value));
        }

        foreach (var b in bytes)
        {
            if (IsUnreserved(b) || (label && b == '@'))
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 15]);
            }
        }
    }

    private static bool IsUnreserved(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';

    /// <summary>
    /// Parses a key URI strictly: <c>otpauth</c> scheme, <c>totp</c>/<c>hotp</c> type, well-formed
    /// percent-encoding of UTF-8, a canonical base32 secret, known parameters within range, an issuer
    /// parameter equal to the label's issuer when both are present, at most one colon in the label (literal or
    /// <c>%3A</c>, any spaces after it dropped) and none in the <c>issuer</c> parameter.
    /// </summary>
    /// <param name="uri">The URI, at most <see cref="MaxUriLength"/> characters.</param>
    /// <param name="result">The components; <see langword="null"/> when the URI is not valid.</param>
    /// <returns><see langword="true"/> when the URI is valid.</returns>
    public static bool TryParse(string? uri, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OtpAuthUriComponents? result)
    {
        result = null;
        if (uri is null || uri.Length > MaxUriLength || !uri.StartsWith("otpauth://", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = uri.AsSpan("otpauth://".Length);
        bool isTotp;
        if (rest.StartsWith("totp/", StringComparison.Ordinal))
        {
            isTotp = true;
        }
        else if (rest.StartsWith("hotp/", StringComparison.Ordinal))
        {
            isTotp = false;
        }
        else
        {
            return false;
        }

        rest = rest[5..];
        var q = rest.IndexOf('?');
        if (q <= 0)
        {
            return false;
        }

        // A literal or percent-encoded colon separates issuer and account; neither may contain one, so a label with two
        // (in either form) is refused. Spaces after the separator are padding (Key Uri Format: "*%20").
        if (!TryDecode(rest[..q], out var label))
        {
            return false;
        }

        var colon = label.IndexOf(':');
        string? labelIssuer = null;
        string account = label;
        if (colon >= 0)
        {
            labelIssuer = label[..colon];
            account = label[(colon + 1)..].TrimStart(' ');
            if (labelIssuer.Length == 0 || account.Contains(':'))
            {
                return false;
            }
        }

        if (account.Length is 0 or > MaxAccountNameLength || labelIssuer is { Length: > MaxIssuerLength })
        {
            return false;
        }

        byte[]? secret = null;
        string? issuer = null;
        var algorithm = OtpAlgorithm.Sha1;
        var digits = 6;
        var period = Totp.DefaultPeriodSeconds;
        long counter = -1;
        var seen = 0;
        foreach (var range in rest[(q + 1)..].Split('&'))
        {
            var pair = rest[(q + 1)..][range];
            var eq = pair.IndexOf('=');
            if (eq <= 0 || !TryDecode(pair[(eq + 1)..], out var value))
            {
                return false;
            }

            var name = pair[..eq];
            int bit;
            if (name is "secret")
            {
                bit = 1;
                if (!Base32.TryDecode(value, out secret) || secret.Length is 0 or > OtpCore.MaxSecretLength)
                {
                    return false;
                }
            }
            else if (name is "issuer")
            {
                bit = 2;
                if (value.Length > MaxIssuerLength || value.Contains(':'))
                {
                    return false; // the same bound as the label's issuer and the constructor's, and no colon either
                }

                issuer = value;
            }
            else if (name is "algorithm")
            {
                bit = 4;
                switch (value)
                {
                    case "SHA1": algorithm = OtpAlgorithm.Sha1; break;
                    case "SHA256": algorithm = OtpAlgorithm.Sha256; break;
                    case "SHA512": algorithm = OtpAlgorithm.Sha512; break;
                    default: return false;
                }
            }
            else if (name is "digits")
            {
                bit = 8;
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out digits) || digits is < OtpCore.MinDigits or > OtpCore.MaxDigits)
                {
                    return false;
                }
            }
            else if (name is "period" && isTotp)
            {
                bit = 16;
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out period) || period is < 1 or > 3600)
                {
                    return false;
                }
            }
            else if (name is "counter" && !isTotp)
            {
                bit = 32;
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out counter))
                {
                    return false;
                }
            }
            else
            {
                return false;
            }

            if ((seen & bit) != 0)
            {
                return false;
            }

            seen |= bit;
        }

        if (secret is null || (!isTotp && counter < 0) || (labelIssuer is not null && issuer is not null && !string.Equals(labelIssuer, issuer, StringComparison.Ordinal)))
        {
            return false;
        }

        result = new OtpAuthUriComponents
        {
            IsTotp = isTotp,
            Issuer = issuer ?? labelIssuer,
            AccountName = account,
            Secret = secret,
            Algorithm = algorithm,
            Digits = digits,
            PeriodSeconds = isTotp ? period : 0,
            Counter = isTotp ? 0 : counter,
        };
        return true;
    }

    private static bool TryDecode(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        Span<byte> bytes = text.Length <= 1024 ? stackalloc byte[text.Length] : new byte[text.Length];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    return false;
                }

                bytes[n++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }
            else if (c is '+' or '#' or '?' or '&' or '/' || c > 0x7E || c < 0x21)
            {
                return false;
            }
            else
            {
                bytes[n++] = (byte)c;
            }
        }

        try
        {
            value = StrictUtf8.GetString(bytes[..n]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        // Decoded names end up in UIs and logs: no control characters (%0D%0A would forge a log line) and no bidi
        // controls (U+202E would display a name reversed).
        if (HasUnsafeCharacter(value))
        {
            value = null;
            return false;
        }

        return true;
    }

    private static bool HasUnsafeCharacter(string text)
    {
        foreach (var ch in text)
        {
            if (SecurityKit.Primitives.WellFormedText.IsControlOrBidi(ch))
            {
                return true;
            }
        }

        return false;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/// <summary>The parts of a parsed <c>otpauth://</c> URI.</summary>
/// <remarks><b>Security:</b> <see cref="Secret"/> is the raw shared secret; <see cref="ToString"/> leaves it out.</remarks>
public sealed class OtpAuthUriComponents
{
    /// <summary>Gets whether the URI is <c>totp</c> (otherwise <c>hotp</c>).</summary>
    public required bool IsTotp { get; init; }

    /// <summary>Gets the issuer (from the parameter, else the label), if any.</summary>
    public required string? Issuer { get; init; }

    /// <summary>Gets the account name.</summary>
    public required string AccountName { get; init; }

    /// <summary>Gets the shared secret. <b>Security:</b> never log it.</summary>
    public required byte[] Secret { get; init; }

    /// <summary>Gets the algorithm.</summary>
    public required OtpAlgorithm Algorithm { get; init; }

    /// <summary>Gets the number of digits.</summary>
    public required int Digits { get; init; }

    /// <summary>Gets the period in seconds (TOTP), 0 for HOTP.</summary>
    public required int PeriodSeconds { get; init; }

    /// <summary>Gets the initial counter (HOTP), 0 for TOTP.</summary>
    public required long Counter { get; init; }

    /// <summary>Describes the URI without its secret.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"otpauth {(IsTotp ? "totp" : "hotp")} issuer={Issuer} account={AccountName} algorithm={Algorithm} digits={Digits}");
}
