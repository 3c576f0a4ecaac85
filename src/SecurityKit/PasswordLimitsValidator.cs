using Microsoft.Extensions.Options;
using SecurityKit.Passwords;
using SecurityKit.Passwords.Strength;

namespace SecurityKit;

/// <summary>
/// Checks that every password the policy accepts can be hashed: the policy counts characters (after NFKC), the hasher
/// bytes of UTF-8 (up to 4 per character). A policy allowing 4,096 characters with the hasher's default 4,096 bytes let
/// a long non-ASCII password pass the policy and then fail to hash (found in review).
/// </summary>
internal sealed class PasswordLimitsValidator(IOptionsMonitor<PasswordHasherOptions> hasherOptions) : IValidateOptions<PasswordPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PasswordPolicyOptions options)
    {
        var maxBytes = hasherOptions.Get(Options.DefaultName).MaxPasswordBytes;
        return (long)options.MaximumLength * 4 <= maxBytes
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"PasswordPolicyOptions.MaximumLength is {options.MaximumLength} characters, up to {options.MaximumLength * 4L} bytes of UTF-8, " +
                $"but PasswordHasherOptions.MaxPasswordBytes is {maxBytes}: a password the policy accepts could not be hashed. " +
                $"Set MaximumLength to at most {maxBytes / 4} or MaxPasswordBytes to at least {options.MaximumLength * 4L}.");
    }
}
