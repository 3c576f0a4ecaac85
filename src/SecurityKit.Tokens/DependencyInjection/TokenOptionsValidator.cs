using Microsoft.Extensions.Options;
using SecurityKit.Keys;

namespace SecurityKit.Tokens;

/// <summary>Validates <see cref="TokenOptions"/> at startup, including the signing keys.</summary>
internal sealed class TokenOptionsValidator(ISecretKeyRing keyRing) : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            errors.Add("TokenOptions.Issuer must be set, e.g. \"https://auth.example.com\".");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add("TokenOptions.Audience must be set, e.g. \"https://api.example.com\".");
        }

        if (options.AccessTokenLifetime < TimeSpan.FromMinutes(1) || options.AccessTokenLifetime > TimeSpan.FromDays(1))
        {
            errors.Add("TokenOptions.AccessTokenLifetime must be between 1 minute and 1 day (default 15 minutes).");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > Jwt.JwtValidationOptions.MaximumClockSkew)
        {
            errors.Add("TokenOptions.ClockSkew must be between 0 and 5 minutes (default 60 seconds).");
        }

        if (options.MaxTokenLength is < 256 or > 65536)
        {
            errors.Add("TokenOptions.MaxTokenLength must be between 256 and 65536 (default 8192).");
        }

        errors.AddRange(options.Refresh.Validate("TokenOptions.Refresh."));
        _ = TokenKeyLoader.TryLoad(options, keyRing, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
