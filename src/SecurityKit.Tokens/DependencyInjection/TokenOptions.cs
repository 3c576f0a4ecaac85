using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Keys;
using SecurityKit.Tokens.RefreshTokens;

namespace SecurityKit.Tokens;

/// <summary>Settings of <c>builder.AddTokens(…)</c>, bindable from configuration (e.g. section <c>SecurityKit:Tokens</c>).</summary>
/// <remarks>
/// <para>Signing keys: with no <see cref="SigningKeys"/>, an HS256 key is derived from the key ring
/// (purpose <c>token-signing</c>, itself derived from the root key), so <c>AddSecurityKit()</c> with a
/// configured root key needs nothing else. Configure <see cref="SigningKeys"/> for ES256/RS256/PS256,
/// a published JWKS, or rotation with an overlap.</para>
/// <para><b>Security:</b> set <see cref="Issuer"/> and <see cref="Audience"/> to your own values.</para>
/// </remarks>
public sealed class TokenOptions
{
    /// <summary>Gets or sets the issuer (<c>iss</c>) written and required. <b>Security:</b> set it (and
    /// <see cref="Audience"/>) per service: two services that share a root key and keep the defaults derive the same
    /// signing key and accept each other's tokens.</summary>
    /// <value>The default value is <c>securitykit</c>.</value>
    public string Issuer { get; set; } = "securitykit";

    /// <summary>Gets or sets the audience (<c>aud</c>) written and required.</summary>
    /// <value>The default value is <c>securitykit</c>.</value>
    public string Audience { get; set; } = "securitykit";

    /// <summary>Gets or sets the access-token lifetime.</summary>
    /// <value>The default value is 15 minutes; 1 minute to 1 day.</value>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets or sets the clock skew tolerated on <c>exp</c>, <c>nbf</c>, <c>iat</c>.</summary>
    /// <value>The default value is 60 seconds; at most 5 minutes.</value>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the largest accepted token in characters.</summary>
    /// <value>The default value is 8192.</value>
    public int MaxTokenLength { get; set; } = 8192;

    /// <summary>Gets or sets whether access tokens carry and are checked against a per-user token version ("sign out everywhere").</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool EnableTokenVersions { get; set; } = true;

    /// <summary>Gets the configured signing keys; exactly one must be active (the only key is active by default).</summary>
    /// <value>The default value is an empty list (derive an HS256 key from the key ring).</value>
    public IList<SigningKeyEntry> SigningKeys { get; } = new List<SigningKeyEntry>();

    /// <summary>Gets the refresh-token lifetimes.</summary>
    /// <value>The default value is 30 days absolute, 7 days idle, 10 seconds grace.</value>
    public RefreshTokenOptions Refresh { get; } = new();
}

/// <summary>One configured signing key.</summary>
/// <remarks><b>Security:</b> keep <see cref="Value"/> in a secret store; <see cref="ToString"/> never shows it.</remarks>
public sealed class SigningKeyEntry
{
    /// <summary>Gets or sets the key id (<c>kid</c>).</summary>
    /// <value>The default value is empty (invalid: set it).</value>
    public string KeyId { get; set; } = string.Empty;

    /// <summary>Gets or sets the algorithm.</summary>
    /// <value>The default value is <see cref="JwsAlgorithm.HS256"/>.</value>
    public JwsAlgorithm Algorithm { get; set; } = JwsAlgorithm.HS256;

    /// <summary>Gets or sets the key: standard base64 for HMAC (≥ 256 bits), PEM for EC/RSA (private to sign, public to validate only).</summary>
    /// <value>The default value is empty (invalid: set it).</value>
    public string Value { get; set; } = string.Empty;

    /// <summary>Gets or sets whether this key signs new tokens.</summary>
    /// <value>The default value is <see langword="false"/>; the only key is active anyway.</value>
    public bool Active { get; set; }

    /// <summary>Returns the key id and algorithm only; a key id that is invalid or long enough to be key material (an
    /// entry with the key id and the value swapped) is shown as "(not shown)".</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"SigningKeyEntry(kid={(SigningKey.CanShowKeyId(KeyId) ? KeyId : "(not shown)")}, alg={Algorithm}, active={Active})";
}
