using SecurityKit.Fingerprinting.Devices;

namespace SecurityKit.Fingerprinting.Tests.Devices;

/// <summary>
/// How request signals are normalised before hashing: each browser, platform and device class the recipe knows, the
/// client-hint ranks, and the limits on lists and versions (rows added where mutation testing found nothing pinned).
/// </summary>
public sealed class DeviceSignalsTests
{
    private const string Windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private const string Android = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";

    public static TheoryData<string, string?, string?, string?, string> Rows => new()
    {
        // user agent, Sec-CH-UA, Sec-CH-UA-Platform, Sec-CH-UA-Mobile → "browser version platform type"
        { Windows, "\"Opera\";v=\"114\", \"Chromium\";v=\"128\", \"Not?A_Brand\";v=\"99\"", "\"Windows\"", "?0", "opera 114 windows desktop" },
        { Android, "\"Samsung Internet\";v=\"25\", \"Chromium\";v=\"121\"", "\"Android\"", "?1", "samsung 25 android mobile" },
        { Windows, "\"Microsoft Edge\";v=\"131\", \"Chromium\";v=\"131\"", "\"Windows\"", "?0", "edge 131 windows desktop" },
        { Windows, "\"Google Chrome\";v=\"121\", \"Chromium\";v=\"120\"", null, null, "chrome 121 windows desktop" },
        { Windows, "\"Chromium\";v=\"120\", \"Google Chrome\";v=\"121\"", null, null, "chrome 121 windows desktop" },
        { Windows, "\"Chromium\";v=\"119\"", null, null, "chrome 119 windows desktop" },
        { Windows, "\"Not_A Brand\";v=\"8\"", null, null, "chrome 120 windows desktop" },
        { Windows, "\"Google Chrome\";v=\"1234567.0\"", null, null, "chrome 123456 windows desktop" },
        { Windows, null, "\"Chrome OS\"", null, "chrome 120 chromeos desktop" },
        { Windows, null, "\"ChromeOS\"", null, "chrome 120 chromeos desktop" },
        { Windows, null, "\"Linux\"", null, "chrome 120 linux desktop" },
        { Windows, null, "\"macOS\"", null, "chrome 120 macos desktop" },
        { Windows, null, "\"iOS\"", null, "chrome 120 ios desktop" },
        { Windows, null, "\"Fuchsia\"", null, "chrome 120 other desktop" },
        { "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 EdgA/120.0.2210.115", null, null, null, "edge 120 android mobile" },
        { "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) EdgiOS/119.0 Version/17.0 Mobile/15E148 Safari/604.1", null, null, null, "edge 119 ios mobile" },
        { "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 OPR/106.0", null, null, null, "opera 106 windows desktop" },
        { "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0 Mobile Safari/537.36", null, null, null, "samsung 23 android mobile" },
        { "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/121.0 Mobile/15E148 Safari/605.1.15", null, null, null, "firefox 121 ios mobile" },
        { "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1", null, null, null, "chrome 120 ios mobile" },
        { "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", null, null, null, "safari 17 macos desktop" },
        { "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15", null, null, null, "safari  macos desktop" },
        { "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", null, null, null, "chrome 120 chromeos desktop" },
        { "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", null, null, null, "firefox 133 linux desktop" },
        { "curl/8.5.0", null, null, null, "other  other desktop" },
        { "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", null, null, null, "safari 17 ios tablet" },
        { "Mozilla/5.0 (Android 14; Tablet; rv:121.0) Gecko/121.0 Firefox/121.0", null, null, null, "firefox 121 android tablet" },
        { "Mozilla/5.0 (Linux; Android 14; Pixel Tablet) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", null, null, null, "chrome 120 android tablet" },
        { "Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", null, null, "?1", "chrome 120 android mobile" },
        { "", null, "\"Android\"", null, "other  android desktop" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void From_KnownBrowsersPlatformsAndDevices(string ua, string? brands, string? platform, string? mobile, string expected)
    {
        var s = DeviceSignals.From(new DeviceFingerprintInput { UserAgent = ua, ClientHintBrands = brands, ClientHintPlatform = platform, ClientHintMobile = mobile });
        $"{s.Browser} {s.BrowserVersion} {s.Platform} {s.DeviceType}".Should().Be(expected);
    }

    [Theory]
    [InlineData("\"Opera\";v=\"114\"", "\"Windows\"", "Opera 114 on Windows (desktop)")]
    [InlineData("\"Samsung Internet\";v=\"25\"", "\"Android\"", "Samsung Internet 25 on Android (tablet)")]
    [InlineData("\"Google Chrome\";v=\"131\"", "\"Chrome OS\"", "Chrome 131 on ChromeOS (desktop)")]
    [InlineData("\"Google Chrome\";v=\"131\"", "\"Fuchsia\"", "Chrome 131 on unknown OS (desktop)")]
    public void Summary_NamesEachBrowserAndPlatform(string brands, string platform, string expected) =>
        DeviceSignals.From(new DeviceFingerprintInput { UserAgent = "x", ClientHintBrands = brands, ClientHintPlatform = platform, ClientHintMobile = "?0" }).Summary.Should().Be(expected);

    [Fact]
    public void Brands_OnlyTheFirstSixteenItemsAreRead()
    {
        var grease = string.Join(", ", Enumerable.Range(0, 16).Select(i => $"\"Not{i} Brand\";v=\"{i}\""));
        DeviceSignals.From(new DeviceFingerprintInput { UserAgent = Windows, ClientHintBrands = grease + ", \"Opera\";v=\"114\"" }).Browser.Should().Be("chrome", "the 17th brand is not read: the user agent decides");
        var fifteen = string.Join(", ", Enumerable.Range(0, 15).Select(i => $"\"Not{i} Brand\";v=\"{i}\""));
        DeviceSignals.From(new DeviceFingerprintInput { UserAgent = Windows, ClientHintBrands = fifteen + ", \"Opera\";v=\"114\"" }).Browser.Should().Be("opera");
    }

    [Theory]
    [InlineData("gzip, deflate, br", "br,deflate,gzip")]
    [InlineData("gzip;q=0, br, deflate;q=0.5", "br,deflate")]
    [InlineData("gzip;q=1.5, br;Q=1", "br")]
    [InlineData("gzip;q=-1, br;q=abc, zstd;q=0.001", "zstd")]
    [InlineData("GZIP, gzip , br", "br,gzip")]
    [InlineData(", ;q=1, br", "br")]
    public void Encodings_SortedDistinctWithPositiveQuality(string header, string expected) =>
        DeviceSignals.From(new DeviceFingerprintInput { AcceptEncoding = header }).Encoding.Should().Be(expected);

    [Fact]
    public void Encodings_LongCodingsAndLongListsAreCut()
    {
        var at32 = new string('a', 32);
        DeviceSignals.From(new DeviceFingerprintInput { AcceptEncoding = $"{at32}, {at32}b, br" }).Encoding.Should().Be($"{at32},br");
        var seventeen = string.Join(", ", Enumerable.Range(0, 17).Select(i => $"c{i:00}"));
        DeviceSignals.From(new DeviceFingerprintInput { AcceptEncoding = seventeen }).Encoding.Split(',').Should().HaveCount(16).And.NotContain("c16");
    }

    [Theory]
    [InlineData("fr;q=0.5, en-GB, de;q=0", "en-gb,fr")]
    [InlineData("en, EN, fr", "en,fr")]
    [InlineData("a;q=0.1, b;q=0.1, c;q=0.9", "c,a,b")]
    public void Languages_OrderedByQualityThenArrival(string header, string expected) =>
        DeviceSignals.From(new DeviceFingerprintInput { AcceptLanguage = header }).Language.Should().Be(expected);

    [Fact]
    public void Languages_OverlongTagsDropped_AtMostEight()
    {
        DeviceSignals.From(new DeviceFingerprintInput { AcceptLanguage = new string('x', 36) + ", " + new string('y', 35) }).Language.Should().Be(new string('y', 35));
        var many = string.Join(", ", Enumerable.Range(0, 12).Select(i => $"l{i}"));
        DeviceSignals.From(new DeviceFingerprintInput { AcceptLanguage = many }).Language.Should().Be("l0,l1,l2,l3,l4,l5,l6,l7");
    }

    [Fact]
    public void Languages_StopAtSixteenAcceptedTags_RejectedItemsSkipped()
    {
        // 16 refused items (q=0) then one accepted: the limit counts accepted, distinct tags, as docs/fingerprints.md says.
        var refused = string.Concat(Enumerable.Repeat("x;q=0, ", 16));
        DeviceSignals.From(new DeviceFingerprintInput { AcceptLanguage = refused + "en" }).Language.Should().Be("en");

        // 17 accepted tags: the 17th is not read, even with the highest quality.
        var sixteen = string.Join(", ", Enumerable.Range(0, 16).Select(i => $"l{i:00};q=0.5"));
        DeviceSignals.From(new DeviceFingerprintInput { AcceptLanguage = sixteen + ", top;q=1" }).Language.Should().NotContain("top");
        DeviceSignals.From(new DeviceFingerprintInput { AcceptLanguage = "top;q=1, " + sixteen }).Language.Should().StartWith("top,");
    }

    [Fact]
    public void ToString_ShowsNoHeaderValue()
    {
        const string ua = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/131.0.0.0 Mobile Safari/537.36";
        var input = new DeviceFingerprintInput
        {
            UserAgent = ua,
            AcceptLanguage = "nl-BE-x-private",
            AcceptEncoding = "zstd-secret",
            ClientHintBrands = "\"Brand-Secret\";v=\"131\"",
            ClientHintPlatform = "\"Platform-Secret\"",
            ClientHintMobile = "?1",
            ClientHintModel = "Pixel 7",
        };
        var text = input.ToString();
        foreach (var value in new[] { "Mozilla", "nl-be", "nl-BE", "zstd", "Brand-Secret", "Platform-Secret", "?1", "Pixel" })
        {
            text.Should().NotContain(value);
        }

        text.Should().Contain($"UserAgent = ({ua.Length} chars)").And.Contain("ClientHintModel = (7 chars)");
        new DeviceFingerprintInput().ToString().Should().Contain("UserAgent = null");

        var signals = DeviceSignals.From(input).ToString();
        foreach (var value in new[] { "Mozilla", "nl-be", "zstd", "pixel" })
        {
            signals.Should().NotContain(value);
        }

        signals.Should().Contain("Platform = other").And.Contain("DeviceType = mobile").And.Contain("UserAgent = (").And.Contain("Model = (7 chars)");
    }

    [Fact]
    public void Inputs_AreCutAtTheMaximumLength()
    {
        var max = DeviceFingerprintInput.MaxValueLength;
        DeviceSignals.From(new DeviceFingerprintInput { UserAgent = new string('u', max) }).UserAgent.Should().HaveLength(max);
        DeviceSignals.From(new DeviceFingerprintInput { UserAgent = new string('u', max + 1) }).UserAgent.Should().HaveLength(max);
    }

    [Theory]
    [InlineData("\"Pixel 7\"", "pixel 7")]
    [InlineData("\"\"", null)]
    [InlineData("\"", "\"")]
    [InlineData("Pixel", "pixel")]
    public void ModelHint_Unquoted(string hint, string? expected)
    {
        var signals = DeviceSignals.From(new DeviceFingerprintInput { UserAgent = "ua", ClientHintModel = hint });
        signals.Model.Should().Be(expected ?? string.Empty);
        signals.UserAgent.Should().Be("ua");
    }
}
