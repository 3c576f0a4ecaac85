/*
 * ASP.NET Core Identity PasswordHasher<TUser> formats (import only; never written)
 * ================================================================================
 * The stored value is standard padded base64 (RFC 4648 §4) of:
 *
 * V2 (PasswordHasherCompatibilityMode.IdentityV2), 49 bytes:
 *   [0]       0x00 format marker
 *   [1..16]   salt, 16 bytes
 *   [17..48]  subkey, 32 bytes = PBKDF2-HMAC-SHA1(UTF-8 password, salt, 1000 iterations)
 *
 * V3 (IdentityV3, the default), 13 + saltLength + subkeyLength bytes, integers big-endian:
 *   [0]       0x01 format marker
 *   [1..4]    PRF: 0 = HMAC-SHA1, 1 = HMAC-SHA256, 2 = HMAC-SHA512
 *   [5..8]    iteration count (Identity 8+ writes 100000 with HMAC-SHA512; older 10000 with HMAC-SHA256)
 *   [9..12]   salt length, at least 16
 *   [13..]    salt, then the subkey (at least 16 bytes; the rest of the value)
 *
 * Limits here: the base64 text is at most 1024 characters, the salt and subkey at most 256 bytes each, and
 * the iteration count times the subkey's PRF output blocks at most PasswordHasherOptions.MaxVerificationPbkdf2Iterations.
 * A match is always reported as SuccessRehashNeeded so the user moves to the configured algorithm.
 */

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SecurityKit.Passwords.Pbkdf2;

/// <summary>Verifies ASP.NET Core Identity V2/V3 PBKDF2 hashes (format at the top of this file).</summary>
internal static class IdentityPbkdf2
{
    public const int MaxTextLength = 1024;
    private const int MaxPart = 256;

    /// <summary>Identity hashes are padded base64 that never starts with '$'.</summary>
    public static bool LooksLikeIdentity(string text) => text.Length is >= 8 and <= MaxTextLength && text[0] != '$' && text.Length % 4 == 0;

    /// <summary>Returns true/false for a match, or <see langword="null"/> with a reason when the hash is unusable.</summary>
    public static bool? Verify(ReadOnlySpan<byte> passwordUtf8, string stored, int maxIterations, out string? reason)
    {
        reason = PasswordReasonCodes.MalformedHash;
        if (stored.Length > MaxTextLength)
        {
            return null;
        }

        Span<byte> decoded = stackalloc byte[MaxTextLength / 4 * 3];
        if (!Convert.TryFromBase64String(stored, decoded, out var length) || length == 0)
        {
            return null;
        }

        decoded = decoded[..length];
        switch (decoded[0])
        {
            case 0x00:
                if (length != 49)
                {
                    return null;
                }

                reason = null;
                return Check(passwordUtf8, decoded.Slice(1, 16), decoded.Slice(17, 32), 1000, HashAlgorithmName.SHA1);

            case 0x01:
                if (length < 13 + 16 + 16)
                {
                    return null;
                }

                var prf = BinaryPrimitives.ReadUInt32BigEndian(decoded[1..]);
                var iterations = BinaryPrimitives.ReadUInt32BigEndian(decoded[5..]);
                var saltLength = BinaryPrimitives.ReadUInt32BigEndian(decoded[9..]);
                HashAlgorithmName algorithm;
                int prfBytes;
                switch (prf)
                {
                    case 0: algorithm = HashAlgorithmName.SHA1; prfBytes = 20; break;
                    case 1: algorithm = HashAlgorithmName.SHA256; prfBytes = 32; break;
                    case 2: algorithm = HashAlgorithmName.SHA512; prfBytes = 64; break;
                    default: reason = PasswordReasonCodes.UnsupportedAlgorithm; return null;
                }

                if (saltLength is < 16 or > MaxPart || iterations == 0)
                {
                    return null;
                }

                if (iterations > (uint)maxIterations)
                {
                    reason = PasswordReasonCodes.CostAboveLimit;
                    return null;
                }

                var subkeyLength = length - 13 - (int)saltLength;
                if (subkeyLength is < 16 or > MaxPart)
                {
                    return null;
                }

                // PBKDF2 runs the iterations once per output block of the PRF: a 256-byte SHA-1 subkey is 13 blocks, so
                // the iteration cap alone let one stored hash cost 13 times the cap (found in review). The cap bounds
                // iterations × blocks; Identity's own hashes have one block (SHA-256/512) or two (SHA-1, 32 bytes).
                if ((ulong)iterations * (ulong)((subkeyLength + prfBytes - 1) / prfBytes) > (ulong)maxIterations)
                {
                    reason = PasswordReasonCodes.CostAboveLimit;
                    return null;
                }

                reason = null;
                return Check(passwordUtf8, decoded.Slice(13, (int)saltLength), decoded.Slice(13 + (int)saltLength, subkeyLength), (int)iterations, algorithm);

            default:
                reason = PasswordReasonCodes.UnsupportedAlgorithm;
                return null;
        }
    }

    private static bool Check(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> expected, int iterations, HashAlgorithmName algorithm)
    {
        Span<byte> actual = stackalloc byte[expected.Length];
        try
        {
            Rfc2898DeriveBytes.Pbkdf2(password, salt, actual, iterations, algorithm);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(actual);
        }
    }

    internal static Encoding StrictUtf8 { get; } = new UTF8Encoding(false, true);
}
