using Microsoft.Extensions.Options;

namespace SecurityKit.Passwords.Strength;

/// <summary>Validates <see cref="PasswordPolicyOptions"/> at startup. Thread-safe.</summary>
public sealed class PasswordPolicyOptionsValidator : IValidateOptions<PasswordPolicyOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PasswordPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = GetErrors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static List<string> GetErrors(PasswordPolicyOptions options)
    {
        var errors = new List<string>();
        if (!SecurityKit.Primitives.UnicodeNormalization.IsAvailable)
        {
            errors.Add("PasswordPolicy: " + SecurityKit.Primitives.UnicodeNormalization.MissingMessage);
        }

        if (options.MinimumLengthWithMultiFactor < 1 || options.MinimumLength < options.MinimumLengthWithMultiFactor)
        {
            errors.Add("PasswordPolicyOptions: set MinimumLengthWithMultiFactor to at least 1 and MinimumLength to at least MinimumLengthWithMultiFactor.");
        }

        if (options.MaximumLength < options.MinimumLength || options.MaximumLength > PasswordPolicyOptions.MaximumLengthCeiling)
        {
            errors.Add($"PasswordPolicyOptions: set MaximumLength between MinimumLength and {PasswordPolicyOptions.MaximumLengthCeiling}.");
        }

        if (options.MinimumScore is < 0 or > 4)
        {
            errors.Add("PasswordPolicyOptions: set MinimumScore between 0 and 4 (3 is the default).");
        }

        if (options.MinimumContextWordLength < 1)
        {
            errors.Add("PasswordPolicyOptions: set MinimumContextWordLength to at least 1 (4 is the default).");
        }

        if (options.Strength.MaxEstimatedLength is < PasswordStrengthOptions.MinimumMaxEstimatedLength or > PasswordStrengthOptions.MaximumMaxEstimatedLength)
        {
            errors.Add($"PasswordPolicyOptions: set Strength.MaxEstimatedLength between {PasswordStrengthOptions.MinimumMaxEstimatedLength} and {PasswordStrengthOptions.MaximumMaxEstimatedLength}.");
        }

        if (options.Strength.MaxUserInputs < 0)
        {
            errors.Add("PasswordPolicyOptions: set Strength.MaxUserInputs to 0 or more.");
        }

        try
        {
            options.BreachCheck.Validate();
        }
        catch (ArgumentException e)
        {
            errors.Add("PasswordPolicyOptions.BreachCheck: " + e.Message);
        }

        if (!options.WeakerThanNistAllowed)
        {
            // Whatever MultiFactorRequired says: MinimumLength is what an account without MFA gets (a context with
            // UsesMultiFactor = false), and it was exempt from the floor when MultiFactorRequired was set, so such an
            // account could get 8 characters (found in review). MFA accounts get MinimumLengthWithMultiFactor.
            if (options.MinimumLength < PasswordPolicyOptions.NistMinimumLength)
            {
                errors.Add($"PasswordPolicyOptions: MinimumLength {options.MinimumLength} is below the NIST SP 800-63B floor for single-factor passwords; set it to at least {PasswordPolicyOptions.NistMinimumLength} (accounts with MFA get MinimumLengthWithMultiFactor, 8, through MultiFactorRequired = true or PasswordPolicyContext.UsesMultiFactor), or call options.AllowWeakerThanNist() (SecurityKit.Passwords.Strength.DangerZone).");
            }

            if (options.MinimumLengthWithMultiFactor < PasswordPolicyOptions.NistMinimumLengthWithMultiFactor)
            {
                errors.Add($"PasswordPolicyOptions: MinimumLengthWithMultiFactor {options.MinimumLengthWithMultiFactor} is below the NIST SP 800-63B floor; set it to at least {PasswordPolicyOptions.NistMinimumLengthWithMultiFactor} or call options.AllowWeakerThanNist().");
            }

            if (options.MaximumLength < PasswordPolicyOptions.NistMaximumLengthFloor)
            {
                errors.Add($"PasswordPolicyOptions: MaximumLength {options.MaximumLength} rejects passwords NIST SP 800-63B says to accept; set it to at least {PasswordPolicyOptions.NistMaximumLengthFloor} or call options.AllowWeakerThanNist().");
            }

            if (!options.BlockCommonPasswords)
            {
                errors.Add("PasswordPolicyOptions: BlockCommonPasswords = false drops the blocklist NIST SP 800-63B requires; set it to true or call options.AllowWeakerThanNist().");
            }
        }

        return errors;
    }
}
