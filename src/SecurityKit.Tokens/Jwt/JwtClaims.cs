using System.Text.Json;

namespace SecurityKit.Tokens.Jwt;

/// <summary>The claims of a validated token, decoded on request by <see cref="JwtValidationResult.ReadClaims"/>.</summary>
/// <remarks>Immutable and thread-safe. Registered claims have properties; read custom claims with <see cref="TryGetClaim"/>.</remarks>
public sealed class JwtClaims
{
    private readonly JsonElement _root;

    private JwtClaims(JsonElement root)
    {
        _root = root;
        Subject = GetString("sub");
        Issuer = GetString("iss");
        JwtId = GetString("jti");
        SessionId = GetString("sid");
        Audiences = GetStrings("aud");
        Roles = GetStrings("roles");
        ExpiresAt = GetDate("exp") ?? default;
        IssuedAt = GetDate("iat");
        NotBefore = GetDate("nbf");
        TokenVersion = _root.TryGetProperty("ver", out var ver) && ver.ValueKind == JsonValueKind.Number && ver.TryGetInt64(out var v) ? v : null;
    }

    /// <summary>Gets the subject (<c>sub</c>), usually the user id.</summary>
    public string? Subject { get; }

    /// <summary>Gets the issuer (<c>iss</c>).</summary>
    public string? Issuer { get; }

    /// <summary>Gets the audiences (<c>aud</c>, string or array).</summary>
    public IReadOnlyList<string> Audiences { get; }

    /// <summary>Gets the token id (<c>jti</c>).</summary>
    public string? JwtId { get; }

    /// <summary>Gets the session id (<c>sid</c>).</summary>
    public string? SessionId { get; }

    /// <summary>Gets the roles (<c>roles</c>).</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>Gets the expiry (<c>exp</c>).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Gets the issue time (<c>iat</c>).</summary>
    public DateTimeOffset? IssuedAt { get; }

    /// <summary>Gets the not-before time (<c>nbf</c>).</summary>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>Gets the per-user token version (<c>ver</c>).</summary>
    public long? TokenVersion { get; }

    /// <summary>Gets a claim by name.</summary>
    /// <param name="name">The claim name.</param>
    /// <param name="value">The claim's JSON value.</param>
    /// <returns><see langword="true"/> when the claim exists.</returns>
    public bool TryGetClaim(string name, out JsonElement value) => _root.TryGetProperty(name, out value);

    internal static JwtClaims Parse(ReadOnlySpan<byte> payload)
    {
        // A result of JwtValidator.VerifySignature carries any signed payload, not necessarily a JWT claims set: say so
        // with a typed error (never the payload itself) instead of a JsonException or a crash on a non-object root.
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException)
        {
            throw new InvalidOperationException("The token's payload is not JSON, so it has no claims to read (use GetPayload).");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException("The token's payload is not a JSON object, so it has no claims to read (use GetPayload).");
            }

            return new JwtClaims(document.RootElement.Clone());
        }
    }

    private string? GetString(string name) => _root.TryGetProperty(name, out var e) ? AsString(e) : null;

    /// <summary>The string value, or null for another kind or for text that is not valid UTF-16 (an escaped lone
    /// surrogate such as <c>"\udc00"</c>, which validation does not decode and <see cref="JsonElement.GetString"/> rejects).</summary>
    private static string? AsString(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return e.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    // The range DateTimeOffset.FromUnixTimeSeconds accepts: a time outside it (e.g. "exp":1e300) is no date.
    private const long MinUnixSeconds = -62_135_596_800;
    private const long MaxUnixSeconds = 253_402_300_799;

    private DateTimeOffset? GetDate(string name)
    {
        if (!_root.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (!e.TryGetInt64(out var seconds))
        {
            // TryGetDouble: GetDouble throws FormatException for a number beyond double's range (1e400).
            if (!e.TryGetDouble(out var number))
            {
                return null;
            }

            var value = Math.Floor(number);
            if (!(value >= MinUnixSeconds && value <= MaxUnixSeconds))
            {
                return null;
            }

            seconds = (long)value;
        }

        return seconds is >= MinUnixSeconds and <= MaxUnixSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
    }

    private string[] GetStrings(string name)
    {
        if (!_root.TryGetProperty(name, out var e))
        {
            return [];
        }

        if (e.ValueKind == JsonValueKind.String)
        {
            return AsString(e) is { } one ? [one] : [];
        }

        return e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(AsString).OfType<string>().ToArray() : [];
    }
}
