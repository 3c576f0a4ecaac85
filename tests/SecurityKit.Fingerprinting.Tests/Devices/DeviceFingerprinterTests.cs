using CsCheck;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SecurityKit.Fingerprinting.Devices;
using SecurityKit.Keys;
using SecurityKit.Primitives;

namespace SecurityKit.Fingerprinting.Tests.Devices;

public sealed class DeviceFingerprinterTests
{
    internal const string ChromeWindows120 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    internal const string ChromeWindows121 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36";
    internal const string FirefoxLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    internal const string SafariIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
    internal const string ChromeAndroidMobile = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
    internal const string EdgeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91";

    private static readonly byte[] KeyOne = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyTwo = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    internal static DeviceFingerprintInput Chrome120 => new()
    {
        UserAgent = ChromeWindows120,
        AcceptLanguage = "en-GB,en;q=0.9,fr;q=0.8",
        AcceptEncoding = "gzip, deflate, br",
        ClientHintBrands = "\"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\"",
        ClientHintPlatform = "\"Windows\"",
        ClientHintMobile = "?0",
    };

    private static DeviceFingerprintInput AndroidPhone => new()
    {
        UserAgent = ChromeAndroidMobile,
        ClientHintBrands = "\"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\"",
        ClientHintPlatform = "\"Android\"",
        ClientHintMobile = "?1",
    };

    private static SecretKeyRing Ring(params (string Id, byte[] Key, bool Active)[] keys)
    {
        var options = new SecretKeyRingOptions();
        foreach (var (id, key, active) in keys)
        {
            options.AddKey(KeyPurposes.Fingerprint, id, key, active);
        }

        return new SecretKeyRing(options);
    }

    private static DeviceFingerprinter Fingerprinter() => new(Ring(("k1", KeyOne, true)));

    private static byte[] Hmac(byte[] key, int version, string name, string value) =>
        HMACSHA256.HashData(key, (byte[])[.. Encoding.ASCII.GetBytes($"SecurityKit.Fingerprint.v{version}\0"), .. Encoding.ASCII.GetBytes(name), 0, .. Encoding.UTF8.GetBytes(value)]);

    /// <summary>A fingerprint string built from the documented layout alone (recipe 1 or 2); a null model is absent.</summary>
    private static string Layout(int version, string userAgent, string? model = null)
    {
        List<string> names = ["browser", "browser_version", "platform", "device_type", "language", "encoding", "user_agent"];
        List<string> values = ["chrome", "120", "windows", "desktop", "en-gb,en,fr", "br,deflate,gzip", version == 1 && model is not null ? userAgent + "\u001Fmodel=" + model : userAgent];
        var full = names.Zip(values, (n, v) => Hmac(KeyOne, version, n, v)).ToList();
        if (version == 2)
        {
            full.Add(model is null ? new byte[32] : Hmac(KeyOne, 2, "model", model));
        }

        var overall = HMACSHA256.HashData(KeyOne, (byte[])[.. Encoding.ASCII.GetBytes($"SecurityKit.Fingerprint.v{version}\0overall\0"), .. full.SelectMany(h => h)]);
        return $"v{version}.k1.{Base64Url.Encode(overall)}." + string.Join('.', full.Select(h => Base64Url.Encode(h.AsSpan(0, 12))));
    }

    [Fact]
    public void Compute_MatchesDocumentedFormat_ComponentAndOverallHmacs()
    {
        var fp = Fingerprinter().Compute(Chrome120);

        fp.ToString().Should().Be(Layout(2, ChromeWindows120));
        fp.ToString().Split('.')[^1].Should().Be("AAAAAAAAAAAAAAAA", "no model hint: 12 zero bytes");
        fp.KeyId.Should().Be("k1");
        fp.Version.Should().Be(2);
        fp.GetComponent(FingerprintComponents.Browser).Should().Be(Base64Url.Encode(Hmac(KeyOne, 2, "browser", "chrome").AsSpan(0, 12)));
        Fingerprinter().Compute(Chrome120 with { ClientHintModel = "\"Pixel 7\"" }).ToString().Should().Be(Layout(2, ChromeWindows120, "pixel 7"));
    }

    [Fact]
    public void Compare_StoredRecipeOneFingerprint_ComparedWithRecipeOne()
    {
        // Fingerprints stored before recipe 2 keep comparing: the current request is recomputed with recipe 1.
        var fingerprinter = Fingerprinter();
        var stored = Layout(1, ChromeWindows120);
        DeviceFingerprint.TryParse(stored, out var parsed).Should().BeTrue();
        parsed!.Version.Should().Be(1);
        parsed.Invoking(p => p.GetComponent(FingerprintComponents.Model)).Should().Throw<ArgumentOutOfRangeException>("recipe 1 has no model component");

        fingerprinter.Compare(stored, Chrome120).Should().Be(new FingerprintComparison(FingerprintChange.Unchanged, FingerprintComponents.None));
        fingerprinter.Compare(stored, Chrome120 with { AcceptLanguage = "de" }).Change.Should().Be(FingerprintChange.SettingsChanged);
        fingerprinter.Compare(stored, new DeviceFingerprintInput { UserAgent = FirefoxLinux }).Change.Should().Be(FingerprintChange.DifferentDevice);

        var storedWithModel = Layout(1, ChromeWindows120, "pixel 7");
        fingerprinter.Compare(storedWithModel, Chrome120 with { ClientHintModel = "Pixel 7" }).Change.Should().Be(FingerprintChange.Unchanged);
        fingerprinter.Compare(storedWithModel, Chrome120 with { ClientHintModel = "SM-S911B" })
            .Should().Be(new FingerprintComparison(FingerprintChange.BrowserUpdated, FingerprintComponents.UserAgent), "recipe 1 cannot tell a model change");

        // A recipe-1 and a recipe-2 fingerprint are not compared with each other without the key.
        parsed.CompareTo(fingerprinter.Compute(Chrome120)).Change.Should().Be(FingerprintChange.Incomparable);
    }

    [Fact]
    public void Compute_SameDeviceWithNoisyHeaders_Unchanged()
    {
        var fingerprinter = Fingerprinter();
        var a = fingerprinter.Compute(Chrome120);
        var b = fingerprinter.Compute(Chrome120 with
        {
            UserAgent = "  " + ChromeWindows120.Replace(" ", "   ", StringComparison.Ordinal) + " ",
            AcceptLanguage = "fr;q=0.8, EN-GB , en;q=0.9",
            AcceptEncoding = "br,GZIP , deflate",
            ClientHintBrands = "\"Chromium\";v=\"120\", \"Google Chrome\";v=\"120\", \"Not?A_Brand\";v=\"99\"",
        });
        a.Should().Be(b);
        a.CompareTo(b).Should().Be(new FingerprintComparison(FingerprintChange.Unchanged, FingerprintComponents.None));
        a.ToString().Should().NotContain("Chrome").And.NotContain("Windows");
    }

    [Fact]
    public void Compare_BrowserUpdate_ClassifiedAsSameDevice()
    {
        var fingerprinter = Fingerprinter();
        var before = fingerprinter.Compute(Chrome120);
        var after = Chrome120 with
        {
            UserAgent = ChromeWindows121,
            AcceptEncoding = "gzip, deflate, br, zstd",
            ClientHintBrands = "\"Not A(Brand\";v=\"99\", \"Chromium\";v=\"121\", \"Google Chrome\";v=\"121\"",
        };
        var comparison = fingerprinter.Compare(before, after);
        comparison.Change.Should().Be(FingerprintChange.BrowserUpdated);
        comparison.ChangedComponents.Should().Be(FingerprintComponents.BrowserVersion | FingerprintComponents.UserAgent | FingerprintComponents.Encoding);
        comparison.IsDifferentDevice.Should().BeFalse();
    }

    [Fact]
    public void Compare_LanguageChange_SettingsChanged()
    {
        var fingerprinter = Fingerprinter();
        var comparison = fingerprinter.Compare(fingerprinter.Compute(Chrome120), Chrome120 with { AcceptLanguage = "de-DE,de;q=0.9" });
        comparison.Should().Be(new FingerprintComparison(FingerprintChange.SettingsChanged, FingerprintComponents.Language));
    }

    [Fact]
    public void Compare_OtherBrowserAndOs_DifferentDevice()
    {
        var fingerprinter = Fingerprinter();
        var comparison = fingerprinter.Compare(fingerprinter.Compute(Chrome120), new DeviceFingerprintInput
        {
            UserAgent = FirefoxLinux,
            AcceptLanguage = "en-GB,en;q=0.9,fr;q=0.8",
            AcceptEncoding = "gzip, deflate, br",
        });
        comparison.Change.Should().Be(FingerprintChange.DifferentDevice);
        comparison.ChangedComponents.Should().HaveFlag(FingerprintComponents.Browser).And.HaveFlag(FingerprintComponents.Platform);
        comparison.ChangedComponents.Should().NotHaveFlag(FingerprintComponents.Language);
    }

    [Fact]
    public void Compare_MobileVersusDesktop_DifferentDevice()
    {
        var fingerprinter = Fingerprinter();
        var comparison = fingerprinter.Compare(fingerprinter.Compute(Chrome120), Chrome120 with { ClientHintMobile = "?1" });
        comparison.Should().Be(new FingerprintComparison(FingerprintChange.DifferentDevice, FingerprintComponents.DeviceType));
    }

    [Fact]
    public void Compare_ModelHintAppearsOrGoes_SameDeviceWithAWeakChange()
    {
        // A browser sends Sec-CH-UA-Model only once the site asked for it: the same phone, with and without the hint.
        var fingerprinter = Fingerprinter();
        var phone = AndroidPhone;
        var withModel = phone with { ClientHintModel = "\"Pixel 7\"" };
        var expected = new FingerprintComparison(FingerprintChange.BrowserUpdated, FingerprintComponents.UserAgent);

        fingerprinter.Compare(fingerprinter.Compute(phone), withModel).Should().Be(expected);
        fingerprinter.Compare(fingerprinter.Compute(withModel), phone).Should().Be(expected);
        fingerprinter.Compute(phone).CompareTo(fingerprinter.Compute(withModel)).Should().Be(expected, "no key needed to tell an absent model");
        fingerprinter.Compare(fingerprinter.Compute(withModel), phone with { ClientHintModel = " \"pixel 7\" " }).Change.Should().Be(FingerprintChange.Unchanged);
    }

    [Fact]
    public void Compare_ModelChangesToAnother_DifferentDevice()
    {
        // Under user-agent reduction every Android phone's user agent reads "Android 10; K": a stolen session cookie
        // replayed from another phone with the same Chrome and language differs only in the model hint.
        var fingerprinter = Fingerprinter();
        var phone = AndroidPhone with { ClientHintModel = "\"Pixel 7\"" };
        var other = phone with { ClientHintModel = "SM-S911B" };
        var expected = new FingerprintComparison(FingerprintChange.DifferentDevice, FingerprintComponents.Model);

        fingerprinter.Compare(fingerprinter.Compute(phone), other).Should().Be(expected);
        fingerprinter.Compute(phone).CompareTo(fingerprinter.Compute(other)).Should().Be(expected);
        fingerprinter.Compare(fingerprinter.Compute(phone), other with { UserAgent = ChromeAndroidMobile.Replace("120.0", "121.0", StringComparison.Ordinal) })
            .Should().Be(new FingerprintComparison(FingerprintChange.DifferentDevice, FingerprintComponents.Model | FingerprintComponents.UserAgent));
    }

    [Fact]
    public void Signals_ModelHint_JoinsTheUserAgentNotTheDeviceClass()
    {
        var signals = DeviceSignals.From(new DeviceFingerprintInput { UserAgent = ChromeAndroidMobile, ClientHintMobile = "?1", ClientHintModel = "\"Pixel 7\"" });

        signals.DeviceType.Should().Be("mobile");
        signals.UserAgent.Should().Be(ChromeAndroidMobile);
        signals.Model.Should().Be("pixel 7");
        signals.Summary.Should().Be("Chrome 120 on Android (mobile)");
        DeviceSignals.From(new DeviceFingerprintInput { UserAgent = ChromeAndroidMobile, ClientHintModel = "  " }).Model.Should().BeEmpty();
    }

    [Fact]
    public void Compute_DifferentKeys_Unlinkable()
    {
        var a = new DeviceFingerprinter(Ring(("k1", KeyOne, true))).Compute(Chrome120 with { ClientHintModel = "Pixel 7" });
        var b = new DeviceFingerprinter(Ring(("k1", KeyTwo, true))).Compute(Chrome120 with { ClientHintModel = "Pixel 7" });
        a.Overall.Should().NotBe(b.Overall);
        foreach (var component in Enum.GetValues<FingerprintComponents>().Where(c => c != FingerprintComponents.None))
        {
            a.GetComponent(component).Should().NotBe(b.GetComponent(component));
        }
    }

    [Fact]
    public void Compare_AfterKeyRotation_RecomputesWithStoredKeyId()
    {
        var stored = new DeviceFingerprinter(Ring(("k1", KeyOne, true))).Compute(Chrome120).ToString();
        var rotated = new DeviceFingerprinter(Ring(("k1", KeyOne, false), ("k2", KeyTwo, true)));
        rotated.Compute(Chrome120).KeyId.Should().Be("k2");
        rotated.Compare(stored, Chrome120).Change.Should().Be(FingerprintChange.Unchanged);
        rotated.Compare(stored, new DeviceFingerprintInput { UserAgent = FirefoxLinux }).Change.Should().Be(FingerprintChange.DifferentDevice);

        var retired = new DeviceFingerprinter(Ring(("k2", KeyTwo, true)));
        retired.Compare(stored, Chrome120).Should().Be(new FingerprintComparison(FingerprintChange.Incomparable, FingerprintComponents.None));
        DeviceFingerprint.TryParse(stored, out var parsed).Should().BeTrue();
        parsed!.CompareTo(retired.Compute(Chrome120)).Change.Should().Be(FingerprintChange.Incomparable);
    }

    [Fact]
    public void TryParse_RoundTrip()
    {
        var fp = Fingerprinter().Compute(Chrome120);
        var text = fp.ToString();
        Regex.IsMatch(text, @"^v2\.k1\.[A-Za-z0-9_-]{43}(\.[A-Za-z0-9_-]{16}){8}$").Should().BeTrue();
        DeviceFingerprint.TryParse(text, out var parsed).Should().BeTrue();
        parsed.Should().Be(fp);
        parsed!.ToString().Should().Be(text);
    }

    [Fact]
    public void Equals_StitchedString_NotEqual()
    {
        // One device's overall value with another's components parses (the 12-byte component hashes cannot be checked
        // against the overall value), but must not equal either fingerprint: CompareTo reads only the components.
        var fingerprinter = Fingerprinter();
        var a = fingerprinter.Compute(Chrome120);
        var b = fingerprinter.Compute(new DeviceFingerprintInput { UserAgent = FirefoxLinux });
        var partsA = a.ToString().Split('.');
        var partsB = b.ToString().Split('.');
        var stitched = string.Join('.', partsA[..3].Concat(partsB[3..]));
        DeviceFingerprint.TryParse(stitched, out var parsed).Should().BeTrue();

        parsed!.Equals(a).Should().BeFalse();
        parsed.Equals(b).Should().BeFalse();
        parsed.Equals((object)a).Should().BeFalse();
        parsed.CompareTo(a).Change.Should().Be(FingerprintChange.DifferentDevice);

        // Any single component differing is enough.
        for (var i = 3; i < partsA.Length; i++)
        {
            var one = (string[])partsA.Clone();
            one[i] = partsB[i] == partsA[i] ? "BBBBBBBBBBBBBBBB" : partsB[i];
            DeviceFingerprint.TryParse(string.Join('.', one), out var changed).Should().BeTrue();
            changed!.Equals(a).Should().BeFalse($"component {i - 3}");
        }

        DeviceFingerprint.TryParse(a.ToString(), out var same).Should().BeTrue();
        same!.Equals(a).Should().BeTrue();
        same.GetHashCode().Should().Be(a.GetHashCode());
    }

    [Fact]
    public void GetComponent_NoneOrSeveral_Throws()
    {
        var fp = Fingerprinter().Compute(Chrome120);
        foreach (var bad in new[] { FingerprintComponents.None, FingerprintComponents.Browser | FingerprintComponents.Platform, (FingerprintComponents)256 })
        {
            fp.Invoking(f => f.GetComponent(bad)).Should().Throw<ArgumentOutOfRangeException>(bad.ToString());
        }
    }

    [Fact]
    public void TryParseAndCompare_ArbitraryText_NeverThrow()
    {
        // Stored strings come from a database a host may not fully trust: malformed text is "incomparable", never an exception.
        var fingerprinter = Fingerprinter();
        var valid = fingerprinter.Compute(Chrome120 with { ClientHintModel = "Pixel 7" }).ToString();
        var chars = Gen.Char["v12.kK_-AZaz09+/=\u0000é"];
        Gen.OneOf(
            Gen.String[chars, 0, 260],
            Gen.Select(Gen.Int[0, valid.Length], Gen.Int[0, valid.Length], Gen.String[chars, 0, 4], (i, j, insert) =>
                valid[..Math.Min(i, j)] + insert + valid[Math.Max(i, j)..])).Sample(text =>
        {
            var parsed = DeviceFingerprint.TryParse(text, out var fingerprint);
            (fingerprint is not null).Should().Be(parsed);
            var comparison = fingerprinter.Compare(text, Chrome120);
            if (!parsed)
            {
                comparison.Change.Should().Be(FingerprintChange.Incomparable);
            }
        });
    }

    [Fact]
    public void Equals_DifferentKeyIds_NotEqual_AndKeyIdOf33CharactersRefused()
    {
        var one = new DeviceFingerprinter(Ring(("k1", KeyOne, true))).Compute(Chrome120);
        var other = new DeviceFingerprinter(Ring(("k2", KeyOne, true))).Compute(Chrome120);
        one.Overall.Should().Be(other.Overall, "same key material, same inputs");
        one.Equals(other).Should().BeFalse("the key id is part of the fingerprint");
        one.CompareTo(other).Change.Should().Be(FingerprintChange.Incomparable);

        var parts = one.ToString().Split('.');
        parts[1] = new string('k', 32);
        DeviceFingerprint.TryParse(string.Join('.', parts), out _).Should().BeTrue("32 characters is the longest key id");
        parts[1] = new string('k', 33);
        DeviceFingerprint.TryParse(string.Join('.', parts), out _).Should().BeFalse();
    }

    [Fact]
    public void TryParse_Malformed_Rejected()
    {
        var text = Fingerprinter().Compute(Chrome120).ToString();
        var parts = text.Split('.');
        string?[] bad =
        [
            null,
            string.Empty,
            "v3" + text[2..],
            "v1" + text[2..], // recipe 1 has 7 components
            text + ".AAAAAAAAAAAAAAAA",
            string.Join('.', parts[..^1]),
            text.Replace(".k1.", ".k!.", StringComparison.Ordinal),
            text.Replace(".k1.", "..", StringComparison.Ordinal),
            string.Join('.', parts.Select((p, i) => i == 3 ? p[..15] : p)),
            string.Join('.', parts.Select((p, i) => i == 3 ? p[..15] + "=" : p)),
            string.Join('.', parts.Select((p, i) => i == 2 ? p[..42] + "B" : p)), // non-canonical trailing bits
            "v1." + new string('a', 300),
        ];
        foreach (var value in bad)
        {
            DeviceFingerprint.TryParse(value, out var parsed).Should().BeFalse(value);
            parsed.Should().BeNull();
            Fingerprinter().Compare(value, Chrome120).Change.Should().Be(FingerprintChange.Incomparable);
        }
    }

    [Fact]
    public void Compute_OversizedAndEmptyInput_BoundedAndStable()
    {
        var fingerprinter = Fingerprinter();
        var huge = new string('x', 1 << 20);
        var languages = string.Join(',', Enumerable.Range(0, 100_000).Select(i => "l" + i));
        var a = fingerprinter.Compute(new DeviceFingerprintInput { UserAgent = huge, AcceptLanguage = languages });
        var b = fingerprinter.Compute(new DeviceFingerprintInput { UserAgent = huge[..DeviceFingerprintInput.MaxValueLength], AcceptLanguage = "l0,l1,l2,l3,l4,l5,l6,l7" });
        a.GetComponent(FingerprintComponents.UserAgent).Should().Be(b.GetComponent(FingerprintComponents.UserAgent));
        a.GetComponent(FingerprintComponents.Language).Should().Be(b.GetComponent(FingerprintComponents.Language));
        fingerprinter.Compute(new DeviceFingerprintInput()).ToString().Should().StartWith("v2.k1.");
    }

    [Theory]
    [InlineData(ChromeWindows120, null, null, null, "Chrome 120 on Windows (desktop)")]
    [InlineData(FirefoxLinux, null, null, null, "Firefox 133 on Linux (desktop)")]
    [InlineData(SafariIPhone, null, null, null, "Safari 17 on iOS (mobile)")]
    [InlineData(ChromeAndroidMobile, null, null, null, "Chrome 120 on Android (mobile)")]
    [InlineData(EdgeWindows, null, null, null, "Edge 120 on Windows (desktop)")]
    [InlineData("", "\"Chromium\";v=\"131\", \"Microsoft Edge\";v=\"131\", \"Not_A Brand\";v=\"24\"", "\"macOS\"", "?0", "Edge 131 on macOS (desktop)")]
    [InlineData("curl/8.5.0", null, null, null, "Unknown browser on unknown OS (desktop)")]
    public void Describe_CommonAgents_ShortSummary(string ua, string? brands, string? platform, string? mobile, string expected) =>
        DeviceFingerprinter.Describe(new DeviceFingerprintInput { UserAgent = ua, ClientHintBrands = brands, ClientHintPlatform = platform, ClientHintMobile = mobile })
            .Should().Be(expected);

    [Fact]
    public void Compute_WithoutKey_Throws()
    {
        var act = () => new DeviceFingerprinter(new SecretKeyRing(new SecretKeyRingOptions())).Compute(Chrome120);
        act.Should().Throw<InvalidOperationException>();
    }
}
