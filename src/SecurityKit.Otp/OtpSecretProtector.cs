/*
 * Protected OTP secret: the opaque string a host persists instead of the raw shared secret.
 *
 *   "otp1." KEYID "." BASE64URL(nonce || ciphertext || tag)
 *
 *   KEYID       id of the key-ring key (purpose "otp-secret-protection") that encrypted it, 1–32 chars [A-Za-z0-9_-]
 *   nonce       12 random bytes (RandomNumberGenerator)
 *   ciphertext  AES-256-GCM encryption of the 24 + L byte plaintext below
 *   tag         16-byte GCM tag
 *   AES key     HKDF-SHA256(ikm = key material, salt = none, info = "SecurityKit.Otp.SecretProtection.v1"), 32 bytes
 *   AAD         "SecurityKit.Otp.Secret.v1" 0x00 KEYID 0x00 UTF-8(userId)
 *               (binds the string to its user: copied into another user's row it does not decrypt)
 *
 *   plaintext, big-endian:
 *     [0]      format version = 1
 *     [1]      kind: 1 = TOTP, 2 = HOTP
 *     [2]      state: 0 = pending enrollment, 1 = confirmed
 *     [3]      algorithm: 0 = SHA-1, 1 = SHA-256, 2 = SHA-512
 *     [4]      digits, 6–8
 *     [5..6]   period in seconds, uint16 (TOTP: 1–3600; HOTP: 0)
 *     [7..14]  created at, int64 Unix seconds (pending: start of the enrollment; confirmed: confirmation time)
 *     [15..22] credential id, 8 random bytes (names the HOTP counter in the store)
 *     [23]     secret length L, 16–64
 *     [24..]   the secret, L bytes
 *
 * Total string length for a 20-byte secret and key id "k1": 5 + 2 + 1 + base64url(12 + 44 + 16) = 104 characters.
 */
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SecurityKit.Keys;
using SecurityKit.Primitives;

namespace SecurityKit.Otp;

internal enum OtpKind : byte
{
    Totp = 1,
    Hotp = 2,
}

/// <summary>A decrypted OTP credential. <b>Security:</b> holds the raw secret; never log it.</summary>
internal sealed class OtpCredential
{
    public required OtpKind Kind { get; init; }

    public required bool Confirmed { get; init; }

    public required OtpAlgorithm Algorithm { get; init; }

    public required int Digits { get; init; }

    public required int PeriodSeconds { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required byte[] CredentialId { get; init; }

    public required byte[] Secret { get; init; }

    public required string KeyId { get; init; }

    /// <summary>The replay counter of this credential: its own, so counters of credentials with different periods (whose
    /// step numbers are not comparable) or of several devices never meet; stable across re-protection.</summary>
    public string CounterName => (Kind == OtpKind.Totp ? "totp." : "hotp.") + Convert.ToHexStringLower(CredentialId);

    public override string ToString() => $"OtpCredential({Kind}, confirmed={Confirmed})";
}

/// <summary>Encrypts OTP secrets at rest with AES-256-GCM under the key ring's <see cref="KeyPurposes.OtpSecretProtection"/> key.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class OtpSecretProtector(ISecretKeyRing keyRing)
{
    internal const string Prefix = "otp1.";
    internal const int MaxProtectedLength = 512;
    internal const int MinSecretLength = 16;
    internal const int MaxSecretLength = 64;
    private const int HeaderLength = 24;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    public string Protect(string userId, OtpCredential credential)
    {
        var key = keyRing.GetActiveKey(KeyPurposes.OtpSecretProtection);
        var secret = credential.Secret;
        if (secret.Length is < MinSecretLength or > MaxSecretLength)
        {
            throw new ArgumentException($"The OTP secret must be {MinSecretLength} to {MaxSecretLength} bytes.", nameof(credential));
        }

        var plaintextLength = HeaderLength + secret.Length;
        Span<byte> plaintext = stackalloc byte[HeaderLength + MaxSecretLength];
        plaintext = plaintext[..plaintextLength];
        Span<byte> payload = stackalloc byte[NonceLength + HeaderLength + MaxSecretLength + TagLength];
        payload = payload[..(NonceLength + plaintextLength + TagLength)];
        Span<byte> aesKey = stackalloc byte[32];
        try
        {
            plaintext[0] = 1;
            plaintext[1] = (byte)credential.Kind;
            plaintext[2] = credential.Confirmed ? (byte)1 : (byte)0;
            plaintext[3] = (byte)credential.Algorithm;
            plaintext[4] = (byte)credential.Digits;
            BinaryPrimitives.WriteUInt16BigEndian(plaintext[5..], (ushort)credential.PeriodSeconds);
            BinaryPrimitives.WriteInt64BigEndian(plaintext[7..], credential.CreatedAt.ToUnixTimeSeconds());
            credential.CredentialId.AsSpan(0, 8).CopyTo(plaintext[15..]);
            plaintext[23] = (byte)secret.Length;
            secret.CopyTo(plaintext[24..]);

            var nonce = payload[..NonceLength];
            RandomNumberGenerator.Fill(nonce);
            DeriveKey(key, aesKey);
            using (var aes = new AesGcm(aesKey, TagLength))
            {
                aes.Encrypt(nonce, plaintext, payload.Slice(NonceLength, plaintextLength), payload[^TagLength..], Aad(key.KeyId, userId));
            }

            return Prefix + key.KeyId + "." + Base64Url.Encode(payload);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(aesKey);
        }
    }

    /// <summary>Decrypts; every malformed, tampered, foreign or unknown-key input gives <see langword="false"/>.</summary>
    public bool TryUnprotect(string userId, string? protectedSecret, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OtpCredential? credential)
    {
        credential = null;
        if (protectedSecret is null || protectedSecret.Length > MaxProtectedLength || !protectedSecret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = protectedSecret.AsSpan(Prefix.Length);
        var dot = rest.IndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        var keyId = rest[..dot].ToString();
        if (!SecretKey.IsValidKeyId(keyId) || !keyRing.TryGetKey(KeyPurposes.OtpSecretProtection, keyId, out var key))
        {
            return false;
        }

        Span<byte> payload = stackalloc byte[NonceLength + HeaderLength + MaxSecretLength + TagLength];
        var encoded = rest[(dot + 1)..];
        if (Base64Url.GetMaxDecodedLength(encoded.Length) > payload.Length
            || !Base64Url.TryDecode(encoded, payload, out var payloadLength)
            || payloadLength < NonceLength + HeaderLength + MinSecretLength + TagLength)
        {
            return false;
        }

        payload = payload[..payloadLength];
        var plaintextLength = payloadLength - NonceLength - TagLength;
        Span<byte> plaintext = stackalloc byte[HeaderLength + MaxSecretLength];
        plaintext = plaintext[..plaintextLength];
        Span<byte> aesKey = stackalloc byte[32];
        try
        {
            DeriveKey(key, aesKey);
            using (var aes = new AesGcm(aesKey, TagLength))
            {
                try
                {
                    aes.Decrypt(payload[..NonceLength], payload.Slice(NonceLength, plaintextLength), payload[^TagLength..], plaintext, Aad(keyId, userId));
                }
                catch (AuthenticationTagMismatchException)
                {
                    return false;
                }
            }

            var secretLength = plaintext[23];
            var algorithm = (OtpAlgorithm)plaintext[3];
            var kind = (OtpKind)plaintext[1];
            var period = BinaryPrimitives.ReadUInt16BigEndian(plaintext[5..]);
            var createdAt = BinaryPrimitives.ReadInt64BigEndian(plaintext[7..]);
            if (plaintext[0] != 1
                || kind is not (OtpKind.Totp or OtpKind.Hotp)
                || plaintext[2] > 1
                || algorithm is not (OtpAlgorithm.Sha1 or OtpAlgorithm.Sha256 or OtpAlgorithm.Sha512)
                || plaintext[4] is < OtpCore.MinDigits or > OtpCore.MaxDigits
                || (kind == OtpKind.Totp ? period is < 1 or > 3600 : period != 0)
                || createdAt < 0 || createdAt > 253402300799
                || secretLength is < MinSecretLength or > MaxSecretLength
                || HeaderLength + secretLength != plaintextLength)
            {
                return false;
            }

            credential = new OtpCredential
            {
                Kind = kind,
                Confirmed = plaintext[2] == 1,
                Algorithm = algorithm,
                Digits = plaintext[4],
                PeriodSeconds = period,
                CreatedAt = DateTimeOffset.FromUnixTimeSeconds(createdAt),
                CredentialId = plaintext.Slice(15, 8).ToArray(),
                Secret = plaintext.Slice(24, secretLength).ToArray(),
                KeyId = keyId,
            };
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(aesKey);
        }
    }

    /// <summary>Whether the string was protected with a key other than the active one (so it should be re-protected).</summary>
    public bool IsStale(OtpCredential credential) =>
        keyRing.TryGetActiveKey(KeyPurposes.OtpSecretProtection, out var active) && !string.Equals(active.KeyId, credential.KeyId, StringComparison.Ordinal);

    private static void DeriveKey(SecretKey key, Span<byte> destination) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Material, destination, salt: [], info: "SecurityKit.Otp.SecretProtection.v1"u8);

    private static byte[] Aad(string keyId, string userId)
    {
        var prefix = "SecurityKit.Otp.Secret.v1"u8;
        var aad = new byte[prefix.Length + 1 + keyId.Length + 1 + Encoding.UTF8.GetByteCount(userId)];
        prefix.CopyTo(aad);
        var o = prefix.Length + 1;
        o += Encoding.ASCII.GetBytes(keyId, aad.AsSpan(o));
        Encoding.UTF8.GetBytes(userId, aad.AsSpan(o + 1));
        return aad;
    }
}
