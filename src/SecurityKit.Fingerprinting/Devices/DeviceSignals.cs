using System.Globalization;
using System.Text;

namespace SecurityKit.Fingerprinting.Devices;

/// <summary>
/// The normalised, plain-text components of a device fingerprint, before hashing. Exposed for device
/// summaries ("Chrome 131 on Windows") and tests; never store these next to the fingerprint.
/// </summary>
/// <param name="Browser">The browser family: <c>chrome</c>, <c>edge</c>, <c>firefox</c>, <c>safari</c>, <c>opera</c>, <c>samsung</c>, <c>other</c>.</param>
/// <param name="BrowserVersion">The browser major version, or empty.</param>
/// <param name="Platform">The OS family: <c>windows</c>, <c>macos</c>, <c>ios</c>, <c>android</c>, <c>chromeos</c>, <c>linux</c>, <c>other</c>.</param>
/// <param name="DeviceType">The device class: <c>mobile</c>, <c>tablet</c>, <c>desktop</c>.</param>
/// <param name="Language">Up to 8 language tags, lower-case, by preference (q-values applied, then dropped).</param>
/// <param name="Encoding">The accepted encodings with q &gt; 0, lower-case, sorted, distinct.</param>
/// <param name="UserAgent">The user agent with runs of whitespace collapsed.</param>
/// <param name="Model">The lower-case <c>Sec-CH-UA-Model</c> hint, or empty when none was given.</param>
public sealed record DeviceSignals(string Browser, string BrowserVersion, string Platform, string DeviceType, string Language, string Encoding, string UserAgent, string Model = "")
{
    private const int MaxListItems = 16;
    private const string ModelSeparator = "\u001Fmodel=";

    /// <summary>Gets a short human-readable summary, e.g. <c>Chrome 131 on Windows (desktop)</c>, for session lists.</summary>
    public string Summary
    {
        get
        {
            var browser = Browser switch
            {
                "chrome" => "Chrome",
                "edge" => "Edge",
                "firefox" => "Firefox",
                "safari" => "Safari",
                "opera" => "Opera",
                "samsung" => "Samsung Internet",
                _ => "Unknown browser",
            };
            var platform = Platform switch
            {
                "windows" => "Windows",
                "macos" => "macOS",
                "ios" => "iOS",
                "android" => "Android",
                "chromeos" => "ChromeOS",
                "linux" => "Linux",
                _ => "unknown OS",
            };
            return BrowserVersion.Length > 0 ? $"{browser} {BrowserVersion} on {platform} ({DeviceType})" : $"{browser} on {platform} ({DeviceType})";
        }
    }

    /// <summary>Normalises the raw request signals.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The normalised components.</returns>
    public static DeviceSignals From(DeviceFingerprintInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var ua = Limit(input.UserAgent);
        var (browser, version) = BrowserFromHints(Limit(input.ClientHintBrands));
        if (browser.Length == 0)
        {
            (browser, version) = BrowserFromUserAgent(ua);
        }

        var platform = PlatformFromHint(Limit(input.ClientHintPlatform));
        if (platform.Length == 0)
        {
            platform = PlatformFromUserAgent(ua);
        }

        var deviceType = DeviceTypeOf(ua, platform, Limit(input.ClientHintMobile));

        // The model hint is high entropy: a browser sends it only after the site asked for it (Accept-CH), so it can
        // appear between two requests of the same phone. Recipe 2 hashes it as a component of its own, so a comparison
        // tells its appearing or going (a weak change) from one model turning into another (another device: under
        // user-agent reduction every Android phone's user agent reads "Android 10; K", and the model is all that tells
        // them apart). Recipe 1 appended it to the user agent.
        var model = Unquote(Limit(input.ClientHintModel)).Trim().ToLowerInvariant();
        return new DeviceSignals(browser, version, platform, deviceType, Languages(Limit(input.AcceptLanguage)), Encodings(Limit(input.AcceptEncoding)), CollapseWhitespace(ua), model);
    }

    // ToString shows the coarse components and only the length of the others: the user agent (with the model hint) and
    // the language list are the identifying plain text a fingerprint hashes (found in review).
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Browser = ").Append(Browser).Append(", BrowserVersion = ").Append(BrowserVersion)
            .Append(", Platform = ").Append(Platform).Append(", DeviceType = ").Append(DeviceType);
        DeviceFingerprintInput.Length(builder, nameof(Language), Language);
        DeviceFingerprintInput.Length(builder, nameof(Encoding), Encoding);
        DeviceFingerprintInput.Length(builder, nameof(UserAgent), UserAgent);
        DeviceFingerprintInput.Length(builder, nameof(Model), Model);
        return true;
    }

    internal string Get(FingerprintComponents component, int version) => component switch
    {
        FingerprintComponents.Browser => Browser,
        FingerprintComponents.BrowserVersion => BrowserVersion,
        FingerprintComponents.Platform => Platform,
        FingerprintComponents.DeviceType => DeviceType,
        FingerprintComponents.Language => Language,
        FingerprintComponents.Encoding => Encoding,
        FingerprintComponents.UserAgent => version == 1 && Model.Length > 0 ? UserAgent + ModelSeparator + Model : UserAgent,
        FingerprintComponents.Model => Model,
        _ => throw new ArgumentOutOfRangeException(nameof(component)),
    };

    private static string Limit(string? value) =>
        value is null ? string.Empty : value.Length > DeviceFingerprintInput.MaxValueLength ? value[..DeviceFingerprintInput.MaxValueLength] : value;

    private static string Unquote(string value)
    {
        var v = value.Trim();
        return v.Length >= 2 && v[0] == '"' && v[^1] == '"' ? v[1..^1] : v;
    }

    // Sec-CH-UA: "Chromium";v="131", "Google Chrome";v="131", "Not_A Brand";v="24". GREASE brands
    // change with every release, so they are dropped; the most specific known brand wins.
    private static (string Browser, string Version) BrowserFromHints(string brands)
    {
        if (brands.Length == 0)
        {
            return (string.Empty, string.Empty);
        }

        (string Browser, string Version, int Rank) best = (string.Empty, string.Empty, 0);
        var items = 0;
        foreach (var item in brands.Split(','))
        {
            if (++items > MaxListItems)
            {
                break;
            }

            var parts = item.Split(';');
            var name = Unquote(parts[0]).ToLowerInvariant();
            var version = string.Empty;
            foreach (var p in parts.AsSpan(1))
            {
                var kv = p.Trim();
                if (kv.StartsWith("v=", StringComparison.Ordinal))
                {
                    version = MajorVersion(Unquote(kv[2..]));
                }
            }

            var (browser, rank) = name switch
            {
                "microsoft edge" => ("edge", 4),
                "opera" => ("opera", 4),
                "samsung internet" => ("samsung", 4),
                "google chrome" => ("chrome", 3),
                "chromium" => ("chrome", 2),
                _ => (string.Empty, 0),
            };
            if (rank > best.Rank)
            {
                best = (browser, version, rank);
            }
        }

        return (best.Browser, best.Version);
    }

    private static (string Browser, string Version) BrowserFromUserAgent(string ua)
    {
        foreach (var (token, browser) in new[] { ("Edg/", "edge"), ("EdgA/", "edge"), ("EdgiOS/", "edge"), ("OPR/", "opera"), ("SamsungBrowser/", "samsung"), ("Firefox/", "firefox"), ("FxiOS/", "firefox"), ("CriOS/", "chrome"), ("Chrome/", "chrome") })
        {
            var index = ua.IndexOf(token, StringComparison.Ordinal);
            if (index >= 0)
            {
                return (browser, MajorVersion(ua[(index + token.Length)..]));
            }
        }

        if (ua.Contains("Safari/", StringComparison.Ordinal))
        {
            var index = ua.IndexOf("Version/", StringComparison.Ordinal);
            return ("safari", index >= 0 ? MajorVersion(ua[(index + 8)..]) : string.Empty);
        }

        return ("other", string.Empty);
    }

    private static string MajorVersion(string text)
    {
        var length = 0;
        while (length < text.Length && length < 6 && char.IsAsciiDigit(text[length]))
        {
            length++;
        }

        return text[..length];
    }

    private static string PlatformFromHint(string hint) => Unquote(hint).ToLowerInvariant() switch
    {
        "" => string.Empty,
        "windows" => "windows",
        "macos" => "macos",
        "ios" => "ios",
        "android" => "android",
        "chrome os" or "chromeos" => "chromeos",
        "linux" => "linux",
        _ => "other",
    };

    private static string PlatformFromUserAgent(string ua)
    {
        if (ua.Contains("Windows", StringComparison.Ordinal))
        {
            return "windows";
        }

        if (ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("iPad", StringComparison.Ordinal) || ua.Contains("iPod", StringComparison.Ordinal))
        {
            return "ios";
        }

        if (ua.Contains("Android", StringComparison.Ordinal))
        {
            return "android";
        }

        if (ua.Contains("CrOS", StringComparison.Ordinal))
        {
            return "chromeos";
        }

        if (ua.Contains("Macintosh", StringComparison.Ordinal) || ua.Contains("Mac OS X", StringComparison.Ordinal))
        {
            return "macos";
        }

        return ua.Contains("Linux", StringComparison.Ordinal) ? "linux" : "other";
    }

    private static string DeviceTypeOf(string ua, string platform, string mobileHint)
    {
        if (ua.Contains("iPad", StringComparison.Ordinal) || ua.Contains("Tablet", StringComparison.Ordinal) ||
            (platform == "android" && !ua.Contains("Mobile", StringComparison.Ordinal) && mobileHint.Trim() != "?1" && ua.Length > 0))
        {
            return "tablet";
        }

        return mobileHint.Trim() switch
        {
            "?1" => "mobile",
            "?0" => "desktop",
            _ => ua.Contains("Mobile", StringComparison.Ordinal) || ua.Contains("iPhone", StringComparison.Ordinal) ? "mobile" : "desktop",
        };
    }

    // Accept-Language: en-GB,en;q=0.9,fr;q=0.8 → "en-gb,en,fr" (ordered by q, stable).
    private static string Languages(string header)
    {
        var tags = new List<(string Tag, double Q, int Order)>();
        foreach (var item in header.Split(','))
        {
            if (tags.Count == MaxListItems)
            {
                break;
            }

            var parts = item.Split(';');
            var tag = parts[0].Trim().ToLowerInvariant();
            if (tag.Length == 0 || tag.Length > 35)
            {
                continue;
            }

            var q = QualityOf(parts);
            if (q > 0 && !tags.Exists(t => t.Tag == tag))
            {
                tags.Add((tag, q, tags.Count));
            }
        }

        return string.Join(',', tags.OrderByDescending(t => t.Q).ThenBy(t => t.Order).Take(8).Select(t => t.Tag));
    }

    // Accept-Encoding: gzip, deflate, br, zstd → "br,deflate,gzip,zstd".
    private static string Encodings(string header)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        var items = 0;
        foreach (var item in header.Split(','))
        {
            if (++items > MaxListItems)
            {
                break;
            }

            var parts = item.Split(';');
            var coding = parts[0].Trim().ToLowerInvariant();
            if (coding.Length > 0 && coding.Length <= 32 && QualityOf(parts) > 0)
            {
                set.Add(coding);
            }
        }

        return string.Join(',', set);
    }

    private static double QualityOf(string[] parts)
    {
        foreach (var p in parts.AsSpan(1))
        {
            var kv = p.Trim();
            if (kv.StartsWith("q=", StringComparison.OrdinalIgnoreCase))
            {
                return double.TryParse(kv[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) && q is >= 0 and <= 1 ? q : 0;
            }
        }

        return 1;
    }

    private static string CollapseWhitespace(string value)
    {
        var builder = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
