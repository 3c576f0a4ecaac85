using System.Buffers;
using System.Text.Json;
using SecurityKit.Tokens.Jose;

namespace SecurityKit.Tokens.Keys;

/// <summary>
/// The signing keys of an issuer: one active key that signs new tokens and older keys kept only to
/// validate tokens issued before a rotation.
/// </summary>
/// <remarks>
/// <para>Rotation without downtime: publish the new key (as a validation key) first, then make it active,
/// and drop the old key once the longest-lived token signed with it has expired.</para>
/// <para>A token's <c>kid</c> is looked up only in this set; keys are never fetched from <c>jku</c>,
/// <c>x5u</c> or taken from an embedded <c>jwk</c>/<c>x5c</c>. The set is small (a handful of keys), so the
/// lookup is a linear, allocation-free scan. Immutable and thread-safe.</para>
/// </remarks>
public sealed class SigningKeySet
{
    private readonly SigningKey[] _keys;
    private readonly SigningKey? _active;

    /// <summary>Initializes a key set.</summary>
    /// <param name="activeKey">The key that signs new tokens; it must hold private material.</param>
    /// <param name="validationKeys">Older or upcoming keys accepted for validation only.</param>
    /// <exception cref="ArgumentException">The active key cannot sign, or two keys share a key id.</exception>
    public SigningKeySet(SigningKey activeKey, params IEnumerable<SigningKey> validationKeys)
    {
        ArgumentNullException.ThrowIfNull(activeKey);
        ArgumentNullException.ThrowIfNull(validationKeys);
        if (!activeKey.CanSign)
        {
            throw new ArgumentException($"The active signing key {SigningKey.KeyIdForMessage(activeKey.KeyId)} is a public key; the active key must hold the private key.", nameof(activeKey));
        }

        var keys = new List<SigningKey> { activeKey };
        foreach (var key in validationKeys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(validationKeys));
            keys.Add(key);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!ids.Add(key.KeyId))
            {
                throw new ArgumentException($"Two signing keys share the key id {SigningKey.KeyIdForMessage(key.KeyId)}; every key needs its own kid.", nameof(validationKeys));
            }
        }

        if (keys.Count > MaximumKeys)
        {
            throw new ArgumentException($"A signing key set holds at most {MaximumKeys} keys.", nameof(validationKeys));
        }

        _active = activeKey;
        _keys = keys.ToArray();
    }

    private SigningKeySet(SigningKey[] keys)
    {
        _keys = keys;
    }

    /// <summary>
    /// Creates a set that only validates (e.g. the public keys of another issuer); it has no active key
    /// and cannot back a <see cref="Jwt.JwtIssuer"/>.
    /// </summary>
    /// <param name="keys">The keys, 1 to <see cref="MaximumKeys"/>, with distinct key ids.</param>
    /// <returns>The key set.</returns>
    /// <exception cref="ArgumentException">No keys, too many, or duplicate key ids.</exception>
    public static SigningKeySet ForValidation(params IEnumerable<SigningKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.ToArray();
        if (list.Length is 0 or > MaximumKeys || list.Any(k => k is null) || list.Select(k => k.KeyId).Distinct(StringComparer.Ordinal).Count() != list.Length)
        {
            throw new ArgumentException($"A validation key set needs 1–{MaximumKeys} keys with distinct key ids.", nameof(keys));
        }

        return new SigningKeySet(list);
    }

    /// <summary>The largest number of keys in a set.</summary>
    public const int MaximumKeys = 16;

    /// <summary>Gets the key that signs new tokens.</summary>
    /// <exception cref="InvalidOperationException">The set was created with <see cref="ForValidation"/>.</exception>
    public SigningKey ActiveKey => _active ?? throw new InvalidOperationException("This signing key set is for validation only; it has no active key.");

    /// <summary>Gets whether the set has an active key that can sign.</summary>
    public bool CanSign => _active is not null;

    /// <summary>Gets every key: the active key (if any) first, then the validation keys.</summary>
    public IReadOnlyList<SigningKey> Keys => _keys;

    /// <summary>Finds a key by id.</summary>
    /// <param name="keyId">The key id.</param>
    /// <returns>The key, or <see langword="null"/>.</returns>
    public SigningKey? Find(string keyId)
    {
        foreach (var key in _keys)
        {
            if (string.Equals(key.KeyId, keyId, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return null;
    }

    internal SigningKey? Find(ref Utf8JsonReader reader)
    {
        foreach (var key in _keys)
        {
            if (reader.ValueTextEquals(key.KeyIdUtf8))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>
    /// Exports the public keys as a JWK Set (RFC 7517 §5), for a <c>/.well-known/jwks.json</c> endpoint.
    /// HMAC keys are never exported; a set of HMAC keys exports <c>{"keys":[]}</c>.
    /// </summary>
    /// <returns>The JWKS JSON text.</returns>
    public string ExportJwks()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in _keys)
            {
                if (key.IsAsymmetric)
                {
                    key.WritePublicJwk(writer);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Returns the key ids only.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"SigningKeySet(active={_active?.KeyId ?? "none"}, keys={string.Join(",", _keys.Select(k => k.KeyId))})";
}
