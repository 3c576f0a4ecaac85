using Microsoft.Extensions.Options;

namespace SecurityKit.Redis;

internal sealed class RedisOptionsValidator : IValidateOptions<RedisSecurityKitOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisSecurityKitOptions options)
    {
        var errors = new List<string>();
        if (options.Configuration is null && options.ConfigurationOptions is null && options.ConnectionMultiplexerFactory is null)
        {
            errors.Add("SecurityKit.Redis: set RedisSecurityKitOptions.Configuration (e.g. \"localhost:6379\"), ConfigurationOptions or ConnectionMultiplexerFactory.");
        }

        if (options.KeyPrefix is null || options.KeyPrefix.Length > 64 || options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add("SecurityKit.Redis: KeyPrefix must be at most 64 characters without '{' or '}' (braces are reserved for cluster hash tags).");
        }

        if (options.OperationTimeout <= TimeSpan.Zero || options.OperationTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add("SecurityKit.Redis: OperationTimeout must be between 0 and 1 minute (e.g. 00:00:01).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
