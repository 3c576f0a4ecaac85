using System.Security.Cryptography;
using System.Text;
using SecurityKit.Keys;
using SecurityKit.Primitives;

namespace SecurityKit.Fingerprinting.Devices;

/// <summary>
/// Computes keyed device fingerprints (HMAC-SHA256 with the <see cref="KeyPurposes.Fingerprint"/> key)
/// and compares them component by component.
/// </summary>
/// <remarks>
/// <para><b>Security:</b> a fingerprint is built from client-controlled headers; anyone can copy a
/// victim's headers. Use changes as a risk signal (step-up, notify), never as proof of identity. The
/// HMAC key keeps fingerprints non-reversible (headers have little entropy, so an unkeyed hash could
/// be brute-forced) and unlinkable across deployments.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class DeviceFingerprinter
{
    private static readonly byte[] DomainV1 = "SecurityKit.Fingerprint.v1"u8.ToArray();
    private static readonly byte[] DomainV2 = "SecurityKit.Fingerprint.v2"u8.ToArray();
    private static readonly string[] ComponentNames = ["browser", "browser_version", "platform", "device_type", "language", "encoding", "user_agent", "model"];

    private readonly ISecretKeyRing _keyRing;

    /// <summary>Initializes a fingerprinter.</summary>
    /// <param name="keyRing">The key ring holding (or deriving) the <see cref="KeyPurposes.Fingerprint"/> key.</param>
    public DeviceFingerprinter(ISecretKeyRing keyRing)
    {
        ArgumentNullException.ThrowIfNull(keyRing);
        _keyRing = keyRing;
    }

    /// <summary>Computes the fingerprint of a device with the active key.</summary>
    /// <param name="input">The request signals.</param>
    /// <returns>The fingerprint.</returns>
    /// <exception cref="InvalidOperationException">The key ring has no fingerprint key.</exception>
    public DeviceFingerprint Compute(DeviceFingerprintInput input) => Compute(DeviceSignals.From(input), _keyRing.GetActiveKey(KeyPurposes.Fingerprint), DeviceFingerprint.CurrentVersion);

    /// <summary>Compares a stored fingerprint with the current request, recomputing with the stored key id and recipe
    /// version, so that neither key rotation nor a recipe change breaks comparisons.</summary>
    /// <param name="stored">The stored fingerprint.</param>
    /// <param name="current">The current request signals.</param>
    /// <returns>The comparison; <see cref="FingerprintChange.Incomparable"/> when the stored key is no longer in the ring or the version is unknown.</returns>
    public FingerprintComparison Compare(DeviceFingerprint stored, DeviceFingerprintInput current)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(current);
        if (stored.Version is not (1 or 2) || !_keyRing.TryGetKey(KeyPurposes.Fingerprint, stored.KeyId, out var key))
        {
            return new(FingerprintChange.Incomparable, FingerprintComponents.None);
        }

        return stored.CompareTo(Compute(DeviceSignals.From(current), key, stored.Version));
    }

    /// <summary>Compares a stored fingerprint string with the current request.</summary>
    /// <param name="stored">The stored fingerprint string; malformed text gives <see cref="FingerprintChange.Incomparable"/>.</param>
    /// <param name="current">The current request signals.</param>
    /// <returns>The comparison.</returns>
    public FingerprintComparison Compare(string? stored, DeviceFingerprintInput current) =>
        DeviceFingerprint.TryParse(stored, out var parsed) ? Compare(parsed, current) : new(FingerprintChange.Incomparable, FingerprintComponents.None);

    /// <summary>Returns a short summary of the device, e.g. <c>Firefox 133 on Linux (desktop)</c>, for session lists.</summary>
    /// <param name="input">The request signals.</param>
    /// <returns>The summary (plain text; coarse on purpose).</returns>
    public static string Describe(DeviceFingerprintInput input) => DeviceSignals.From(input).Summary;

    internal static DeviceFingerprint Compute(DeviceSignals signals, SecretKey key, int version)
    {
        var domain = version == 1 ? DomainV1 : DomainV2;
        var components = new string[DeviceFingerprint.ComponentCount(version)];
        Span<byte> all = stackalloc byte[32 * DeviceFingerprint.ComponentOrder.Length];
        all = all[..(32 * components.Length)];
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Material);
        for (var i = 0; i < components.Length; i++)
        {
            var component = DeviceFingerprint.ComponentOrder[i];
            var value = signals.Get(component, version);
            var hash = all.Slice(i * 32, 32);
            if (component == FingerprintComponents.Model && value.Length == 0)
            {
                // No model hint: zero bytes, so a comparison without the key tells "appeared or went" from "changed".
                hash.Clear();
                components[i] = DeviceFingerprint.AbsentModel;
                continue;
            }

            hmac.AppendData(domain);
            hmac.AppendData([0]);
            hmac.AppendData(Encoding.ASCII.GetBytes(ComponentNames[i]));
            hmac.AppendData([0]);
            hmac.AppendData(Encoding.UTF8.GetBytes(value));
            hmac.GetHashAndReset(hash);
            components[i] = Base64Url.Encode(hash[..DeviceFingerprint.ComponentHashLength]);
        }

        Span<byte> overall = stackalloc byte[32];
        hmac.AppendData(domain);
        hmac.AppendData("\0overall\0"u8);
        hmac.AppendData(all);
        hmac.GetHashAndReset(overall);
        return new DeviceFingerprint(version, key.KeyId, Base64Url.Encode(overall), components);
    }
}
