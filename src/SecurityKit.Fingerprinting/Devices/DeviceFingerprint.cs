/*
 * Device fingerprint string, recipe version 2 (ASCII, at most 215 characters):
 *
 *   v2.<keyId>.<overall>.<browser>.<browserVersion>.<platform>.<deviceType>.<language>.<encoding>.<userAgent>.<model>
 *
 *   v2          recipe version: which components, how they are normalised (DeviceSignals) and hashed.
 *   keyId       id of the KeyPurposes.Fingerprint key (1–32 chars of [A-Za-z0-9_-]), so keys rotate.
 *   component   base64url (unpadded) of the first 12 bytes of
 *                 HMAC-SHA256(key, "SecurityKit.Fingerprint.v2" 0x00 <name> 0x00 UTF-8(normalised value))
 *               with <name> one of browser, browser_version, platform, device_type, language,
 *               encoding, user_agent, model; 16 characters each. 96 bits is plenty to detect change and
 *               keeps each component unlinkable without the key. An absent model (no Sec-CH-UA-Model
 *               hint) is 12 zero bytes ("AAAAAAAAAAAAAAAA") and its full hash 32 zero bytes, so a comparison
 *               without the key tells a hint that appeared or went from one model turning into another.
 *   overall     base64url (unpadded) of the full 32-byte
 *                 HMAC-SHA256(key, "SecurityKit.Fingerprint.v2" 0x00 "overall" 0x00 H(browser) ‖ … ‖ H(model))
 *               where H(x) is the full 32-byte component HMAC; 43 characters.
 *
 * Recipe version 1 (still parsed and compared, never computed for new fingerprints): "v1", the domain
 * "SecurityKit.Fingerprint.v1", no model component, and the model hint appended to user_agent as
 * U+001F "model=" <lower-case model>.
 *
 * Without the key a fingerprint reveals nothing about the headers and cannot be linked across
 * deployments (each has its own key).
 */
using System.Diagnostics.CodeAnalysis;
using SecurityKit.Primitives;

namespace SecurityKit.Fingerprinting.Devices;

/// <summary>
/// A keyed device fingerprint: an overall value and one hash per component, with its recipe version
/// and key id. Parse stored strings with <see cref="TryParse"/>; format with <see cref="ToString"/>.
/// </summary>
/// <remarks>Immutable and thread-safe. The string holds no plain-text header value.</remarks>
public sealed class DeviceFingerprint : IEquatable<DeviceFingerprint>
{
    /// <summary>The current recipe version (2 since 2026-12-01: the model hint became a component of its own; version 1
    /// strings are still parsed and compared).</summary>
    public const int CurrentVersion = 2;

    /// <summary>The longest fingerprint string accepted by <see cref="TryParse"/>.</summary>
    public const int MaxLength = 256;

    internal const int ComponentHashLength = 12;
    internal const int ComponentTextLength = 16;
    internal const int OverallTextLength = 43;

    internal const string AbsentModel = "AAAAAAAAAAAAAAAA"; // 12 zero bytes: no model hint (recipe 2)

    internal static readonly FingerprintComponents[] ComponentOrder =
    [
        FingerprintComponents.Browser,
        FingerprintComponents.BrowserVersion,
        FingerprintComponents.Platform,
        FingerprintComponents.DeviceType,
        FingerprintComponents.Language,
        FingerprintComponents.Encoding,
        FingerprintComponents.UserAgent,
        FingerprintComponents.Model,
    ];

    /// <summary>The number of components of a recipe version (1 or 2).</summary>
    internal static int ComponentCount(int version) => version == 1 ? ComponentOrder.Length - 1 : ComponentOrder.Length;

    private readonly string[] _components;

    internal DeviceFingerprint(int version, string keyId, string overall, string[] components)
    {
        Version = version;
        KeyId = keyId;
        Overall = overall;
        _components = components;
    }

    /// <summary>Gets the recipe version.</summary>
    public int Version { get; }

    /// <summary>Gets the id of the key that computed the fingerprint.</summary>
    public string KeyId { get; }

    /// <summary>Gets the overall fingerprint value (base64url, 43 characters): for fingerprints computed by <see cref="DeviceFingerprinter"/> with one key, equal values mean every component is equal (a parsed string is not checked: <see cref="Equals(DeviceFingerprint)"/> compares the components too).</summary>
    public string Overall { get; }

    /// <summary>Gets the hash of one component (base64url, 16 characters).</summary>
    /// <param name="component">A single component.</param>
    /// <returns>The component hash.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="component"/> is not a single component of this
    /// fingerprint's recipe (<see cref="FingerprintComponents.Model"/> is not one of recipe 1).</exception>
    public string GetComponent(FingerprintComponents component)
    {
        var index = Array.IndexOf(ComponentOrder, component);
        ArgumentOutOfRangeException.ThrowIfNegative(index, nameof(component));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _components.Length, nameof(component));
        return _components[index];
    }

    /// <summary>Compares this fingerprint (the earlier one) with <paramref name="current"/>, component by component.</summary>
    /// <param name="current">The newer fingerprint.</param>
    /// <returns>
    /// <see cref="FingerprintChange.Incomparable"/> when the versions or key ids differ (recompute with
    /// <see cref="DeviceFingerprinter.Compare(DeviceFingerprint, DeviceFingerprintInput)"/> instead), else the classification.
    /// </returns>
    public FingerprintComparison CompareTo(DeviceFingerprint current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (current.Version != Version || !string.Equals(current.KeyId, KeyId, StringComparison.Ordinal))
        {
            return new(FingerprintChange.Incomparable, FingerprintComponents.None);
        }

        var changed = FingerprintComponents.None;
        for (var i = 0; i < _components.Length; i++)
        {
            if (!FixedTime.Equals(_components[i], current._components[i]))
            {
                // A model hint that appeared or went is the same phone (a browser sends it only once the site asked for
                // it): a weak change, reported with the user agent. One model turning into another is another device.
                var component = ComponentOrder[i];
                changed |= component == FingerprintComponents.Model && (_components[i] == AbsentModel || current._components[i] == AbsentModel)
                    ? FingerprintComponents.UserAgent
                    : component;
            }
        }

        return FingerprintComparison.FromChanges(changed);
    }

    /// <summary>Parses a fingerprint string (see the format at the top of the source file and in docs/fingerprints.md).</summary>
    /// <param name="text">The text.</param>
    /// <param name="fingerprint">The fingerprint, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the text is a well-formed version 2 (or version 1) fingerprint.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out DeviceFingerprint? fingerprint)
    {
        fingerprint = null;
        if (text is null || text.Length > MaxLength)
        {
            return false;
        }

        var version = text.StartsWith("v2.", StringComparison.Ordinal) ? 2 : text.StartsWith("v1.", StringComparison.Ordinal) ? 1 : 0;
        if (version == 0)
        {
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != 3 + ComponentCount(version) || !Keys.SecretKey.IsValidKeyId(parts[1]) || !IsHash(parts[2], OverallTextLength, 32))
        {
            return false;
        }

        for (var i = 3; i < parts.Length; i++)
        {
            if (!IsHash(parts[i], ComponentTextLength, ComponentHashLength))
            {
                return false;
            }
        }

        fingerprint = new DeviceFingerprint(version, parts[1], parts[2], parts[3..]);
        return true;
    }

    /// <summary>Formats the fingerprint: <c>v2.&lt;keyId&gt;.&lt;overall&gt;.&lt;8 component hashes&gt;</c> (version 1: 7).</summary>
    /// <returns>The fingerprint string (safe to store and log).</returns>
    public override string ToString() => $"v{Version}.{KeyId}.{Overall}.{string.Join('.', _components)}";

    /// <summary>Gets whether both fingerprints have the same version, key id, overall value and component hashes.</summary>
    /// <param name="other">The other fingerprint.</param>
    /// <returns><see langword="true"/> when every part is equal.</returns>
    /// <remarks>The components are compared too: a parsed string can pair one device's overall value with another's
    /// components (the 12-byte component hashes cannot be checked against the overall value, even with the key), and
    /// <see cref="CompareTo"/>, which reads only the components, must never call equal fingerprints different.</remarks>
    public bool Equals(DeviceFingerprint? other)
    {
        if (other is null || other.Version != Version || !string.Equals(other.KeyId, KeyId, StringComparison.Ordinal))
        {
            return false;
        }

        var equal = FixedTime.Equals(other.Overall, Overall);
        for (var i = 0; i < _components.Length; i++)
        {
            equal &= FixedTime.Equals(other._components[i], _components[i]);
        }

        return equal;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DeviceFingerprint);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Version, KeyId, Overall);

    private static bool IsHash(string text, int length, int bytes)
    {
        Span<byte> buffer = stackalloc byte[33];
        return text.Length == length && Base64Url.TryDecode(text, buffer, out var written) && written == bytes;
    }
}
