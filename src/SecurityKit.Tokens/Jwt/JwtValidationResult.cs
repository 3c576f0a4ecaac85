using System.Text.Json;
using SecurityKit.Primitives;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Tokens.Jwt;

/// <summary>
/// The outcome of <see cref="JwtValidator.Validate"/>: valid or a typed <see cref="FailureReason"/>, the
/// numeric claims, and the other claims on demand.
/// </summary>
/// <remarks>
/// A small struct so that validation allocates nothing: string claims are decoded only when
/// <see cref="GetSubject"/> or <see cref="ReadClaims"/> is called. The <see langword="default"/> instance is
/// not valid. Immutable and thread-safe.
/// </remarks>
public readonly struct JwtValidationResult : IEquatable<JwtValidationResult>
{
    private readonly string? _token;
    private readonly int _payloadStart;
    private readonly int _payloadLength;
    private readonly ClaimTimes _times;

    internal JwtValidationResult(JwtFailureReason reason)
    {
        FailureReason = reason;
    }

    internal JwtValidationResult(string token, int payloadStart, int payloadLength, SigningKey key, ClaimTimes times)
    {
        _token = token;
        _payloadStart = payloadStart;
        _payloadLength = payloadLength;
        _times = times;
        Key = key;
        IsValid = true;
    }

    /// <summary>Gets whether the token is accepted.</summary>
    public bool IsValid { get; }

    /// <summary>Gets why the token was rejected; <see cref="JwtFailureReason.None"/> when valid.</summary>
    public JwtFailureReason FailureReason { get; }

    /// <summary>Gets the key that verified the token, when valid.</summary>
    public SigningKey? Key { get; }

    /// <summary>Gets the expiry (<c>exp</c>), when valid.</summary>
    public DateTimeOffset ExpiresAt => IsValid ? DateTimeOffset.FromUnixTimeSeconds(_times.Expires) : default;

    /// <summary>Gets the issue time (<c>iat</c>), when present.</summary>
    public DateTimeOffset? IssuedAt => _times.HasIssuedAt ? DateTimeOffset.FromUnixTimeSeconds(_times.IssuedAt) : null;

    /// <summary>Gets the not-before time (<c>nbf</c>), when present.</summary>
    public DateTimeOffset? NotBefore => _times.HasNotBefore ? DateTimeOffset.FromUnixTimeSeconds(_times.NotBefore) : null;

    /// <summary>Gets the per-user token version (<c>ver</c>), when present.</summary>
    public long? TokenVersion => _times.HasVersion ? _times.Version : null;

    internal static JwtValidationResult Failed(JwtFailureReason reason) => new(reason);

    /// <summary>Decodes the <c>sub</c> claim.</summary>
    /// <returns>The subject, or <see langword="null"/> when absent, not a string, given twice, or the result is not valid
    /// (a <see cref="JwtValidator.VerifySignature"/> result whose payload is not a JSON object has none either).</returns>
    public string? GetSubject()
    {
        if (!IsValid)
        {
            return null;
        }

        string? subject = null;
        var found = false;
        try
        {
            var reader = new Utf8JsonReader(GetPayload());
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSub = reader.ValueTextEquals("sub"u8);
                reader.Read();
                if (isSub)
                {
                    if (found)
                    {
                        return null; // validated tokens never have duplicate names; a signature-only result may
                    }

                    found = true;
                    subject = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON (a signature-only result), or a lone UTF-16 surrogate escape ("\udc00") that cannot become a string.
            return null;
        }

        return subject;
    }

    /// <summary>Decodes every claim into a <see cref="JwtClaims"/> object (allocates).</summary>
    /// <returns>The claims; a claim of the wrong JSON type, out of range or not valid UTF-16 reads as absent.</returns>
    /// <exception cref="InvalidOperationException">The result is not valid, or (a <see cref="JwtValidator.VerifySignature"/>
    /// result) its payload is not a JSON object.</exception>
    public JwtClaims ReadClaims()
    {
        if (!IsValid)
        {
            throw new InvalidOperationException($"The token is not valid ({FailureReason}); it has no claims to read.");
        }

        return JwtClaims.Parse(GetPayload());
    }

    /// <summary>Decodes the payload bytes (for JWS with non-JWT payloads, see <see cref="JwtValidator.VerifySignature"/>).</summary>
    /// <returns>The payload, or an empty array when not valid.</returns>
    public byte[] GetPayload()
    {
        if (!IsValid || _token is null)
        {
            return [];
        }

        return Base64Url.TryDecode(_token.AsSpan(_payloadStart, _payloadLength), out var bytes) ? bytes : [];
    }

    /// <summary>Returns the outcome only, never the token.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => IsValid ? $"Valid(kid={Key!.KeyId})" : $"Invalid({FailureReason})";

    /// <inheritdoc />
    public bool Equals(JwtValidationResult other) =>
        IsValid == other.IsValid && FailureReason == other.FailureReason && ReferenceEquals(_token, other._token) && _payloadStart == other._payloadStart;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is JwtValidationResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(IsValid, FailureReason, _payloadStart);

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(JwtValidationResult left, JwtValidationResult right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(JwtValidationResult left, JwtValidationResult right) => !left.Equals(right);
}
