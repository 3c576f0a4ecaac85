using System.Diagnostics.CodeAnalysis;

namespace SecurityKit.Keys;

/// <summary>
/// Holds the symmetric secrets of an application by purpose, each with a key id, one active key per
/// purpose and older keys kept so values protected with them still verify.
/// </summary>
/// <remarks>
/// Implement this interface to load keys from a vault; the default <see cref="SecretKeyRing"/> reads
/// <see cref="SecretKeyRingOptions"/>. Implementations must be thread-safe.
/// </remarks>
public interface ISecretKeyRing
{
    /// <summary>Gets the active key for <paramref name="purpose"/>, to protect new values.</summary>
    /// <param name="purpose">The purpose, e.g. <see cref="KeyPurposes.BackupCodes"/>.</param>
    /// <param name="key">The active key, or <see langword="null"/> when the ring has none for the purpose.</param>
    /// <returns><see langword="true"/> when a key was found.</returns>
    bool TryGetActiveKey(string purpose, [NotNullWhen(true)] out SecretKey? key);

    /// <summary>Gets the key with id <paramref name="keyId"/> for <paramref name="purpose"/>, to verify or unprotect stored values.</summary>
    /// <param name="purpose">The purpose.</param>
    /// <param name="keyId">The key id recorded next to the stored value.</param>
    /// <param name="key">The key, or <see langword="null"/> when it is unknown (retired or never configured).</param>
    /// <returns><see langword="true"/> when a key was found.</returns>
    bool TryGetKey(string purpose, string keyId, [NotNullWhen(true)] out SecretKey? key);

    /// <summary>
    /// Gets the ids of the keys <paramref name="purpose"/> uses: the active one and those kept to verify older values. A
    /// purpose with keys of its own lists only those; one without lists the root keys (it uses keys derived from them).
    /// Features that must know every key up front (the JWT validator's key set) use it, so a rotated key still verifies
    /// what it protected, while a purpose given a key of its own stops accepting anything under root-derived keys.
    /// (<see cref="TryGetKey"/> still resolves a root-derived key by id, for values protected before the purpose got its
    /// own key and stored with their key id.)
    /// </summary>
    /// <param name="purpose">The purpose.</param>
    /// <returns>The key ids; by default (an implementation that does not list its keys) only the active key's.</returns>
    IReadOnlyList<string> GetKeyIds(string purpose) => TryGetActiveKey(purpose, out var key) ? [key.KeyId] : [];
}

/// <summary>Convenience members for <see cref="ISecretKeyRing"/>.</summary>
public static class SecretKeyRingExtensions
{
    /// <summary>Gets the active key for <paramref name="purpose"/> or throws a configuration error.</summary>
    /// <param name="keyRing">The key ring.</param>
    /// <param name="purpose">The purpose.</param>
    /// <returns>The active key.</returns>
    /// <exception cref="InvalidOperationException">No key is configured for the purpose (nor a root key).</exception>
    public static SecretKey GetActiveKey(this ISecretKeyRing keyRing, string purpose)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        if (keyRing.TryGetActiveKey(purpose, out var key))
        {
            return key;
        }

        throw new InvalidOperationException(
            $"SecurityKit has no active key for purpose '{purpose}'. Configure one with builder.ConfigureKeys(k => k.AddKey(\"{purpose}\", \"k1\", keyBytes)) " +
            $"or a root key (purpose '{KeyPurposes.Root}') from which every purpose is derived, e.g. configuration section 'SecurityKit:KeyRing'.");
    }
}
