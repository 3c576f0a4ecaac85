using Microsoft.Extensions.Options;

namespace SecurityKit.RateLimiting.Login;

/// <summary>Validates <see cref="LoginProtectionOptions"/> at startup with messages that say what to set.</summary>
internal sealed class LoginProtectionOptionsValidator : IValidateOptions<LoginProtectionOptions>
{
    public ValidateOptionsResult Validate(string? name, LoginProtectionOptions options)
    {
        var errors = LoginProtector.Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
