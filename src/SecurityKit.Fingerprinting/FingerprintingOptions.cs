using Microsoft.Extensions.Options;
using SecurityKit.Fingerprinting.ClientIp;

namespace SecurityKit.Fingerprinting;

/// <summary>Options of <c>builder.AddFingerprinting(o => …)</c>.</summary>
public sealed class FingerprintingOptions
{
    /// <summary>Gets the client IP resolution options (trusted proxies, header, limits).</summary>
    /// <value>The default value trusts no proxy: the peer address is the client.</value>
    public ClientIpResolverOptions ClientIp { get; } = new();
}

/// <summary>Validates <see cref="FingerprintingOptions"/> at startup.</summary>
internal sealed class FingerprintingOptionsValidator : IValidateOptions<FingerprintingOptions>
{
    public ValidateOptionsResult Validate(string? name, FingerprintingOptions options)
    {
        var errors = new List<string>();
        var ip = options.ClientIp;
        foreach (var entry in ip.TrustedProxies)
        {
            if (!IpNetworkList.IsValidEntry(entry, out var error))
            {
                errors.Add("FingerprintingOptions.ClientIp.TrustedProxies: " + error);
            }
        }

        if (ip.TrustedProxies.Count > IpNetworkList.MaxEntries)
        {
            errors.Add($"FingerprintingOptions.ClientIp.TrustedProxies: at most {IpNetworkList.MaxEntries} entries.");
        }

        if (ip.MaxForwardedEntries is < 1 or > ClientIpResolverOptions.MaxForwardedEntriesLimit)
        {
            errors.Add($"FingerprintingOptions.ClientIp.MaxForwardedEntries must be between 1 and {ClientIpResolverOptions.MaxForwardedEntriesLimit} (set it to a little more than the number of proxies in front of the application).");
        }

        if (ip.ForwardLimit is < 1)
        {
            errors.Add("FingerprintingOptions.ClientIp.ForwardLimit must be at least 1, or null for no limit.");
        }

        if (!Enum.IsDefined(ip.Header))
        {
            errors.Add("FingerprintingOptions.ClientIp.Header must be XForwardedFor, Forwarded or XRealIp.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
