namespace SecurityKit.Fingerprinting.Devices;

/// <summary>The components of a device fingerprint, each hashed separately so a comparison can say which changed.</summary>
[Flags]
public enum FingerprintComponents
{
    /// <summary>No component.</summary>
    None = 0,

    /// <summary>The browser family (Chrome, Edge, Firefox, Safari, Opera, other), from client hints or the user agent.</summary>
    Browser = 1,

    /// <summary>The browser major version.</summary>
    BrowserVersion = 2,

    /// <summary>The operating system family (Windows, macOS, iOS, Android, Linux, ChromeOS, other).</summary>
    Platform = 4,

    /// <summary>The device class (mobile, tablet, desktop).</summary>
    DeviceType = 8,

    /// <summary>The preferred languages, in preference order.</summary>
    Language = 16,

    /// <summary>The accepted content encodings, as a set.</summary>
    Encoding = 32,

    /// <summary>The whole user agent, whitespace-normalised (recipe 1: with the model hint appended when given). Also set
    /// when the model hint appeared or went between two recipe-2 fingerprints (a browser sends it only once asked).</summary>
    UserAgent = 64,

    /// <summary>The device model hint (<c>Sec-CH-UA-Model</c>), recipe 2: set when one model turned into another, both
    /// present (a different phone).</summary>
    Model = 128,
}

/// <summary>What a fingerprint comparison concluded.</summary>
public enum FingerprintChange
{
    /// <summary>The fingerprints cannot be compared: unknown recipe version, or a key id the key ring no longer has. No conclusion.</summary>
    Incomparable = 0,

    /// <summary>Every component is the same.</summary>
    Unchanged = 1,

    /// <summary>Only version-like components changed (browser version, full user agent, encodings): most likely the same device after a browser update.</summary>
    BrowserUpdated = 2,

    /// <summary>The language preferences changed (possibly with an update), with the same browser, platform and device class: the same device, settings changed.</summary>
    SettingsChanged = 3,

    /// <summary>The browser family, platform, device class or device model changed: most likely a different device.</summary>
    DifferentDevice = 4,
}

/// <summary>The result of comparing two device fingerprints.</summary>
/// <param name="Change">The classification.</param>
/// <param name="ChangedComponents">Which components differ (<see cref="FingerprintComponents.None"/> when incomparable).</param>
public readonly record struct FingerprintComparison(FingerprintChange Change, FingerprintComponents ChangedComponents)
{
    /// <summary>Gets whether the comparison suggests another device.</summary>
    public bool IsDifferentDevice => Change == FingerprintChange.DifferentDevice;

    /// <summary>Classifies a set of changed components.</summary>
    /// <param name="changed">The changed components.</param>
    /// <returns>The comparison.</returns>
    public static FingerprintComparison FromChanges(FingerprintComponents changed)
    {
        const FingerprintComponents device = FingerprintComponents.Browser | FingerprintComponents.Platform | FingerprintComponents.DeviceType | FingerprintComponents.Model;
        var change = changed switch
        {
            FingerprintComponents.None => FingerprintChange.Unchanged,
            _ when (changed & device) != 0 => FingerprintChange.DifferentDevice,
            _ when (changed & FingerprintComponents.Language) != 0 => FingerprintChange.SettingsChanged,
            _ => FingerprintChange.BrowserUpdated,
        };
        return new(change, changed);
    }
}
