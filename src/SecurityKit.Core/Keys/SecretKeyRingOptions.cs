using System.Security.Cryptography;

namespace SecurityKit.Keys;

/// <summary>
/// The keys of the default <see cref="SecretKeyRing"/>, from code or configuration.
/// </summary>
/// <remarks>
/// <para>Configuration shape (e.g. section <c>SecurityKit:KeyRing</c>):</para>
/// <code>
/// "Keys": [ { "Purpose": "root", "KeyId": "2026-11", "Value": "&lt;base64, ≥ 32 bytes&gt;", "Active": true } ]
/// </code>
/// <para>Per purpose exactly one key is active (the only key of a purpose is active by default); the
/// others are kept to verify old values. Keys are validated at startup: at least 256 bits, valid ids, no
/// duplicates. <b>Security:</b> keep the values in a secret store, not in appsettings.json.</para>
/// </remarks>
public sealed class SecretKeyRingOptions
{
    /// <summary>Gets the configured keys.</summary>
    /// <value>The default value is an empty list.</value>
    public IList<SecretKeyEntry> Keys { get; } = new List<SecretKeyEntry>();

    /// <summary>Adds a key from raw bytes.</summary>
    /// <param name="purpose">The purpose, e.g. <see cref="KeyPurposes.Root"/>.</param>
    /// <param name="keyId">The key id, 1–32 characters of <c>[A-Za-z0-9_-]</c>.</param>
    /// <param name="material">The key, at least 32 bytes.</param>
    /// <param name="active">Whether new values are protected with this key.</param>
    /// <returns>These options, for chaining.</returns>
    public SecretKeyRingOptions AddKey(string purpose, string keyId, ReadOnlySpan<byte> material, bool active = true)
    {
        Keys.Add(new SecretKeyEntry { Purpose = purpose, KeyId = keyId, Value = Convert.ToBase64String(material), Active = active });
        return this;
    }

    /// <summary>Adds a key from base64 text.</summary>
    /// <param name="purpose">The purpose.</param>
    /// <param name="keyId">The key id.</param>
    /// <param name="base64">The key as standard base64, at least 32 bytes decoded.</param>
    /// <param name="active">Whether new values are protected with this key.</param>
    /// <returns>These options, for chaining.</returns>
    public SecretKeyRingOptions AddKey(string purpose, string keyId, string base64, bool active = true)
    {
        Keys.Add(new SecretKeyEntry { Purpose = purpose, KeyId = keyId, Value = base64, Active = active });
        return this;
    }

    /// <summary>
    /// Adds a random root key that lives only as long as the process. For development and tests only:
    /// everything protected with it (backup codes, OTP secrets, sessions, tokens) is lost on restart, and each instance
    /// has its own. Its id is <c>ephemeral-</c> and 8 random characters, new in every process, so values protected by
    /// another process's key are reported as made under an unknown key rather than failing as forged. The DI key ring logs
    /// a warning when it holds one, and password peppering refuses it.
    /// </summary>
    /// <returns>These options, for chaining.</returns>
    public SecretKeyRingOptions AddEphemeralRootKey()
    {
        Span<byte> key = stackalloc byte[32];
        RandomNumberGenerator.Fill(key);
        var id = "ephemeral-" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 8);
        Keys.Add(new SecretKeyEntry { Purpose = KeyPurposes.Root, KeyId = id, Value = Convert.ToBase64String(key), Active = true, IsEphemeral = true });
        CryptographicOperations.ZeroMemory(key);
        return this;
    }
}

/// <summary>One configured key of <see cref="SecretKeyRingOptions"/>.</summary>
public sealed class SecretKeyEntry
{
    /// <summary>Gets or sets the purpose.</summary>
    /// <value>The default value is <see cref="KeyPurposes.Root"/>.</value>
    public string Purpose { get; set; } = KeyPurposes.Root;

    /// <summary>Gets or sets the key id.</summary>
    /// <value>The default value is empty (invalid: set it).</value>
    public string KeyId { get; set; } = string.Empty;

    /// <summary>Gets or sets the key as standard base64. <b>Security:</b> never log it.</summary>
    /// <value>The default value is empty (invalid: set it).</value>
    public string Value { get; set; } = string.Empty;

    /// <summary>Gets or sets whether this is the active key of its purpose.</summary>
    /// <value>The default value is <see langword="false"/>; the only key of a purpose is active anyway.</value>
    public bool Active { get; set; }

    /// <summary>Gets whether <see cref="SecretKeyRingOptions.AddEphemeralRootKey"/> made this key.</summary>
    internal bool IsEphemeral { get; init; }

    /// <summary>Returns the purpose and id only.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() =>
        $"SecretKeyEntry(purpose={(SecretKey.IsValidPurpose(Purpose) ? Purpose : "(invalid)")}, id={(SecretKey.IsValidKeyId(KeyId) ? KeyId : "(invalid)")}, active={Active})";
}
