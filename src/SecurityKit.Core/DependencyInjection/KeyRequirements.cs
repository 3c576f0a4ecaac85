using Microsoft.Extensions.Options;
using SecurityKit.Keys;

namespace SecurityKit;

/// <summary>The key purposes that the registered features need; checked at startup.</summary>
internal sealed class KeyRequirementOptions
{
    public Dictionary<string, string> Purposes { get; } = new(StringComparer.Ordinal);
}

internal sealed class KeyRequirementValidator(ISecretKeyRing keyRing) : IValidateOptions<KeyRequirementOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyRequirementOptions options)
    {
        List<string>? errors = null;
        foreach (var (purpose, feature) in options.Purposes)
        {
            if (!keyRing.TryGetActiveKey(purpose, out _))
            {
                (errors ??= []).Add(keyRing is SecretKeyRing
                    ? $"{feature} needs a secret key for purpose '{purpose}'. Configure a root key (≥ 256 bits) with " +
                      $"builder.ConfigureKeys(k => k.AddKey(\"{KeyPurposes.Root}\", \"k1\", key)) or builder.AddKeysFromConfiguration(section), " +
                      $"or a key for '{purpose}' itself."
                    : $"{feature} needs a secret key for purpose '{purpose}', and the key ring {keyRing.GetType().Name} (UseKeyRing) has none: " +
                      $"make its TryGetActiveKey return an active key (≥ 256 bits) for '{purpose}'. ConfigureKeys and AddKeysFromConfiguration configure the default ring only.");
            }
        }

        return errors is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
