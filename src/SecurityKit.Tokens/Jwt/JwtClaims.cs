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
        TokenVersion = _root.TryGetProperty("ver", out var ver) && ver.TryGetInt64(out var v) ? v : null;
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
        using var document = JsonDocument.Parse(payload.ToArray());
        return new JwtClaims(document.RootElement.Clone());
    }

    private string? GetString(string name) => _root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private DateTimeOffset? GetDate(string name) =>
        _root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeSeconds(e.TryGetInt64(out var s) ? s : (long)Math.Floor(e.GetDouble()))
            : null;

    private string[] GetStrings(string name)
    {
        if (!_root.TryGetProperty(name, out var e))
        {
            return [];
        }

        if (e.ValueKind == JsonValueKind.String)
        {
            return [e.GetString()!];
        }

        return e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray() : [];
    }
}
