namespace SecurityKit.Fingerprinting.Devices;

/// <summary>
/// The request signals a device fingerprint is computed from, passed explicitly (no ASP.NET dependency).
/// Every property is optional; each is truncated to <see cref="MaxValueLength"/> characters.
/// </summary>
/// <remarks>
/// <b>Security:</b> these are client-controlled headers. A fingerprint is a weak, spoofable signal for
/// anomaly detection ("this session moved to another kind of device"), never an authenticator.
/// </remarks>
public sealed record DeviceFingerprintInput
{
    /// <summary>The longest value read from any property; the rest is ignored.</summary>
    public const int MaxValueLength = 1024;

    /// <summary>Gets the <c>User-Agent</c> header.</summary>
    public string? UserAgent { get; init; }

    /// <summary>Gets the <c>Accept-Language</c> header.</summary>
    public string? AcceptLanguage { get; init; }

    /// <summary>Gets the <c>Accept-Encoding</c> header.</summary>
    public string? AcceptEncoding { get; init; }

    /// <summary>Gets the <c>Sec-CH-UA</c> client hint (brand list).</summary>
    public string? ClientHintBrands { get; init; }

    /// <summary>Gets the <c>Sec-CH-UA-Platform</c> client hint, e.g. <c>"Windows"</c>.</summary>
    public string? ClientHintPlatform { get; init; }

    /// <summary>Gets the <c>Sec-CH-UA-Mobile</c> client hint: <c>?1</c> or <c>?0</c>.</summary>
    public string? ClientHintMobile { get; init; }

    /// <summary>Gets the <c>Sec-CH-UA-Model</c> client hint (high entropy, sent only when requested).</summary>
    public string? ClientHintModel { get; init; }

    // ToString (and so the ToString of a record holding this one, e.g. a session context) shows only the length of each
    // header: the values are what the keyed fingerprint keeps out of logs and storage (found in review).
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        Length(builder, nameof(UserAgent), UserAgent, first: true);
        Length(builder, nameof(AcceptLanguage), AcceptLanguage);
        Length(builder, nameof(AcceptEncoding), AcceptEncoding);
        Length(builder, nameof(ClientHintBrands), ClientHintBrands);
        Length(builder, nameof(ClientHintPlatform), ClientHintPlatform);
        Length(builder, nameof(ClientHintMobile), ClientHintMobile);
        Length(builder, nameof(ClientHintModel), ClientHintModel);
        return true;
    }

    internal static void Length(System.Text.StringBuilder builder, string name, string? value, bool first = false)
    {
        builder.Append(first ? string.Empty : ", ").Append(name).Append(" = ");
        _ = value is null ? builder.Append("null") : builder.Append('(').Append(value.Length).Append(" chars)");
    }
}
