/*
 * JWS compact serialization (RFC 7515 §7.1) as accepted here:
 *
 *   BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature)
 *
 *   - the whole token ≤ MaxTokenLength characters (default 8192), ASCII only;
 *   - exactly two '.'; four '.' (five segments) is a JWE and rejected as such; a non-empty header
 *     (an empty signature fails verification, an empty payload is not a JWT claims set);
 *   - every segment canonical unpadded base64url (RFC 4648 §5, Core's Base64Url);
 *   - header: a JSON object, UTF-8, no duplicate members, depth ≤ MaxJsonDepth, with
 *       "alg" (string, required)   must equal the algorithm of the key; "none" in any casing is rejected;
 *       "kid" (string)             looked up only in the configured SigningKeySet;
 *       "typ" (string)             must equal the expected type (case-insensitive, "application/" optional);
 *       "crit"                     rejected (no extension is understood);
 *       "jku" "jwk" "x5u" "x5c"    rejected: keys never come from the token;
 *       "b64" "enc" "zip"          rejected: unencoded payloads and JWE are not accepted;
 *       anything else              ignored (still checked for duplicates and depth);
 *   - signature: exact length for the key's algorithm (HMAC tags compared in fixed time,
 *     ECDSA as R || S per RFC 7518 §3.4);
 *   - payload (only parsed after the signature verified): a JSON object, same JSON rules, with
 *       "exp" (number, required), "nbf", "iat" (numbers): NumericDate, 0 ≤ value ≤ 253402300799;
 *       "iss" (string) one of ValidIssuers; "aud" (string or array of strings) containing one of
 *       ValidAudiences; "sub", "jti", "sid" (strings); "ver" (non-negative integer); "roles"
 *       (string or array of strings).
 */
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using SecurityKit.Primitives;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Tokens.Jwt;

/// <summary>
/// Validates signed JWTs strictly (RFC 7515, 7519, 8725, 9068) against a configured
/// <see cref="SigningKeySet"/>, returning a <see cref="JwtValidationResult"/> with a typed failure
/// reason; never throws for any input.
/// </summary>
/// <remarks>
/// <para>The hot path is allocation-free: the token is transcoded and decoded into stack (or pooled)
/// buffers, the header and payload are read with <see cref="Utf8JsonReader"/>, and only numeric claims
/// are kept in the result; string claims are decoded on demand.</para>
/// <para><b>Security:</b> the key named by <c>kid</c> decides the algorithm; the payload is parsed only
/// after the signature verified. Immutable and thread-safe.</para>
/// </remarks>
[SkipLocalsInit]
public sealed class JwtValidator
{
    private const int StackBufferSize = 2048;
    private const long MaxNumericDate = 253402300799; // 9999-12-31T23:59:59Z

    private readonly SigningKeySet _keys;
    private readonly TimeProvider _timeProvider;
    private readonly byte[] _type;
    private readonly byte[][] _issuers;
    private readonly byte[][] _audiences;
    private readonly long _skew;
    private readonly long _maxLifetime;
    private readonly int _maxLength;
    private readonly int _maxDepth;
    private readonly bool _requireKeyId;
    private readonly bool _requireSubject;
    private readonly byte[][] _knownHeaders;

    /// <summary>Initializes a validator.</summary>
    /// <param name="keys">The keys tokens may be signed with.</param>
    /// <param name="options">What to accept; copied.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException">The options are not valid; the message says what to set.</exception>
    public JwtValidator(SigningKeySet keys, JwtValidationOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _keys = keys;
        _timeProvider = timeProvider ?? TimeProvider.System;
        // Compared without the "application/" prefix on both sides, so "at+jwt" and "application/at+jwt" configure the same
        // check whichever form a token carries (found in review: a prefixed option refused unprefixed tokens).
        _type = Encoding.UTF8.GetBytes(JwtValidationOptions.WithoutMediaTypePrefix(options.TokenType));
        _issuers = options.ValidIssuers.Select(Encoding.UTF8.GetBytes).ToArray();
        _audiences = options.ValidAudiences.Select(Encoding.UTF8.GetBytes).ToArray();
        _skew = (long)options.ClockSkew.TotalSeconds;
        _maxLifetime = options.MaxLifetime is { } lifetime ? (long)Math.Ceiling(lifetime.TotalSeconds) : long.MaxValue;
        _maxLength = options.MaxTokenLength;
        _maxDepth = options.MaxJsonDepth;
        _requireKeyId = options.RequireKeyId;
        _requireSubject = options.RequireSubject;

        // The exact header segments JwtIssuer writes for these keys and this type: a token carrying one of
        // them needs no header decoding or parsing (the bytes are known to satisfy every header rule).
        _knownHeaders = keys.Keys.Select(k => JwtIssuer.EncodeHeader(k, options.TokenType)).ToArray();
    }

    /// <summary>Gets the key set tokens are validated against.</summary>
    public SigningKeySet Keys => _keys;

    /// <summary>Validates a JWT: structure, header, signature, then claims.</summary>
    /// <param name="token">The compact JWS; any string, including <see langword="null"/>.</param>
    /// <returns>The result; <see cref="JwtValidationResult.IsValid"/> tells whether the token is accepted.</returns>
    public JwtValidationResult Validate(string? token) => ValidateCore(token, claims: true);

    /// <summary>
    /// Verifies a JWS only (structure, header rules and signature), without JWT claim rules or the
    /// <c>typ</c> requirement; for non-JWT payloads. Read the payload with <see cref="JwtValidationResult.GetPayload"/>.
    /// </summary>
    /// <param name="token">The compact JWS.</param>
    /// <returns>The result.</returns>
    public JwtValidationResult VerifySignature(string? token) => ValidateCore(token, claims: false);

    private JwtValidationResult ValidateCore(string? token, bool claims)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(JwtFailureReason.Malformed);
        }

        if (token.Length > _maxLength)
        {
            return new(JwtFailureReason.TokenTooLarge);
        }

        var chars = token.AsSpan();
        var d1 = chars.IndexOf('.');
        if (d1 < 0)
        {
            return new(JwtFailureReason.Malformed);
        }

        var d2 = chars[(d1 + 1)..].IndexOf('.');
        if (d2 < 0)
        {
            return new(JwtFailureReason.Malformed);
        }

        d2 += d1 + 1;
        var extraDots = chars[(d2 + 1)..].Count('.');
        if (extraDots != 0)
        {
            return new(extraDots == 2 ? JwtFailureReason.EncryptedTokenNotSupported : JwtFailureReason.Malformed);
        }

        var headerChars = chars[..d1];
        var payloadChars = chars[(d1 + 1)..d2];
        var signatureChars = chars[(d2 + 1)..];
        // An empty signature is left to fail verification, so that "alg":"none" tokens report AlgorithmNone;
        // an empty payload is a valid JWS (VerifySignature) and fails as InvalidJson for a JWT.
        if (headerChars.IsEmpty)
        {
            return new(JwtFailureReason.Malformed);
        }

        var headerMax = Base64Url.GetMaxDecodedLength(headerChars.Length);
        var payloadMax = Base64Url.GetMaxDecodedLength(payloadChars.Length);
        var signatureMax = Base64Url.GetMaxDecodedLength(signatureChars.Length);
        var needed = chars.Length + headerMax + payloadMax + signatureMax + Math.Max(headerMax, payloadMax);
        byte[]? rented = null;
        var buffer = needed <= StackBufferSize ? stackalloc byte[StackBufferSize] : (rented = ArrayPool<byte>.Shared.Rent(needed));
        Span<int> offsets = stackalloc int[JsonMemberTracker.MaxNames];
        Span<int> lengths = stackalloc int[JsonMemberTracker.MaxNames];
        Span<int> scopes = stackalloc int[JsonMemberTracker.MaxScopes];
        try
        {
            var ascii = buffer[..chars.Length];
            var rest = buffer[chars.Length..];
            if (Ascii.FromUtf16(chars, ascii, out _) != OperationStatus.Done)
            {
                return new(JwtFailureReason.InvalidBase64Url);
            }

            var input = ascii[..d2];
            var names = rest[..Math.Max(headerMax, payloadMax)];
            rest = rest[names.Length..];
            var key = KnownHeader(ascii[..d1]);
            var tracker = new JsonMemberTracker(names, offsets, lengths, scopes);
            JwtFailureReason failure;
            if (key is null)
            {
                if (!CanonicalBase64Url.TryDecode(ascii[..d1], rest, out var headerLength))
                {
                    return new(JwtFailureReason.InvalidBase64Url);
                }

                failure = ReadHeader(rest[..headerLength], ref tracker, claims, out key);
                if (failure != JwtFailureReason.None)
                {
                    return new(failure);
                }
            }

            if (!CanonicalBase64Url.TryDecode(ascii[(d2 + 1)..], rest, out var signatureLength))
            {
                return new(JwtFailureReason.InvalidBase64Url);
            }

            var signature = rest[..signatureLength];
            rest = rest[signatureLength..];
            if (!CanonicalBase64Url.TryDecode(ascii[(d1 + 1)..d2], rest, out var payloadLength))
            {
                return new(JwtFailureReason.InvalidBase64Url);
            }

            if (!key!.Verify(input, signature))
            {
                return new(JwtFailureReason.InvalidSignature);
            }

            if (!claims)
            {
                return new(token, d1 + 1, payloadChars.Length, key, default);
            }

            tracker = new JsonMemberTracker(names, offsets, lengths, scopes);
            failure = ReadClaims(rest[..payloadLength], ref tracker, out var times);
            if (failure != JwtFailureReason.None)
            {
                return new(failure);
            }

            failure = CheckTimes(times);
            return failure != JwtFailureReason.None ? new(failure) : new(token, d1 + 1, payloadChars.Length, key, times);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true); // it held the decoded token
            }
        }
    }

    private SigningKey? KnownHeader(ReadOnlySpan<byte> segment)
    {
        var known = _knownHeaders;
        for (var i = 0; i < known.Length; i++)
        {
            // Public bytes (the issuer's own encoded header), not a secret: an ordinary span comparison.
            if (segment.SequenceEqual(known[i]))
            {
                return _keys.Keys[i];
            }
        }

        return null;
    }

    private JwtFailureReason CheckTimes(in ClaimTimes times)
    {
        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (now >= times.Expires + _skew)
        {
            return JwtFailureReason.Expired;
        }

        if (times.HasNotBefore && now + _skew < times.NotBefore)
        {
            return JwtFailureReason.NotYetValid;
        }

        if (times.HasIssuedAt && now + _skew < times.IssuedAt)
        {
            return JwtFailureReason.IssuedInFuture;
        }

        // From iat, else nbf. A token with neither and a cap set has no provable lifetime: measuring from "now" only bounded
        // what was left of it, so a token made to live a year was accepted on its last day (found in review).
        if (!times.HasIssuedAt && !times.HasNotBefore)
        {
            return _maxLifetime == long.MaxValue ? JwtFailureReason.None : JwtFailureReason.LifetimeTooLong;
        }

        var from = times.HasIssuedAt ? times.IssuedAt : times.NotBefore;
        return times.Expires - from > _maxLifetime ? JwtFailureReason.LifetimeTooLong : JwtFailureReason.None;
    }

    private JwtFailureReason ReadHeader(ReadOnlySpan<byte> json, ref JsonMemberTracker tracker, bool requireType, out SigningKey? key)
    {
        key = null;
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return JwtFailureReason.InvalidJson;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = _maxDepth + 1 });
        var seenAlg = false;
        var seenKid = false;
        var seenTyp = false;
        var algNone = false;
        var algKnown = false;
        var algorithm = JwsAlgorithm.HS256;
        var kidUnknown = false;
        var typOk = false;
        var forbidden = false;
        var crit = false;
        Span<byte> algValue = stackalloc byte[64];
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !tracker.EnterObject())
            {
                return JwtFailureReason.InvalidJson;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8))
                {
                    if (seenAlg)
                    {
                        return JwtFailureReason.DuplicateMember;
                    }

                    seenAlg = true;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        if (TryGetShortString(ref reader, algValue, out var written))
                        {
                            algNone = Ascii.EqualsIgnoreCase(algValue[..written], "none"u8);
                            algKnown = JwsAlgorithms.TryParse(algValue[..written], out algorithm);
                        }
                    }
                }
                else if (reader.ValueTextEquals("kid"u8))
                {
                    if (seenKid)
                    {
                        return JwtFailureReason.DuplicateMember;
                    }

                    seenKid = true;
                    reader.Read();
                    key = reader.TokenType == JsonTokenType.String ? _keys.Find(ref reader) : null;
                    kidUnknown = key is null;
                }
                else if (reader.ValueTextEquals("typ"u8))
                {
                    if (seenTyp)
                    {
                        return JwtFailureReason.DuplicateMember;
                    }

                    seenTyp = true;
                    reader.Read();
                    typOk = reader.TokenType == JsonTokenType.String && TypeMatches(ref reader);
                }
                else
                {
                    if (reader.ValueTextEquals("jku"u8) || reader.ValueTextEquals("jwk"u8) || reader.ValueTextEquals("x5u"u8) || reader.ValueTextEquals("x5c"u8)
                        || reader.ValueTextEquals("b64"u8) || reader.ValueTextEquals("enc"u8) || reader.ValueTextEquals("zip"u8))
                    {
                        forbidden = true;
                    }
                    else if (reader.ValueTextEquals("crit"u8))
                    {
                        crit = true;
                    }

                    var failure = tracker.Add(ref reader);
                    if (failure != JwtFailureReason.None)
                    {
                        return failure;
                    }

                    reader.Read();
                }

                var skipped = tracker.SkipValue(ref reader, _maxDepth);
                if (skipped != JwtFailureReason.None)
                {
                    return skipped;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return JwtFailureReason.InvalidJson;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Utf8JsonReader reports an invalid UTF-16 escape (a lone "\udc00") only when it unescapes a
            // string, and then as InvalidOperationException: still malformed JSON, never a crash.
            return JwtFailureReason.InvalidJson;
        }

        if (forbidden)
        {
            return JwtFailureReason.ForbiddenHeaderParameter;
        }

        if (crit)
        {
            return JwtFailureReason.CriticalHeaderNotSupported;
        }

        if (algNone)
        {
            return JwtFailureReason.AlgorithmNone;
        }

        if (!algKnown)
        {
            return JwtFailureReason.UnsupportedAlgorithm;
        }

        if (!seenKid)
        {
            if (_requireKeyId || _keys.Keys.Count != 1)
            {
                return JwtFailureReason.MissingKeyId;
            }

            key = _keys.Keys[0];
        }
        else if (kidUnknown)
        {
            return JwtFailureReason.UnknownKeyId;
        }

        if (key!.Algorithm != algorithm)
        {
            return JwtFailureReason.AlgorithmMismatch;
        }

        return requireType && !typOk ? JwtFailureReason.InvalidType : JwtFailureReason.None;
    }

    private bool TypeMatches(ref Utf8JsonReader reader)
    {
        Span<byte> value = stackalloc byte[256];
        if (!TryGetShortString(ref reader, value, out var written))
        {
            return false;
        }

        var typ = value[..written];
        if (typ.Length == _type.Length + 12 && Ascii.EqualsIgnoreCase(typ[..12], "application/"u8))
        {
            typ = typ[12..];
        }

        return Ascii.EqualsIgnoreCase(typ, _type);
    }

    private static bool TryGetShortString(ref Utf8JsonReader reader, scoped Span<byte> destination, out int written)
    {
        written = 0;
        var raw = reader.ValueSpan;
        if (raw.Length > destination.Length)
        {
            return false;
        }

        // Unescaping never lengthens a string, so the raw length bounds the copy.
        if (reader.ValueIsEscaped)
        {
            written = reader.CopyString(destination);
            return true;
        }

        raw.CopyTo(destination);
        written = raw.Length;
        return true;
    }

    private JwtFailureReason ReadClaims(ReadOnlySpan<byte> json, ref JsonMemberTracker tracker, out ClaimTimes times)
    {
        times = default;
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return JwtFailureReason.InvalidJson;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = _maxDepth + 1 });
        var seen = Claim.None;
        var issuerOk = false;
        var audienceOk = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !tracker.EnterObject())
            {
                return JwtFailureReason.InvalidJson;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var claim = Identify(ref reader);
                if (claim == Claim.None)
                {
                    var failure = tracker.Add(ref reader);
                    if (failure != JwtFailureReason.None)
                    {
                        return failure;
                    }

                    reader.Read();
                    failure = tracker.SkipValue(ref reader, _maxDepth);
                    if (failure != JwtFailureReason.None)
                    {
                        return failure;
                    }

                    continue;
                }

                if ((seen & claim) != 0)
                {
                    return JwtFailureReason.DuplicateMember;
                }

                seen |= claim;
                reader.Read();
                switch (claim)
                {
                    case Claim.Exp:
                        if (!TryReadNumericDate(ref reader, out times.Expires))
                        {
                            return JwtFailureReason.InvalidClaim;
                        }

                        break;
                    case Claim.Nbf:
                        if (!TryReadNumericDate(ref reader, out times.NotBefore))
                        {
                            return JwtFailureReason.InvalidClaim;
                        }

                        times.HasNotBefore = true;
                        break;
                    case Claim.Iat:
                        if (!TryReadNumericDate(ref reader, out times.IssuedAt))
                        {
                            return JwtFailureReason.InvalidClaim;
                        }

                        times.HasIssuedAt = true;
                        break;
                    case Claim.Ver:
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out times.Version) || times.Version < 0)
                        {
                            return JwtFailureReason.InvalidClaim;
                        }

                        times.HasVersion = true;
                        break;
                    case Claim.Iss:
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            return JwtFailureReason.InvalidClaim;
                        }

                        issuerOk = MatchesAny(ref reader, _issuers);
                        break;
                    case Claim.Aud:
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            audienceOk = MatchesAny(ref reader, _audiences);
                        }
                        else if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            while (reader.Read() && reader.TokenType == JsonTokenType.String)
                            {
                                audienceOk |= MatchesAny(ref reader, _audiences);
                            }

                            if (reader.TokenType != JsonTokenType.EndArray)
                            {
                                return JwtFailureReason.InvalidClaim;
                            }
                        }
                        else
                        {
                            return JwtFailureReason.InvalidClaim;
                        }

                        break;
                    case Claim.Roles:
                        if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            while (reader.Read() && reader.TokenType == JsonTokenType.String)
                            {
                            }

                            if (reader.TokenType != JsonTokenType.EndArray)
                            {
                                return JwtFailureReason.InvalidClaim;
                            }
                        }
                        else if (reader.TokenType != JsonTokenType.String)
                        {
                            return JwtFailureReason.InvalidClaim;
                        }

                        break;
                    case Claim.Sub:
                        // An empty subject names nobody: it passed as "present", and the async path then failed it as
                        // token_version_revoked, the wrong reason (found in review).
                        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.IsEmpty)
                        {
                            return JwtFailureReason.InvalidClaim;
                        }

                        break;
                    default: // jti, sid
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            return JwtFailureReason.InvalidClaim;
                        }

                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return JwtFailureReason.InvalidJson;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Utf8JsonReader reports an invalid UTF-16 escape (a lone "\udc00") only when it unescapes a
            // string, and then as InvalidOperationException: still malformed JSON, never a crash.
            return JwtFailureReason.InvalidJson;
        }

        if ((seen & Claim.Exp) == 0)
        {
            return JwtFailureReason.MissingExpiration;
        }

        if (!issuerOk)
        {
            return JwtFailureReason.InvalidIssuer;
        }

        if (!audienceOk)
        {
            return JwtFailureReason.InvalidAudience;
        }

        return _requireSubject && (seen & Claim.Sub) == 0 ? JwtFailureReason.MissingSubject : JwtFailureReason.None;
    }

    private static Claim Identify(ref Utf8JsonReader reader)
    {
        // Raw three-byte names cover every registered claim here; escaped or longer names fall back to ValueTextEquals.
        if (!reader.ValueIsEscaped)
        {
            var name = reader.ValueSpan;
            if (name.Length == 3)
            {
                return (name[0], name[1], name[2]) switch
                {
                    ((byte)'e', (byte)'x', (byte)'p') => Claim.Exp,
                    ((byte)'n', (byte)'b', (byte)'f') => Claim.Nbf,
                    ((byte)'i', (byte)'a', (byte)'t') => Claim.Iat,
                    ((byte)'i', (byte)'s', (byte)'s') => Claim.Iss,
                    ((byte)'a', (byte)'u', (byte)'d') => Claim.Aud,
                    ((byte)'s', (byte)'u', (byte)'b') => Claim.Sub,
                    ((byte)'j', (byte)'t', (byte)'i') => Claim.Jti,
                    ((byte)'s', (byte)'i', (byte)'d') => Claim.Sid,
                    ((byte)'v', (byte)'e', (byte)'r') => Claim.Ver,
                    _ => Claim.None,
                };
            }

            return name.SequenceEqual("roles"u8) ? Claim.Roles : Claim.None; // a claim name, not a secret
        }

        return reader.ValueTextEquals("exp"u8) ? Claim.Exp
            : reader.ValueTextEquals("nbf"u8) ? Claim.Nbf
            : reader.ValueTextEquals("iat"u8) ? Claim.Iat
            : reader.ValueTextEquals("iss"u8) ? Claim.Iss
            : reader.ValueTextEquals("aud"u8) ? Claim.Aud
            : reader.ValueTextEquals("sub"u8) ? Claim.Sub
            : reader.ValueTextEquals("jti"u8) ? Claim.Jti
            : reader.ValueTextEquals("sid"u8) ? Claim.Sid
            : reader.ValueTextEquals("ver"u8) ? Claim.Ver
            : reader.ValueTextEquals("roles"u8) ? Claim.Roles
            : Claim.None;
    }

    private static bool MatchesAny(ref Utf8JsonReader reader, byte[][] values)
    {
        foreach (var value in values)
        {
            if (reader.ValueTextEquals(value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryReadNumericDate(ref Utf8JsonReader reader, out long seconds)
    {
        seconds = 0;
        if (reader.TokenType != JsonTokenType.Number)
        {
            return false;
        }

        if (!reader.TryGetInt64(out seconds))
        {
            if (!reader.TryGetDouble(out var value) || !double.IsFinite(value) || value < 0 || value > MaxNumericDate)
            {
                return false;
            }

            seconds = (long)Math.Floor(value);
        }

        return seconds is >= 0 and <= MaxNumericDate;
    }

    [Flags]
    private enum Claim
    {
        None = 0,
        Exp = 1,
        Nbf = 2,
        Iat = 4,
        Iss = 8,
        Aud = 16,
        Sub = 32,
        Jti = 64,
        Sid = 128,
        Ver = 256,
        Roles = 512,
    }
}

/// <summary>The numeric claims kept in a validation result.</summary>
internal struct ClaimTimes
{
    public long Expires;
    public long NotBefore;
    public long IssuedAt;
    public long Version;
    public bool HasNotBefore;
    public bool HasIssuedAt;
    public bool HasVersion;
}
