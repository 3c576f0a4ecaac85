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
        else if (options.ConnectionMultiplexerFactory is null && options.ConfigurationOptions is null)
        {
            // The string is parsed on first use: an empty or mistyped one ("pasword=") passed startup, then every store
            // call threw ArgumentException, which no failure policy catches (a programming error), so every sign-in failed
            // (found in review). The message never quotes the string: it may hold a password.
            string? problem = null;
            if (string.IsNullOrWhiteSpace(options.Configuration))
            {
                problem = "it is empty";
            }
            else
            {
                try
                {
                    if (StackExchange.Redis.ConfigurationOptions.Parse(options.Configuration).EndPoints.Count == 0)
                    {
                        problem = "it names no server";
                    }
                }
                catch (ArgumentException ex)
                {
                    problem = ex is ArgumentOutOfRangeException ? "a value is out of range" : "StackExchange.Redis cannot parse it (an unknown or misspelt option?)";
                }
            }

            if (problem is not null)
            {
                errors.Add($"SecurityKit.Redis: RedisSecurityKitOptions.Configuration is not a valid StackExchange.Redis configuration string: {problem}. Use e.g. \"localhost:6379,password=…\".");
            }
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
