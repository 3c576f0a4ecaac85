using System.Security.Cryptography;
using SecurityKit.Keys;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Keys;

namespace SecurityKit.Tokens;

/// <summary>Builds the <see cref="SigningKeySet"/> of <see cref="TokenOptions"/>, or explains why it cannot.</summary>
internal static class TokenKeyLoader
{
    public static SigningKeySet Load(TokenOptions options, ISecretKeyRing keyRing)
    {
        var errors = new List<string>();
        var set = TryLoad(options, keyRing, errors);
        return set ?? throw new InvalidOperationException(string.Join(" ", errors));
    }

    public static SigningKeySet? TryLoad(TokenOptions options, ISecretKeyRing keyRing, List<string> errors)
    {
        if (options.SigningKeys.Count == 0)
        {
            if (keyRing.TryGetActiveKey(TokenKeyPurposes.Signing, out var ringKey))
            {
                // The active ring key signs; every other key of the ring (e.g. the previous root key, kept after a
                // rotation) still validates the tokens it signed until they expire or it is removed.
                var previous = new List<SigningKey>();
                foreach (var id in keyRing.GetKeyIds(TokenKeyPurposes.Signing).Distinct(StringComparer.Ordinal))
                {
                    if (id != ringKey.KeyId && keyRing.TryGetKey(TokenKeyPurposes.Signing, id, out var older))
                    {
                        previous.Add(SigningKey.FromSecretKey(older));
                    }
                }

                if (previous.Count + 1 > SigningKeySet.MaximumKeys)
                {
                    errors.Add(
                        $"The key ring holds {previous.Count + 1} keys for access-token signing (its own '{TokenKeyPurposes.Signing}' keys, or else every root key); " +
                        $"a signing key set holds at most {SigningKeySet.MaximumKeys}. Remove retired keys that no longer need to verify anything, " +
                        $"or give '{TokenKeyPurposes.Signing}' keys of its own.");
                    return null;
                }

                return new SigningKeySet(SigningKey.FromSecretKey(ringKey), previous);
            }

            errors.Add(
                "SecurityKit.Tokens needs a signing key. Either configure a root key for the key ring " +
                $"(builder.ConfigureKeys(k => k.AddKey(\"{KeyPurposes.Root}\", \"k1\", key)) or builder.AddKeysFromConfiguration(section)), " +
                "from which an HS256 key is derived, or add keys to TokenOptions.SigningKeys (KeyId, Algorithm, Value: base64 for HMAC, PEM for EC/RSA).");
            return null;
        }

        var keys = new List<SigningKey>();
        SigningKey? active = null;
        var activeCount = options.SigningKeys.Count(k => k?.Active == true);
        for (var i = 0; i < options.SigningKeys.Count; i++)
        {
            var entry = options.SigningKeys[i];
            if (entry is null)
            {
                errors.Add($"TokenOptions.SigningKeys[{i}] is null.");
                continue;
            }

            try
            {
                var key = Create(entry);
                keys.Add(key);
                if (entry.Active || (activeCount == 0 && options.SigningKeys.Count == 1))
                {
                    active = key;
                }
            }
            catch (ArgumentException e)
            {
                errors.Add($"TokenOptions.SigningKeys[{i}] (kid {SigningKey.KeyIdForMessage(entry.KeyId)}): {e.Message}");
            }
        }

        if (activeCount > 1)
        {
            errors.Add("TokenOptions.SigningKeys: more than one key has Active = true; mark exactly one.");
        }
        else if (active is null && errors.Count == 0)
        {
            errors.Add("TokenOptions.SigningKeys: no key has Active = true; mark the key that signs new tokens.");
        }
        else if (active is { CanSign: false })
        {
            errors.Add($"TokenOptions.SigningKeys: the active key {SigningKey.KeyIdForMessage(active.KeyId)} is a public key; the active key needs the private key (PEM).");
        }

        if (errors.Count > 0)
        {
            return null;
        }

        try
        {
            return new SigningKeySet(active!, keys.Where(k => !ReferenceEquals(k, active)));
        }
        catch (ArgumentException e)
        {
            errors.Add("TokenOptions.SigningKeys: " + e.Message);
            return null;
        }
    }

    private static SigningKey Create(SigningKeyEntry entry)
    {
        if (string.IsNullOrWhiteSpace(entry.Value))
        {
            throw new ArgumentException("Value is empty; set the key (base64 for HMAC, PEM for EC/RSA).");
        }

        if (JwsAlgorithms.IsSymmetric(entry.Algorithm))
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(entry.Value);
            }
            catch (FormatException)
            {
                throw new ArgumentException("Value is not valid standard base64.");
            }

            try
            {
                return SigningKey.CreateHmac(entry.KeyId, entry.Algorithm, bytes);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }

        return SigningKey.FromPem(entry.KeyId, entry.Algorithm, entry.Value);
    }
}
