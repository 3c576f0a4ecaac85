namespace SecurityKit.Tokens.Jwt;

/// <summary>Why a token was rejected. Values are stable codes; new reasons are only ever appended.</summary>
public enum JwtFailureReason
{
    /// <summary>No failure: the token is valid (or the result is the default, unvalidated instance).</summary>
    None = 0,

    /// <summary>Not a JWS compact serialization: not three segments, or an empty header segment.</summary>
    Malformed = 1,

    /// <summary>The token is longer than <see cref="JwtValidationOptions.MaxTokenLength"/>.</summary>
    TokenTooLarge = 2,

    /// <summary>Five segments: a JWE (encrypted token), which is not accepted.</summary>
    EncryptedTokenNotSupported = 3,

    /// <summary>A segment is not canonical unpadded base64url (padding, whitespace, stray characters, non-zero trailing bits).</summary>
    InvalidBase64Url = 4,

    /// <summary>The header or payload is not a JSON object, or not valid JSON/UTF-8.</summary>
    InvalidJson = 5,

    /// <summary>A JSON object repeats a member name (RFC 7515 §4, RFC 7519 §4).</summary>
    DuplicateMember = 6,

    /// <summary>The JSON nests deeper than <see cref="JwtValidationOptions.MaxJsonDepth"/> or has too many members.</summary>
    JsonTooComplex = 7,

    /// <summary>The header says <c>alg: none</c> (any casing): unsecured tokens are never accepted.</summary>
    AlgorithmNone = 8,

    /// <summary>The <c>alg</c> header is missing, not a string, or not a supported algorithm.</summary>
    UnsupportedAlgorithm = 9,

    /// <summary>The <c>alg</c> header differs from the algorithm of the key named by <c>kid</c> (algorithm confusion).</summary>
    AlgorithmMismatch = 10,

    /// <summary>The header has no <c>kid</c> while the options require one.</summary>
    MissingKeyId = 11,

    /// <summary>The <c>kid</c> names no key of the configured key set (or is not a string).</summary>
    UnknownKeyId = 12,

    /// <summary>The header carries <c>jku</c>, <c>jwk</c>, <c>x5u</c>, <c>x5c</c>, <c>b64</c>, <c>enc</c> or <c>zip</c>, which are never honoured.</summary>
    ForbiddenHeaderParameter = 13,

    /// <summary>The header has a <c>crit</c> member; no extension is understood, so it must be rejected (RFC 7515 §4.1.11).</summary>
    CriticalHeaderNotSupported = 14,

    /// <summary>The <c>typ</c> header is missing or is not the type expected for this kind of token (e.g. <c>at+jwt</c>).</summary>
    InvalidType = 15,

    /// <summary>The signature does not verify (wrong length or wrong value).</summary>
    InvalidSignature = 16,

    /// <summary>The payload has no <c>exp</c> claim.</summary>
    MissingExpiration = 17,

    /// <summary>A registered claim has the wrong JSON type (e.g. <c>exp</c> as a string, <c>aud</c> as a number) or an out-of-range value (e.g. an empty <c>sub</c>).</summary>
    InvalidClaim = 18,

    /// <summary>The token expired (now ≥ <c>exp</c> + clock skew).</summary>
    Expired = 19,

    /// <summary>The token is not valid yet (now + clock skew &lt; <c>nbf</c>).</summary>
    NotYetValid = 20,

    /// <summary>The token claims to be issued in the future (now + clock skew &lt; <c>iat</c>).</summary>
    IssuedInFuture = 21,

    /// <summary>The <c>iss</c> claim is missing or not one of the valid issuers.</summary>
    InvalidIssuer = 22,

    /// <summary>The <c>aud</c> claim is missing or names none of the valid audiences.</summary>
    InvalidAudience = 23,

    /// <summary>The token's version (<c>ver</c>) is older than the user's current token version ("sign out everywhere"), or is missing.</summary>
    TokenVersionRevoked = 24,

    /// <summary>The <c>sub</c> claim is missing while required.</summary>
    MissingSubject = 25,

    /// <summary>The token lifetime (<c>exp</c> − <c>iat</c>, or − <c>nbf</c> without <c>iat</c>) exceeds
    /// <see cref="JwtValidationOptions.MaxLifetime"/>, or the token has neither <c>iat</c> nor <c>nbf</c> while a cap is set.</summary>
    LifetimeTooLong = 26,
}
