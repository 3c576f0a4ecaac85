using Microsoft.Extensions.Options;

namespace SecurityKit.Keys;

/// <summary>Validates <see cref="SecretKeyRingOptions"/> at startup.</summary>
internal sealed class SecretKeyRingOptionsValidator : IValidateOptions<SecretKeyRingOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretKeyRingOptions options)
    {
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static List<string> Check(SecretKeyRingOptions options)
    {
        var errors = new List<string>();
        var seen = new HashSet<(string, string)>();
        var rootIds = options.Keys.Where(k => k is { Purpose: KeyPurposes.Root }).Select(k => k.KeyId).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var entry = options.Keys[i];
            if (entry is null)
            {
                errors.Add($"SecurityKit key ring: Keys[{i}] is null.");
                continue;
            }

            // An invalid id or purpose is echoed as "(invalid)": a configuration with KeyId and Value swapped must not
            // put the key material into a startup exception that hosts log (found in review).
            var purposeText = SecretKey.IsValidPurpose(entry.Purpose) ? entry.Purpose : "(invalid)";
            var idText = SecretKey.IsValidKeyId(entry.KeyId) ? entry.KeyId : "(invalid)";
            var where = $"SecurityKit key ring: Keys[{i}] (purpose '{purposeText}', id '{idText}')";
            if (!SecretKey.IsValidPurpose(entry.Purpose))
            {
                errors.Add($"{where}: Purpose must be 1–64 characters of [a-z0-9._-], e.g. '{KeyPurposes.Root}'.");
            }

            if (!SecretKey.IsValidKeyId(entry.KeyId))
            {
                errors.Add($"{where}: KeyId must be 1–32 characters of [A-Za-z0-9_-].");
            }

            if (!seen.Add((entry.Purpose ?? string.Empty, entry.KeyId ?? string.Empty)))
            {
                errors.Add($"{where}: the same purpose and key id appear twice; give each key its own id.");
            }

            // A key derived from a root key carries the root key's id, and a purpose's own keys are looked up first: an
            // own key with a root key's id would silently take over every value stored under the derived key
            // (fingerprints read as other devices, OTP secrets and peppered hashes stop verifying) (found in review).
            if (entry.Purpose != KeyPurposes.Root && SecretKey.IsValidPurpose(entry.Purpose) && SecretKey.IsValidKeyId(entry.KeyId) && rootIds.Contains(entry.KeyId!))
            {
                errors.Add($"{where}: the key has the id of a root key; values protected with the key derived from root key '{entry.KeyId}' carry that id, so give the purpose's own key a different id (e.g. '{entry.Purpose}-{entry.KeyId}', if it fits 32 characters).");
            }

            var length = DecodedLength(entry.Value);
            if (length < 0)
            {
                errors.Add($"{where}: Value is not valid base64. Generate one with: openssl rand -base64 32");
            }
            else if (length < SecretKey.MinimumSizeInBytes)
            {
                errors.Add($"{where}: Value is {length * 8} bits; at least {SecretKey.MinimumSizeInBytes * 8} bits are required. Generate one with: openssl rand -base64 32");
            }
            else if (length > SecretKey.MaximumSizeInBytes)
            {
                errors.Add($"{where}: Value is longer than {SecretKey.MaximumSizeInBytes} bytes.");
            }
        }

        if (options.Keys.Count(k => k is { IsEphemeral: true }) > 1)
        {
            // Each call adds a key with a random id: two calls read as "two active root keys", which says nothing useful.
            errors.Add("SecurityKit key ring: AddEphemeralRootKey() was called more than once; call it once.");
        }

        if (options.Keys.Any(k => k is { IsEphemeral: true }) && options.Keys.Any(k => k is { IsEphemeral: false, Purpose: KeyPurposes.Root }))
        {
            // Keys from configuration are inactive unless marked: the ephemeral key would be the active root key, and
            // everything new would be protected with a key that dies with the process and differs on every instance.
            errors.Add("SecurityKit key ring: AddEphemeralRootKey() (tests and demos only) is combined with configured root keys; remove AddEphemeralRootKey() where real keys are configured (e.g. call it only in Development).");
        }

        foreach (var group in options.Keys.Where(k => k is not null).GroupBy(k => k.Purpose, StringComparer.Ordinal))
        {
            var activeCount = group.Count(k => k.Active);
            var purpose = SecretKey.IsValidPurpose(group.Key) ? group.Key : "(invalid)"; // never echo what may be key material
            if (activeCount > 1)
            {
                errors.Add($"SecurityKit key ring: purpose '{purpose}' has {activeCount} keys marked Active; mark exactly one.");
            }
            else if (activeCount == 0 && group.Count() > 1)
            {
                errors.Add($"SecurityKit key ring: purpose '{purpose}' has {group.Count()} keys and none marked Active; mark the one that protects new values.");
            }
        }

        return errors;
    }

    private static int DecodedLength(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return 0;
        }

        var buffer = new byte[(value.Length * 3 / 4) + 3];
        try
        {
            return Convert.TryFromBase64String(value, buffer, out var written) ? written : -1;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer);
        }
    }
}
