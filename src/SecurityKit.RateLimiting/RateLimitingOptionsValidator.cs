using Microsoft.Extensions.Options;
using SecurityKit.RateLimiting.Stores;

namespace SecurityKit.RateLimiting;

/// <summary>Validates <see cref="RateLimitingOptions"/> at startup with messages that say what to set.</summary>
internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        var errors = new List<string>();
        if (options.StoreTimeout <= TimeSpan.Zero || options.StoreTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add("RateLimitingOptions.StoreTimeout must be greater than 0 and at most 1 minute (e.g. 00:00:01).");
        }

        if (options.InMemory is null)
        {
            errors.Add("RateLimitingOptions.InMemory must be set.");
        }
        else
        {
            if (options.InMemory.MaxEntries is < InMemoryRateLimitStoreOptions.MinMaxEntries or > InMemoryRateLimitStoreOptions.MaxMaxEntries)
            {
                errors.Add($"RateLimitingOptions.InMemory.MaxEntries must be between {InMemoryRateLimitStoreOptions.MinMaxEntries} and {InMemoryRateLimitStoreOptions.MaxMaxEntries} (e.g. 100000).");
            }

            if (options.InMemory.SweepInterval <= TimeSpan.Zero)
            {
                errors.Add("RateLimitingOptions.InMemory.SweepInterval must be positive (e.g. 00:01:00).");
            }
        }

        foreach (var (policyName, policy) in options.Policies)
        {
            if (policy is null || string.IsNullOrEmpty(policyName) || policyName.Length > 64)
            {
                errors.Add($"RateLimitingOptions.Policies: '{policyName}' needs a policy and a name of 1 to 64 characters.");
            }
            else if (policyName.Contains(':', StringComparison.Ordinal) || string.Equals(policyName, "login", StringComparison.OrdinalIgnoreCase))
            {
                // Store keys are "<policy>:<partition>": a ':' in a name (or the login protector's "login")
                // would let two policies share counters.
                errors.Add($"RateLimitingOptions.Policies: '{policyName}' must not contain ':' and must not be 'login' (reserved for login protection); rename it.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
