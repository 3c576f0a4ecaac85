using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using SecurityKit.Keys;
using SecurityKit.Tokens.Jose;

namespace SecurityKit.Tokens.Keys;

/// <summary>
/// A token signing or verification key: a key id (<c>kid</c>), the one algorithm it is used with, and
/// the key material (an HMAC secret, an ECDSA or RSA key).
/// </summary>
/// <remarks>
/// <para>The key decides the algorithm: a token whose <c>alg</c> header differs from
/// <see cref="Algorithm"/> is rejected, so an HMAC key can never verify an ECDSA-labelled token and a
/// public key can never be used as an HMAC secret (the HS/RS confusion of RFC 8725 §2.1).</para>
/// <para>Floors enforced at construction: HMAC keys at least 256 bits and at least the hash size
/// (RFC 7518 §3.2), ECDSA keys on the curve of their algorithm, RSA keys at least 2048 bits.</para>
/// <para><b>Security:</b> key material never appears in <see cref="ToString"/> or exception messages.
/// The key owns the <see cref="ECDsa"/>/<see cref="RSA"/> instance passed to it; do not dispose it while
/// the key is in use. Instances are immutable and thread-safe (BCL asymmetric keys are safe for
/// concurrent sign/verify on every supported platform; HMAC uses one keyed context per thread, held in a
/// thread-static field for the last HMAC key used on that thread, so the secret also lives in that native context).</para>
/// </remarks>
public sealed class SigningKey
{
    // One keyed HMAC context per thread for the last HMAC key used on it: resetting a keyed context is
    // cheaper than the one-shot HashData, which re-derives the HMAC key schedule on every call.
    [ThreadStatic]
    private static IncrementalHash? t_hmac;

    [ThreadStatic]
    private static SigningKey? t_hmacKey;

    private readonly byte[]? _secret;
    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;
    private readonly byte[] _kidUtf8;

    private SigningKey(string keyId, JwsAlgorithm algorithm, byte[]? secret, ECDsa? ecdsa, RSA? rsa, bool canSign)
    {
        KeyId = keyId;
        Algorithm = algorithm;
        _secret = secret;
        _ecdsa = ecdsa;
        _rsa = rsa;
        CanSign = canSign;
        _kidUtf8 = Encoding.UTF8.GetBytes(keyId);
    }

    /// <summary>The longest accepted key id, in characters.</summary>
    public const int MaximumKeyIdLength = 64;

    /// <summary>Gets the key id written to the <c>kid</c> header of every token signed with this key.</summary>
    public string KeyId { get; }

    /// <summary>Gets the only algorithm this key signs and verifies with.</summary>
    public JwsAlgorithm Algorithm { get; }

    /// <summary>Gets whether the key holds private material (HMAC secrets always do).</summary>
    public bool CanSign { get; }

    /// <summary>Gets whether the key is asymmetric, i.e. can be published in a JWKS.</summary>
    public bool IsAsymmetric => _secret is null;

    internal ReadOnlySpan<byte> KeyIdUtf8 => _kidUtf8;

    /// <summary>Gets the largest signature this key produces, in bytes.</summary>
    public int SignatureSize => Algorithm switch
    {
        JwsAlgorithm.HS256 or JwsAlgorithm.HS384 or JwsAlgorithm.HS512 => JwsAlgorithms.HmacSize(Algorithm),
        JwsAlgorithm.ES256 => 64,
        JwsAlgorithm.ES384 => 96,
        _ => (_rsa!.KeySize + 7) / 8,
    };

    /// <summary>Creates an HMAC key.</summary>
    /// <param name="keyId">The key id: 1–64 printable ASCII characters other than quote and backslash.</param>
    /// <param name="algorithm">HS256, HS384 or HS512.</param>
    /// <param name="secret">The secret, at least 32 bytes and at least the hash size; copied.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The key id, algorithm or secret size is not valid.</exception>
    public static SigningKey CreateHmac(string keyId, JwsAlgorithm algorithm, ReadOnlySpan<byte> secret)
    {
        ValidateKeyId(keyId);
        if (!JwsAlgorithms.IsSymmetric(algorithm))
        {
            throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: {algorithm} is not an HMAC algorithm; use HS256, HS384 or HS512.", nameof(algorithm));
        }

        var minimum = Math.Max(32, JwsAlgorithms.HmacSize(algorithm));
        if (secret.Length < minimum)
        {
            throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: an {algorithm} secret must be at least {minimum * 8} bits; this one is {secret.Length * 8} bits.", nameof(secret));
        }

        if (secret.Length > 1024)
        {
            throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: an HMAC secret longer than 1024 bytes is not accepted.", nameof(secret));
        }

        return new SigningKey(keyId, algorithm, secret.ToArray(), null, null, canSign: true);
    }

    /// <summary>Creates a new random HMAC key of the hash size (at least 256 bits).</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="algorithm">HS256, HS384 or HS512.</param>
    /// <returns>The key.</returns>
    public static SigningKey GenerateHmac(string keyId, JwsAlgorithm algorithm = JwsAlgorithm.HS256)
    {
        Span<byte> secret = stackalloc byte[64];
        var size = Math.Max(32, JwsAlgorithms.IsSymmetric(algorithm) ? JwsAlgorithms.HmacSize(algorithm) : 32);
        RandomNumberGenerator.Fill(secret[..size]);
        try
        {
            return CreateHmac(keyId, algorithm, secret[..size]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Creates an HS256 key derived (HKDF-SHA256) from a key-ring key; the key id is the ring key's id.</summary>
    /// <param name="ringKey">The key-ring key, e.g. the active key for purpose <see cref="TokenKeyPurposes.Signing"/>.</param>
    /// <returns>The key, with <see cref="KeyId"/> = <c>ring-</c> + the ring key id.</returns>
    public static SigningKey FromSecretKey(SecretKey ringKey)
    {
        ArgumentNullException.ThrowIfNull(ringKey);
        Span<byte> derived = stackalloc byte[32];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, ringKey.Material, derived, salt: "SecurityKit.Tokens.v1"u8, info: "jws-hs256"u8);
            return CreateHmac("ring-" + ringKey.KeyId, JwsAlgorithm.HS256, derived);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    /// <summary>Creates an ECDSA key (ES256 on P-256 or ES384 on P-384). The key takes ownership of <paramref name="ecdsa"/>.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="ecdsa">The ECDSA key, private (can sign) or public only (verifies).</param>
    /// <returns>The key; its algorithm follows from the curve.</returns>
    /// <exception cref="ArgumentException">The curve is not P-256 or P-384.</exception>
    public static SigningKey FromEcdsa(string keyId, ECDsa ecdsa)
    {
        ValidateKeyId(keyId);
        ArgumentNullException.ThrowIfNull(ecdsa);
        var algorithm = ecdsa.KeySize switch
        {
            256 => JwsAlgorithm.ES256,
            384 => JwsAlgorithm.ES384,
            _ => throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: ECDSA keys must be on P-256 (ES256) or P-384 (ES384); this one has {ecdsa.KeySize} bits.", nameof(ecdsa)),
        };
        var parameters = ecdsa.ExportParameters(false);
        var expected = algorithm == JwsAlgorithm.ES256 ? ECCurve.NamedCurves.nistP256.Oid : ECCurve.NamedCurves.nistP384.Oid;
        if (!parameters.Curve.IsNamed || (parameters.Curve.Oid.Value != expected.Value && parameters.Curve.Oid.FriendlyName != expected.FriendlyName))
        {
            throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: ECDSA keys must be on the named curves P-256 or P-384.", nameof(ecdsa));
        }

        return new SigningKey(keyId, algorithm, null, ecdsa, null, canSign: HasPrivateKey(ecdsa, algorithm));
    }

    /// <summary>Generates a new ECDSA key.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="algorithm">ES256 or ES384.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> is not an ECDSA algorithm.</exception>
    public static SigningKey GenerateEcdsa(string keyId, JwsAlgorithm algorithm = JwsAlgorithm.ES256) => algorithm switch
    {
        JwsAlgorithm.ES256 => FromEcdsa(keyId, ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        JwsAlgorithm.ES384 => FromEcdsa(keyId, ECDsa.Create(ECCurve.NamedCurves.nistP384)),
        _ => throw new ArgumentException($"{algorithm} is not an ECDSA algorithm.", nameof(algorithm)),
    };

    /// <summary>Creates an RSA key for RS256 or PS256. The key takes ownership of <paramref name="rsa"/>.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="rsa">The RSA key, at least 2048 bits, private or public only.</param>
    /// <param name="algorithm">RS256 or PS256.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The key is smaller than 2048 bits or the algorithm is not RSA.</exception>
    public static SigningKey FromRsa(string keyId, RSA rsa, JwsAlgorithm algorithm = JwsAlgorithm.PS256)
    {
        ValidateKeyId(keyId);
        ArgumentNullException.ThrowIfNull(rsa);
        if (algorithm is not (JwsAlgorithm.RS256 or JwsAlgorithm.PS256))
        {
            throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: {algorithm} is not an RSA algorithm; use RS256 or PS256.", nameof(algorithm));
        }

        if (rsa.KeySize < 2048)
        {
            throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: RSA keys must be at least 2048 bits; this one has {rsa.KeySize}.", nameof(rsa));
        }

        return new SigningKey(keyId, algorithm, null, null, rsa, canSign: HasPrivateKey(rsa, algorithm));
    }

    /// <summary>Creates a key from PEM text: an EC or RSA private or public key (PKCS#8, SEC1, PKCS#1, SPKI).</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="algorithm">The algorithm: ES256/ES384 (must match the curve), RS256 or PS256.</param>
    /// <param name="pem">The PEM text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The PEM does not hold a key for <paramref name="algorithm"/>, or the key is below a floor.</exception>
    public static SigningKey FromPem(string keyId, JwsAlgorithm algorithm, string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        ValidateKeyId(keyId);
        switch (algorithm)
        {
            case JwsAlgorithm.ES256:
            case JwsAlgorithm.ES384:
                var ecdsa = ECDsa.Create();
                try
                {
                    ecdsa.ImportFromPem(pem);
                }
                catch (Exception e) when (e is ArgumentException or CryptographicException)
                {
                    ecdsa.Dispose();
                    throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: the PEM text is not an EC key.", nameof(pem));
                }

                var key = FromEcdsa(keyId, ecdsa);
                if (key.Algorithm != algorithm)
                {
                    ecdsa.Dispose();
                    throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: the EC key's curve fits {key.Algorithm}, not {algorithm}.", nameof(algorithm));
                }

                return key;
            case JwsAlgorithm.RS256:
            case JwsAlgorithm.PS256:
                var rsa = RSA.Create();
                try
                {
                    rsa.ImportFromPem(pem);
                }
                catch (Exception e) when (e is ArgumentException or CryptographicException)
                {
                    rsa.Dispose();
                    throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: the PEM text is not an RSA key.", nameof(pem));
                }

                return FromRsa(keyId, rsa, algorithm);
            default:
                throw new ArgumentException($"Key {KeyIdForMessage(keyId)}: PEM keys are for ES256, ES384, RS256 or PS256; use base64 for {algorithm}.", nameof(algorithm));
        }
    }

    /// <summary>Signs <paramref name="data"/> into <paramref name="destination"/>.</summary>
    /// <param name="data">The JWS signing input (ASCII <c>header.payload</c>).</param>
    /// <param name="destination">Receives the signature; at least <see cref="SignatureSize"/> bytes.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="InvalidOperationException">The key holds no private material.</exception>
    public int Sign(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (!CanSign)
        {
            throw new InvalidOperationException($"Key '{KeyId}' is a public key and cannot sign.");
        }

        if (destination.Length < SignatureSize)
        {
            // Checked up front: a short buffer must not leave data appended in the per-thread HMAC context.
            throw new ArgumentException($"The destination must hold at least {SignatureSize} bytes for key '{KeyId}'.", nameof(destination));
        }

        int written;
        var signed = Algorithm switch
        {
            JwsAlgorithm.HS256 or JwsAlgorithm.HS384 or JwsAlgorithm.HS512 => (written = Mac(data, destination)) > 0,
            JwsAlgorithm.ES256 => _ecdsa!.TrySignData(data, destination, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out written),
            JwsAlgorithm.ES384 => _ecdsa!.TrySignData(data, destination, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out written),
            JwsAlgorithm.RS256 => _rsa!.TrySignData(data, destination, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out written),
            _ => _rsa!.TrySignData(data, destination, HashAlgorithmName.SHA256, RSASignaturePadding.Pss, out written),
        };
        if (!signed || written != SignatureSize)
        {
            throw new CryptographicException($"Signing with key '{KeyId}' ({Algorithm}) failed.");
        }

        return written;
    }

    /// <summary>Verifies a signature with this key's algorithm.</summary>
    /// <param name="data">The JWS signing input.</param>
    /// <param name="signature">The signature bytes.</param>
    /// <returns><see langword="true"/> when the signature is valid; HMAC tags are compared in fixed time and must be full length.</returns>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        switch (Algorithm)
        {
            case JwsAlgorithm.HS256:
            {
                if (signature.Length != 32)
                {
                    return false;
                }

                Span<byte> mac = stackalloc byte[32];
                Mac(data, mac);
                return CryptographicOperations.FixedTimeEquals(mac, signature);
            }

            case JwsAlgorithm.HS384:
            {
                if (signature.Length != 48)
                {
                    return false;
                }

                Span<byte> mac = stackalloc byte[48];
                Mac(data, mac);
                return CryptographicOperations.FixedTimeEquals(mac, signature);
            }

            case JwsAlgorithm.HS512:
            {
                if (signature.Length != 64)
                {
                    return false;
                }

                Span<byte> mac = stackalloc byte[64];
                Mac(data, mac);
                return CryptographicOperations.FixedTimeEquals(mac, signature);
            }

            case JwsAlgorithm.ES256:
                return signature.Length == 64 && _ecdsa!.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            case JwsAlgorithm.ES384:
                return signature.Length == 96 && _ecdsa!.VerifyData(data, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            case JwsAlgorithm.RS256:
                return signature.Length == (_rsa!.KeySize + 7) / 8 && _rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            default:
                return signature.Length == (_rsa!.KeySize + 7) / 8 && _rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }
    }

    private int Mac(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hmac = t_hmac;
        if (!ReferenceEquals(t_hmacKey, this) || hmac is null)
        {
            hmac?.Dispose();
            var name = Algorithm switch
            {
                JwsAlgorithm.HS256 => HashAlgorithmName.SHA256,
                JwsAlgorithm.HS384 => HashAlgorithmName.SHA384,
                _ => HashAlgorithmName.SHA512,
            };
            t_hmac = hmac = IncrementalHash.CreateHMAC(name, _secret!);
            t_hmacKey = this;
        }

        hmac.AppendData(data);
        return hmac.GetHashAndReset(destination);
    }

    /// <summary>Writes the public JWK (RFC 7517) of an asymmetric key; HMAC keys are never exported.</summary>
    /// <param name="writer">The JSON writer.</param>
    /// <exception cref="InvalidOperationException">The key is an HMAC key.</exception>
    public void WritePublicJwk(System.Text.Json.Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!IsAsymmetric)
        {
            throw new InvalidOperationException($"Key '{KeyId}' is an HMAC key; HMAC secrets are never published.");
        }

        writer.WriteStartObject();
        if (_ecdsa is not null)
        {
            var p = _ecdsa.ExportParameters(false);
            writer.WriteString("kty", "EC");
            writer.WriteString("crv", Algorithm == JwsAlgorithm.ES256 ? "P-256" : "P-384");
            writer.WriteString("x", SecurityKit.Primitives.Base64Url.Encode(p.Q.X));
            writer.WriteString("y", SecurityKit.Primitives.Base64Url.Encode(p.Q.Y));
        }
        else
        {
            var p = _rsa!.ExportParameters(false);
            writer.WriteString("kty", "RSA");
            writer.WriteString("n", SecurityKit.Primitives.Base64Url.Encode(p.Modulus));
            writer.WriteString("e", SecurityKit.Primitives.Base64Url.Encode(p.Exponent));
        }

        writer.WriteString("kid", KeyId);
        writer.WriteString("alg", JwsAlgorithms.GetName(Algorithm));
        writer.WriteString("use", "sig");
        writer.WriteEndObject();
    }

    /// <summary>Returns the key id, algorithm and kind only, never key material.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"SigningKey(kid={KeyId}, alg={JwsAlgorithms.GetName(Algorithm)}, {(CanSign ? "private" : "public")})";

    /// <summary>
    /// The key id as it may appear in an exception message: quoted when it is valid and at most
    /// <see cref="MaximumKeyIdLengthInMessages"/> characters, otherwise "(not shown)". A configuration with the key id
    /// and the key swapped must not put key material into a startup exception that hosts log (found in review): an
    /// HMAC secret in configuration form (standard base64 of at least 32 bytes) has at least 44 characters and a PEM
    /// far more, while an RFC 7638 thumbprint, a GUID or a date-based id fits.
    /// </summary>
    /// <param name="keyId">The key id a caller or a configuration gave.</param>
    /// <returns>The text for a message.</returns>
    internal static string KeyIdForMessage(string? keyId) => CanShowKeyId(keyId) ? $"'{keyId}'" : "(not shown)";

    /// <summary>Whether <see cref="KeyIdForMessage"/> shows <paramref name="keyId"/>.</summary>
    /// <param name="keyId">The key id.</param>
    /// <returns><see langword="true"/> when it is valid and short enough that it cannot be key material.</returns>
    internal static bool CanShowKeyId([NotNullWhen(true)] string? keyId) => IsValidKeyId(keyId) && keyId.Length <= MaximumKeyIdLengthInMessages;

    /// <summary>The longest key id <see cref="KeyIdForMessage"/> shows (one less than a base64 256-bit secret).</summary>
    internal const int MaximumKeyIdLengthInMessages = 43;

    internal static bool IsValidKeyId([NotNullWhen(true)] string? keyId)
    {
        if (string.IsNullOrEmpty(keyId) || keyId.Length > MaximumKeyIdLength)
        {
            return false;
        }

        foreach (var c in keyId)
        {
            if (c is < '!' or > '~' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    private static void ValidateKeyId(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (!IsValidKeyId(keyId))
        {
            throw new ArgumentException($"Signing key id is not valid: use 1–{MaximumKeyIdLength} printable ASCII characters without spaces, quotes or backslashes.", nameof(keyId));
        }
    }

    /// <summary>Whether the key can sign: a trial signature, not an export, so a non-exportable private key (HSM, CNG,
    /// keychain) counts, and no copy of the private parameters is left in managed memory (found in review: the export
    /// copied D, P, Q, … into arrays that were never cleared, and a non-exportable key was taken for a public one).</summary>
    private static bool HasPrivateKey(AsymmetricAlgorithm key, JwsAlgorithm algorithm)
    {
        ReadOnlySpan<byte> probe = "SecurityKit.SigningKey.probe"u8;
        try
        {
            // The padding the key will sign with: a key restricted to PSS (an HSM or KMS policy) refuses PKCS#1.
            var padding = algorithm is JwsAlgorithm.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            return key switch
            {
                ECDsa e => e.SignData(probe, HashAlgorithmName.SHA256).Length > 0,
                RSA r => r.SignData(probe, HashAlgorithmName.SHA256, padding).Length > 0,
                _ => false,
            };
        }
        catch (Exception e) when (e is CryptographicException or NotSupportedException)
        {
            return false;
        }
    }
}
