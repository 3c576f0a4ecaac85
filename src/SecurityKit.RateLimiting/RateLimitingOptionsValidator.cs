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

            if (options.InMemory.SweepInterval < InMemoryRateLimitStoreOptions.MinSweepInterval || options.InMemory.SweepInterval > InMemoryRateLimitStoreOptions.MaxSweepInterval)
            {
                errors.Add("RateLimitingOptions.InMemory.SweepInterval must be between 1 second and 1 day (e.g. 00:01:00): every sweep scans the whole store.");
            }
        }

        foreach (var (policyName, policy) in options.Policies)
        {
            if (policy is null || string.IsNullOrEmpty(policyName) || policyName.Length > 64)
            {
                errors.Add($"RateLimitingOptions.Policies: '{policyName}' needs a policy and a name of 1 to 64 characters.");
            }
            else if (policyName.Contains(':', StringComparison.Ordinal) || string.Equals(policyName, "login", StringComparison.OrdinalIgnoreCase)
                || string.Equals(policyName, "otp-failures", StringComparison.OrdinalIgnoreCase))
            {
                // Store keys are "<policy>:<partition>": a ':' in a name, the login protector's "login" or the progressive
                // OTP lockout's "otp-failures" (which shares the store; found in review) would let two users of the store
                // share counters.
                errors.Add($"RateLimitingOptions.Policies: '{policyName}' must not contain ':' and must not be 'login' or 'otp-failures' (reserved for login protection and the progressive OTP lockout); rename it.");
            }
            else if (policy.Rule.Algorithm == SecurityKit.Stores.RateLimiting.RateLimitAlgorithm.TokenBucket && policy.Rule.Window.Ticks < 10L * policy.Rule.Limit)
            {
                // The Redis store keeps the arrival time in µs as a double; a finer interval would stop it advancing, and
                // every check would fail at run time instead of here.
                errors.Add($"RateLimitingOptions.Policies: '{policyName}' is a token bucket of more than one permit per microsecond (Window / Limit < 1 µs); use a longer window or a lower limit.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
