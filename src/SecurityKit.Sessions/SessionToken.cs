/*
 * Session token (the bearer secret handed to the client), version 1, ASCII, at most 96 characters:
 *
 *   s1.<keyId>.<partition>.<secret>
 *
 *   keyId      id of the KeyPurposes.TokenHashing key that hashes this token (1–32 chars [A-Za-z0-9_-]).
 *   partition  base64url of the first 12 bytes of SHA-256("SecurityKit.Sessions.partition.v1" 0x00 UTF-8(userId)),
 *              16 chars: groups a user's sessions in one store slot (Redis cluster hash tag). Unkeyed on
 *              purpose so it survives key rotation; it only identifies a user to someone who already
 *              holds the token or the store.
 *   secret     base64url of 32 bytes from RandomNumberGenerator (256 bits), 43 chars, canonical.
 *
 * Stored id hash (the session's identity in the store; the token itself is never stored):
 *
 *   idHash = base64url(HMAC-SHA256(key, "SecurityKit.Sessions.id.v1" 0x00 partition 0x00 secret-bytes)), 43 chars.
 */
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using SecurityKit.Keys;
using SecurityKit.Primitives;

namespace SecurityKit.Sessions;

internal static class SessionToken
{
    public const int SecretSize = 32;
    public const int MaxLength = 3 + SecretKey.MaximumKeyIdLength + 1 + PartitionLength + 1 + SecretLength;
    private const int PartitionLength = 16;
    private const int SecretLength = 43;

    public static string Partition(string userId)
    {
        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes("SecurityKit.Sessions.partition.v1\0" + userId);
        SHA256.HashData(bytes, hash);
        return Base64Url.Encode(hash[..12]);
    }

    public static (string Token, string IdHash) Create(SecretKey key, string partition)
    {
        Span<byte> secret = stackalloc byte[SecretSize];
        try
        {
            RandomNumberGenerator.Fill(secret);
            return ($"s1.{key.KeyId}.{partition}.{Base64Url.Encode(secret)}", Hash(key, partition, secret));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public static bool TryParse(string? token, [NotNullWhen(true)] out string? keyId, [NotNullWhen(true)] out string? partition, Span<byte> secret)
    {
        keyId = null;
        partition = null;
        if (token is null || token.Length > MaxLength || !token.StartsWith("s1.", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = token.AsSpan(3);
        var dot = rest.IndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        var kid = rest[..dot].ToString();
        rest = rest[(dot + 1)..];
        if (!SecretKey.IsValidKeyId(kid) || rest.Length != PartitionLength + 1 + SecretLength || rest[PartitionLength] != '.')
        {
            return false;
        }

        Span<byte> p = stackalloc byte[16];
        if (!Base64Url.TryDecode(rest[..PartitionLength], p, out var pw) || pw != 12 ||
            !Base64Url.TryDecode(rest[(PartitionLength + 1)..], secret, out var sw) || sw != SecretSize)
        {
            return false;
        }

        keyId = kid;
        partition = rest[..PartitionLength].ToString();
        return true;
    }

    public static string Hash(SecretKey key, string partition, ReadOnlySpan<byte> secret)
    {
        Span<byte> input = stackalloc byte[27 + 1 + PartitionLength + 1 + SecretSize];
        Span<byte> mac = stackalloc byte[32];
        try
        {
            "SecurityKit.Sessions.id.v1\0"u8.CopyTo(input);
            var length = 27;
            length += Encoding.ASCII.GetBytes(partition, input[length..]);
            input[length++] = 0;
            secret.CopyTo(input[length..]);
            length += secret.Length;
            HMACSHA256.HashData(key.Material, input[..length], mac);
            return Base64Url.Encode(mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }
}
