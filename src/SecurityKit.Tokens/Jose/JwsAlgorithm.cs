/*
 * JWS algorithms supported by SecurityKit.Tokens (RFC 7518 §3.1):
 *
 *   name   | family | hash    | signature bytes        | key
 *   -------+--------+---------+------------------------+-----------------------------------
 *   HS256  | HMAC   | SHA-256 | 32                     | ≥ 32 bytes random
 *   HS384  | HMAC   | SHA-384 | 48                     | ≥ 48 bytes random
 *   HS512  | HMAC   | SHA-512 | 64                     | ≥ 64 bytes random
 *   ES256  | ECDSA  | SHA-256 | 64 (R || S, P1363)     | P-256
 *   ES384  | ECDSA  | SHA-384 | 96 (R || S, P1363)     | P-384
 *   RS256  | RSA    | SHA-256 | modulus size           | ≥ 2048 bits, PKCS#1 v1.5 (interop only)
 *   PS256  | RSA    | SHA-256 | modulus size           | ≥ 2048 bits, PSS, salt = 32 bytes
 *
 * "none" is not a member: an unsecured JWS is never accepted.
 */
namespace SecurityKit.Tokens.Jose;

/// <summary>A JWS signature algorithm (RFC 7518 §3.1). The key decides the algorithm, never the token.</summary>
/// <remarks>The zero value is <see cref="HS256"/>; <c>none</c> has no member on purpose.</remarks>
public enum JwsAlgorithm
{
    /// <summary>HMAC with SHA-256.</summary>
    HS256 = 0,

    /// <summary>HMAC with SHA-384.</summary>
    HS384 = 1,

    /// <summary>HMAC with SHA-512.</summary>
    HS512 = 2,

    /// <summary>ECDSA on P-256 with SHA-256, signature in IEEE P1363 form (R || S).</summary>
    ES256 = 3,

    /// <summary>ECDSA on P-384 with SHA-384, signature in IEEE P1363 form (R || S).</summary>
    ES384 = 4,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256; for interoperability with existing verifiers.</summary>
    RS256 = 5,

    /// <summary>RSASSA-PSS with SHA-256 and MGF1-SHA-256.</summary>
    PS256 = 6,
}

/// <summary>Names and properties of <see cref="JwsAlgorithm"/> values.</summary>
/// <remarks>This type is thread-safe.</remarks>
public static class JwsAlgorithms
{
    /// <summary>Gets the registered JOSE name (<c>"HS256"</c>…).</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns>The <c>alg</c> header value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not defined.</exception>
    public static string GetName(JwsAlgorithm algorithm) => algorithm switch
    {
        JwsAlgorithm.HS256 => "HS256",
        JwsAlgorithm.HS384 => "HS384",
        JwsAlgorithm.HS512 => "HS512",
        JwsAlgorithm.ES256 => "ES256",
        JwsAlgorithm.ES384 => "ES384",
        JwsAlgorithm.RS256 => "RS256",
        JwsAlgorithm.PS256 => "PS256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown JWS algorithm."),
    };

    /// <summary>Parses a JOSE algorithm name exactly (case-sensitive, as RFC 7515 requires).</summary>
    /// <param name="name">The name, e.g. <c>"ES256"</c>.</param>
    /// <param name="algorithm">The algorithm when known.</param>
    /// <returns><see langword="true"/> when the name is a supported algorithm.</returns>
    public static bool TryParse(string? name, out JwsAlgorithm algorithm) => TryParse(System.Text.Encoding.UTF8.GetBytes(name ?? string.Empty), out algorithm);

    internal static bool TryParse(ReadOnlySpan<byte> name, out JwsAlgorithm algorithm)
    {
        algorithm = default;
        if (name.Length != 5)
        {
            return false;
        }

        for (var i = 0; i <= (int)JwsAlgorithm.PS256; i++)
        {
            if (name.SequenceEqual(Utf8Name((JwsAlgorithm)i)))
            {
                algorithm = (JwsAlgorithm)i;
                return true;
            }
        }

        return false;
    }

    internal static ReadOnlySpan<byte> Utf8Name(JwsAlgorithm algorithm) => algorithm switch
    {
        JwsAlgorithm.HS256 => "HS256"u8,
        JwsAlgorithm.HS384 => "HS384"u8,
        JwsAlgorithm.HS512 => "HS512"u8,
        JwsAlgorithm.ES256 => "ES256"u8,
        JwsAlgorithm.ES384 => "ES384"u8,
        JwsAlgorithm.RS256 => "RS256"u8,
        JwsAlgorithm.PS256 => "PS256"u8,
        _ => default,
    };

    /// <summary>Gets whether the algorithm is an HMAC (symmetric) algorithm.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns><see langword="true"/> for HS256/384/512.</returns>
    public static bool IsSymmetric(JwsAlgorithm algorithm) => algorithm is JwsAlgorithm.HS256 or JwsAlgorithm.HS384 or JwsAlgorithm.HS512;

    internal static int HmacSize(JwsAlgorithm algorithm) => algorithm switch
    {
        JwsAlgorithm.HS256 => 32,
        JwsAlgorithm.HS384 => 48,
        _ => 64,
    };
}
