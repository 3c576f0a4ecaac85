/*
 * Argon2id PHC string, as written and read by SecurityKit.Passwords
 * ==================================================================
 * The PHC string format (github.com/P-H-C/phc-string-format) as the Argon2 reference implementation,
 * libsodium, PHP password_hash and Python argon2-cffi write it. ASCII only, no whitespace:
 *
 *   $argon2id$v=19$m=<m>,t=<t>,p=<p>[,keyid=<kid>]$<salt>$<hash>
 *
 *   "$argon2id"   algorithm identifier (Argon2i, Argon2d and other variants are rejected)
 *   "$v=19"       Argon2 version 0x13, required (a missing v, or v=16, the pre-RFC 1.0 algorithm, is rejected)
 *   "$m=<m>"      memory in KiB, decimal without sign or leading zero, 8·p ≤ m ≤ the verification cap
 *   ",t=<t>"      passes, decimal, 1 ≤ t ≤ 64 (and ≤ the configured verification cap)
 *   ",p=<p>"      lanes, decimal, 1 ≤ p ≤ 64
 *   ",keyid=<kid>" optional: the key-ring id of the pepper that was passed as the Argon2 secret K,
 *                 as unpadded standard base64 of the id's ASCII bytes (PHC parameter values may not
 *                 contain '_', which key ids may). Present only for peppered hashes; the reference
 *                 implementation and libsodium cannot verify those (they have no secret input).
 *   "$<salt>"     unpadded standard base64 (RFC 4648 §4, no '='), canonical, 8 to 64 bytes (SecurityKit writes 16)
 *   "$<hash>"     unpadded standard base64, canonical, 16 to 64 bytes (SecurityKit writes 32)
 *
 * Parameters appear exactly in the order m, t, p, keyid; any other parameter (including "data") is
 * rejected. The whole string is at most 512 characters. Associated data X is always empty.
 */

using System.Globalization;
using System.Text;
using SecurityKit.Primitives;

namespace SecurityKit.Passwords.Argon2;

/// <summary>A parsed Argon2id PHC string.</summary>
internal sealed class Argon2idPhcHash
{
    public required int MemoryKiB { get; init; }

    public required int Iterations { get; init; }

    public required int Parallelism { get; init; }

    public string? KeyId { get; init; }

    public required byte[] Salt { get; init; }

    public required byte[] Hash { get; init; }
}

/// <summary>Strict reader and writer of Argon2id PHC strings (format at the top of this file).</summary>
internal static class Argon2idPhc
{
    public const string Prefix = "$argon2id$";
    public const int MaxLength = 512;
    public const int MinSaltLength = 8;
    public const int MaxSaltLength = 64;
    public const int MinHashLength = 16;
    public const int MaxHashLength = 64;
    public const int MaxIterations = 64;
    public const int MaxParallelism = 64;

    /// <summary>Writes a PHC string.</summary>
    public static string Format(int memoryKiB, int iterations, int parallelism, string? keyId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> hash)
    {
        var builder = new StringBuilder(160);
        builder.Append(Prefix).Append("v=19$m=").Append(memoryKiB.ToString(CultureInfo.InvariantCulture))
            .Append(",t=").Append(iterations.ToString(CultureInfo.InvariantCulture))
            .Append(",p=").Append(parallelism.ToString(CultureInfo.InvariantCulture));
        if (keyId is not null)
        {
            builder.Append(",keyid=").Append(Base64Unpadded.Encode(Encoding.ASCII.GetBytes(keyId)));
        }

        builder.Append('$').Append(Base64Unpadded.Encode(salt)).Append('$').Append(Base64Unpadded.Encode(hash));
        return builder.ToString();
    }

    /// <summary>Parses a PHC string; returns a stable reason code on failure.</summary>
    /// <param name="text">The stored hash, starting with <see cref="Prefix"/>.</param>
    /// <param name="maxMemoryKiB">The largest m accepted.</param>
    /// <param name="maxIterations">The largest t accepted.</param>
    /// <param name="hash">The parsed hash.</param>
    /// <param name="reason">A reason code when parsing failed.</param>
    public static bool TryParse(string text, int maxMemoryKiB, int maxIterations, out Argon2idPhcHash? hash, out string? reason)
    {
        hash = null;
        if (text.Length > MaxLength || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            reason = PasswordReasonCodes.MalformedHash;
            return false;
        }

        var rest = text.AsSpan(Prefix.Length);
        if (!rest.StartsWith("v=", StringComparison.Ordinal))
        {
            // A missing version is the pre-RFC 1.0 (0x10) algorithm.
            reason = PasswordReasonCodes.UnsupportedVersion;
            return false;
        }

        if (!TakeSegment(ref rest, out var versionSegment) || !TryParseParam(versionSegment, "v=", out var version))
        {
            reason = PasswordReasonCodes.MalformedHash;
            return false;
        }

        if (version != 19)
        {
            reason = PasswordReasonCodes.UnsupportedVersion;
            return false;
        }

        if (!TakeSegment(ref rest, out var paramSegment) || !TakeSegment(ref rest, out var saltSegment))
        {
            reason = PasswordReasonCodes.MalformedHash;
            return false;
        }

        var hashSegment = rest;
        if (hashSegment.Contains('$'))
        {
            reason = PasswordReasonCodes.MalformedHash;
            return false;
        }

        if (!TryParseParameters(paramSegment, out var m, out var t, out var p, out var keyId))
        {
            reason = PasswordReasonCodes.MalformedHash;
            return false;
        }

        if (p < 1 || p > MaxParallelism || t < 1 || m < 8 * p)
        {
            reason = PasswordReasonCodes.MalformedHash;
            return false;
        }

        if (m > maxMemoryKiB || t > Math.Min(maxIterations, MaxIterations))
        {
            reason = PasswordReasonCodes.CostAboveLimit;
            return false;
        }

        if (!TryDecode(saltSegment, MinSaltLength, MaxSaltLength, out var salt) || !TryDecode(hashSegment, MinHashLength, MaxHashLength, out var tag))
        {
            reason = PasswordReasonCodes.MalformedHash;
            return false;
        }

        hash = new Argon2idPhcHash { MemoryKiB = m, Iterations = t, Parallelism = p, KeyId = keyId, Salt = salt, Hash = tag };
        reason = null;
        return true;
    }

    private static bool TakeSegment(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> segment)
    {
        var end = rest.IndexOf('$');
        if (end <= 0)
        {
            segment = default;
            return false;
        }

        segment = rest[..end];
        rest = rest[(end + 1)..];
        return true;
    }

    private static bool TryParseParameters(ReadOnlySpan<char> segment, out int m, out int t, out int p, out string? keyId)
    {
        m = t = p = 0;
        keyId = null;
        Span<Range> parts = stackalloc Range[5];
        var count = segment.Split(parts, ',');
        if (count is < 3 or > 4)
        {
            return false;
        }

        if (!TryParseParam(segment[parts[0]], "m=", out m) || !TryParseParam(segment[parts[1]], "t=", out t) || !TryParseParam(segment[parts[2]], "p=", out p))
        {
            return false;
        }

        if (count == 4)
        {
            var part = segment[parts[3]];
            if (!part.StartsWith("keyid=", StringComparison.Ordinal))
            {
                return false;
            }

            Span<byte> id = stackalloc byte[48];
            if (!Base64Unpadded.TryDecode(part[6..], id, out var written) || written == 0)
            {
                return false;
            }

            var text = Encoding.ASCII.GetString(id[..written]);
            if (!Keys.SecretKey.IsValidKeyId(text))
            {
                return false;
            }

            keyId = text;
        }

        return true;
    }

    private static bool TryParseParam(ReadOnlySpan<char> part, string name, out int value)
    {
        value = 0;
        if (!part.StartsWith(name, StringComparison.Ordinal))
        {
            return false;
        }

        var digits = part[name.Length..];
        if (digits.Length is 0 or > 10 || (digits.Length > 1 && digits[0] == '0'))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryDecode(ReadOnlySpan<char> text, int minBytes, int maxBytes, out byte[] bytes)
    {
        bytes = [];
        if (text.Length > ((maxBytes * 4) + 2) / 3)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[maxBytes + 3];
        if (!Base64Unpadded.TryDecode(text, buffer, out var written) || written < minBytes || written > maxBytes)
        {
            return false;
        }

        bytes = buffer[..written].ToArray();
        return true;
    }
}
