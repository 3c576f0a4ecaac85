namespace SecurityKit.Tokens.Jwt;

/// <summary>What a <see cref="JwtValidator"/> accepts. Safe defaults; every limit is bounded.</summary>
/// <remarks>
/// <b>Security:</b> set <see cref="ValidIssuers"/> and <see cref="ValidAudiences"/>; a validator without them
/// refuses to be constructed, so a token minted for another service is never accepted by accident.
/// </remarks>
public sealed class JwtValidationOptions
{
    /// <summary>The largest accepted <see cref="ClockSkew"/>.</summary>
    public static readonly TimeSpan MaximumClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the required <c>typ</c> header (compared case-insensitively, with or without the <c>application/</c> prefix, RFC 7515 §4.1.9).</summary>
    /// <value>The default value is <c>at+jwt</c> (RFC 9068 access tokens).</value>
    public string TokenType { get; set; } = "at+jwt";

    /// <summary>Gets the accepted <c>iss</c> values (exact, ordinal).</summary>
    /// <value>The default value is an empty list (invalid: add at least one).</value>
    public IList<string> ValidIssuers { get; } = new List<string>();

    /// <summary>Gets the accepted <c>aud</c> values (exact, ordinal); the token's <c>aud</c> (string or array) must contain one.</summary>
    /// <value>The default value is an empty list (invalid: add at least one).</value>
    public IList<string> ValidAudiences { get; } = new List<string>();

    /// <summary>Gets or sets the tolerance applied to <c>exp</c>, <c>nbf</c> and <c>iat</c>.</summary>
    /// <value>The default value is 60 seconds; at most 5 minutes.</value>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the largest accepted token, in characters.</summary>
    /// <value>The default value is 8192 (8 KiB); 256 to 65536.</value>
    public int MaxTokenLength { get; set; } = 8192;

    /// <summary>Gets or sets the deepest accepted JSON nesting (the header or payload object itself is depth 1).</summary>
    /// <value>The default value is 8; 2 to 32.</value>
    public int MaxJsonDepth { get; set; } = 8;

    /// <summary>Gets or sets whether tokens without a <c>kid</c> header are rejected.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RequireKeyId { get; set; } = true;

    /// <summary>Gets or sets whether tokens without a <c>sub</c> claim are rejected.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RequireSubject { get; set; } = true;

    /// <summary>Gets or sets the longest accepted lifetime (<c>exp</c> − <c>iat</c>, or <c>exp</c> − <c>nbf</c> without <c>iat</c>; a token with
    /// neither fails with <see cref="JwtFailureReason.LifetimeTooLong"/> while a limit is set), or <see langword="null"/> for no limit.</summary>
    /// <value>The default value is 1 day.</value>
    public TimeSpan? MaxLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The type without an <c>application/</c> prefix (RFC 7515 §4.1.9: the two forms name the same media type).</summary>
    internal static string WithoutMediaTypePrefix(string type) =>
        type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) ? type["application/".Length..] : type;

    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(TokenType) || TokenType.Length > 64 || string.IsNullOrWhiteSpace(WithoutMediaTypePrefix(TokenType)))
        {
            errors.Add("JwtValidationOptions.TokenType must be set (1–64 characters, not the bare \"application/\" prefix), e.g. \"at+jwt\".");
        }

        if (ValidIssuers.Count == 0 || ValidIssuers.Any(string.IsNullOrEmpty))
        {
            errors.Add("JwtValidationOptions.ValidIssuers must hold at least one non-empty issuer (set TokenOptions.Issuer).");
        }

        if (ValidAudiences.Count == 0 || ValidAudiences.Any(string.IsNullOrEmpty))
        {
            errors.Add("JwtValidationOptions.ValidAudiences must hold at least one non-empty audience (set TokenOptions.Audience).");
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > MaximumClockSkew)
        {
            errors.Add("JwtValidationOptions.ClockSkew must be between 0 and 5 minutes (default 60 s).");
        }

        if (MaxTokenLength is < 256 or > 65536)
        {
            errors.Add("JwtValidationOptions.MaxTokenLength must be between 256 and 65536 characters (default 8192).");
        }

        if (MaxJsonDepth is < 2 or > 32)
        {
            errors.Add("JwtValidationOptions.MaxJsonDepth must be between 2 and 32 (default 8).");
        }

        if (MaxLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            errors.Add("JwtValidationOptions.MaxLifetime must be positive or null.");
        }

        return errors;
    }
}
