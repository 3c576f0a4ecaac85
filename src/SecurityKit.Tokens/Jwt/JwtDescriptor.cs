namespace SecurityKit.Tokens.Jwt;

/// <summary>What goes into one token issued by <see cref="JwtIssuer"/>; <c>iss</c>, <c>aud</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c> and <c>jti</c> are set by the issuer.</summary>
/// <remarks>Not thread-safe while being filled; the issuer only reads it.</remarks>
public sealed class JwtDescriptor
{
    /// <summary>The most custom claims a token may carry (128): the validators refuse a payload with more member names
    /// than they track for duplicates (<c>json_too_complex</c>), so the issuer refuses it first.</summary>
    public const int MaxCustomClaims = JsonMemberTracker.MaxNames;

    /// <summary>The registered claim names that custom claims may not use.</summary>
    public static readonly IReadOnlySet<string> ReservedClaimNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "ver", "roles",
    };

    /// <summary>Gets or sets the subject (<c>sub</c>), usually the user id.</summary>
    /// <value>The default value is <see langword="null"/> (required by default validation).</value>
    public string? Subject { get; set; }

    /// <summary>Gets or sets the session id (<c>sid</c>).</summary>
    /// <value>The default value is <see langword="null"/> (omitted).</value>
    public string? SessionId { get; set; }

    /// <summary>Gets or sets the token id (<c>jti</c>); <see langword="null"/> generates a random 128-bit id.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? JwtId { get; set; }

    /// <summary>Gets or sets the per-user token version (<c>ver</c>), for "sign out everywhere".</summary>
    /// <value>The default value is <see langword="null"/> (omitted).</value>
    public long? TokenVersion { get; set; }

    /// <summary>Gets or sets the lifetime; <see langword="null"/> uses <see cref="JwtIssuerOptions.Lifetime"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? Lifetime { get; set; }

    /// <summary>Gets the roles (<c>roles</c>, a string array; omitted when empty).</summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> Roles { get; } = new List<string>();

    /// <summary>
    /// Gets custom claims. Values may be <see cref="string"/>, <see cref="bool"/>, <see cref="int"/>,
    /// <see cref="long"/>, <see cref="double"/>, <see cref="DateTimeOffset"/> (written as a NumericDate),
    /// a string array, or <see langword="null"/>. Registered names (<see cref="ReservedClaimNames"/>) are rejected.
    /// </summary>
    /// <value>The default value is an empty dictionary.</value>
    public IDictionary<string, object?> Claims { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}

/// <summary>Issuer settings of a <see cref="JwtIssuer"/>.</summary>
public sealed class JwtIssuerOptions
{
    /// <summary>Gets or sets the issuer (<c>iss</c>).</summary>
    /// <value>The default value is empty (invalid: set it).</value>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Gets the audiences (<c>aud</c>); one is written as a string, several as an array.</summary>
    /// <value>The default value is an empty list (invalid: add one).</value>
    public IList<string> Audiences { get; } = new List<string>();

    /// <summary>Gets or sets the <c>typ</c> header.</summary>
    /// <value>The default value is <c>at+jwt</c>.</value>
    public string TokenType { get; set; } = "at+jwt";

    /// <summary>Gets or sets the default lifetime.</summary>
    /// <value>The default value is 15 minutes.</value>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets the longest lifetime a <see cref="JwtDescriptor.Lifetime"/> may ask for, or
    /// <see langword="null"/> for no cap. Set it to what the validators accept (<see cref="JwtValidationOptions.MaxLifetime"/>)
    /// so a too-long token fails when it is issued, not at every use; <c>AddTokens</c> sets it to
    /// <c>TokenOptions.AccessTokenLifetime</c>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? MaxLifetime { get; set; }

    /// <summary>Gets or sets the longest token (characters) the issuer may produce, or <see langword="null"/> for no cap. Set
    /// it to what the validators accept (<see cref="JwtValidationOptions.MaxTokenLength"/>) so a token made too long by its
    /// roles or claims fails when it is issued, not at every use; <c>AddTokens</c> sets it to <c>TokenOptions.MaxTokenLength</c>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxTokenLength { get; set; }

    /// <summary>Gets or sets whether a random <c>jti</c> is added when the descriptor has none.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IncludeJwtId { get; set; } = true;
}
