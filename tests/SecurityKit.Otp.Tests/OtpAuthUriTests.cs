using CsCheck;

namespace SecurityKit.Otp.Tests;

public sealed class OtpAuthUriTests
{
    private static readonly byte[] Secret = "12345678901234567890"u8.ToArray();

    [Fact]
    public void CreateTotp_GoogleExample_MatchesKeyUriFormat()
    {
        var secret = Base32.TryDecode("JBSWY3DPEHPK3PXP", out var s) ? s : throw new InvalidOperationException();
        OtpAuthUri.CreateTotp("Example", "alice@google.com", secret)
            .Should().Be("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30");
    }

    [Theory]
    [InlineData("ACME Co", "john doe", "otpauth://totp/ACME%20Co:john%20doe?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&")]
    [InlineData("Bänk", "zoë@bänk.de", "otpauth://totp/B%C3%A4nk:zo%C3%AB@b%C3%A4nk.de?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=B%C3%A4nk&")]
    [InlineData("Mail@Corp", "u", "otpauth://totp/Mail@Corp:u?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Mail%40Corp&")]
    [InlineData("日本", "ユーザー", "otpauth://totp/%E6%97%A5%E6%9C%AC:%E3%83%A6%E3%83%BC%E3%82%B6%E3%83%BC?")]
    [InlineData("a+b&c=d", "x/y?z#", "otpauth://totp/a%2Bb%26c%3Dd:x%2Fy%3Fz%23?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=a%2Bb%26c%3Dd&")]
    public void CreateTotp_SpecialCharacters_PercentEncoded(string issuer, string account, string expectedPrefix)
    {
        var uri = OtpAuthUri.CreateTotp(issuer, account, Secret);
        uri.Should().StartWith(expectedPrefix);
        OtpAuthUri.TryParse(uri, out var parsed).Should().BeTrue();
        parsed!.Issuer.Should().Be(issuer);
        parsed.AccountName.Should().Be(account);
        parsed.Secret.Should().Equal(Secret);
    }

    [Fact]
    public void CreateTotp_ParametersAndNoIssuer_Written()
    {
        OtpAuthUri.CreateTotp(null, "bob", new byte[32], OtpAlgorithm.Sha256, 8, 60)
            .Should().Be("otpauth://totp/bob?secret=" + new string('A', 52) + "&algorithm=SHA256&digits=8&period=60");
        OtpAuthUri.CreateHotp("X", "bob", new byte[64], 7, OtpAlgorithm.Sha512, 7)
            .Should().EndWith("&issuer=X&algorithm=SHA512&digits=7&counter=7");
    }

    [Fact]
    public void CreateTotp_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => OtpAuthUri.CreateTotp("X", "", Secret)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => OtpAuthUri.CreateTotp("X", new string('a', 257), Secret)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => OtpAuthUri.CreateTotp(new string('a', 101), "x", Secret)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => OtpAuthUri.CreateTotp("X", "bad\ud800", Secret)).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("Bank", "a\r\nINFO admin ok")]
    [InlineData("Ba\u202Enk", "alice")]
    [InlineData("Bank", "al\u0000ice")]
    public void Create_ControlOrBidiCharacters_Refused(string issuer, string account) =>
        FluentActions.Invoking(() => OtpAuthUri.CreateTotp(issuer, account, Secret)).Should().Throw<ArgumentException>().WithMessage("*control*");

    [Theory]
    [InlineData("ACME", "a:b@x.io")]
    [InlineData("A:B", "x")]
    [InlineData(null, "PayPal:victim")]
    [InlineData("ACME", " alice")]
    public void Create_ColonOrLeadingSpace_Refused(string? issuer, string account)
    {
        // Key Uri Format: a literal or encoded colon separates issuer and account, and neither may contain one. Written as
        // %3A, "PayPal:victim" without an issuer showed as issuer "PayPal" in apps that split at the encoded colon (found
        // in review).
        FluentActions.Invoking(() => OtpAuthUri.CreateTotp(issuer, account, Secret)).Should().Throw<ArgumentException>().WithMessage(account.StartsWith(' ') ? "*space*" : "*colon*")
            .Which.ParamName.Should().Be(issuer is not null && issuer.Contains(':') ? "issuer" : "accountName");
        FluentActions.Invoking(() => OtpAuthUri.CreateHotp(issuer, account, Secret)).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("otpauth://totp/ACME%3Aalice?secret=GEZDGNBV&issuer=ACME", "ACME", "alice")]
    [InlineData("otpauth://totp/ACME%3aalice?secret=GEZDGNBV", "ACME", "alice")]
    [InlineData("otpauth://totp/ACME:%20%20alice?secret=GEZDGNBV&issuer=ACME", "ACME", "alice")]
    [InlineData("otpauth://totp/ACME%3A%20alice@x.io?secret=GEZDGNBV", "ACME", "alice@x.io")]
    [InlineData("otpauth://totp/%20alice?secret=GEZDGNBV", null, " alice")]
    public void TryParse_EncodedColonAndPaddingAfterIt_SeparateIssuerAndAccount(string uri, string? issuer, string account)
    {
        OtpAuthUri.TryParse(uri, out var parsed).Should().BeTrue();
        parsed!.Issuer.Should().Be(issuer);
        parsed.AccountName.Should().Be(account);
    }

    [Fact]
    public void CreateThenParse_RandomLabels_RoundTrip()
    {
        var text = Gen.String[Gen.Char, 1, 30];
        Gen.Select(text, text, Gen.Byte.Array[1, 64], Gen.Int[0, 2], Gen.Int[6, 8], Gen.Int[1, 3600]).Sample((issuer, account, secret, alg, digits, period) =>
        {
            string uri;
            try
            {
                uri = OtpAuthUri.CreateTotp(issuer, account, secret, (OtpAlgorithm)alg, digits, period);
            }
            catch (ArgumentException)
            {
                // Unpaired surrogates cannot be encoded; control and bidi-override characters, colons and an account's leading
                // space are refused.
                (issuer + account).Should().Match(t => t.Contains(':') || account[0] == ' ' || t.Any(char.IsSurrogate) || t.Any(char.IsControl) || t.Any(c => c == '\u061C' || c == '\u200E' || c == '\u200F' || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')));
                return;
            }

            uri.Should().MatchRegex("^otpauth://totp/[A-Za-z0-9%._~@-]+:[A-Za-z0-9%._~@-]+\\?secret=[A-Z2-7]+&issuer=[A-Za-z0-9%._~-]+&algorithm=SHA(1|256|512)&digits=[678]&period=[0-9]+$");
            OtpAuthUri.TryParse(uri, out var parsed).Should().BeTrue();
            parsed!.Issuer.Should().Be(issuer);
            parsed.AccountName.Should().Be(account);
            parsed.Secret.Should().Equal(secret);
            parsed.Algorithm.Should().Be((OtpAlgorithm)alg);
            parsed.Digits.Should().Be(digits);
            parsed.PeriodSeconds.Should().Be(period);
        }, iter: 300);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://totp/x?secret=GEZDGNBV")]
    [InlineData("otpauth://xotp/x?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/x")]
    [InlineData("otpauth://totp/x?secret=gezdgnbv")]
    [InlineData("otpauth://totp/x?secret=GEZDGNBV%")]
    [InlineData("otpauth://totp/x?secret=GEZDGNBV&secret=GEZDGNBV")]
    [InlineData("otpauth://totp/x?secret=GEZDGNBV&digits=9")]
    [InlineData("otpauth://totp/x?secret=GEZDGNBV&period=0")]
    [InlineData("otpauth://totp/x?secret=GEZDGNBV&algorithm=MD5")]
    [InlineData("otpauth://totp/x?secret=GEZDGNBV&unknown=1")]
    [InlineData("otpauth://totp/A:x?secret=GEZDGNBV&issuer=B")]
    [InlineData("otpauth://totp/Bank:a%0D%0AINFO%20admin%20ok?secret=GEZDGNBV")] // would forge a log line
    [InlineData("otpauth://totp/Bank:a%00b?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/Bank:%E2%80%AEalice?secret=GEZDGNBV")] // U+202E right-to-left override
    [InlineData("otpauth://totp/Bank:alice?secret=GEZDGNBV&issuer=Ba%C2%85nk")] // U+0085 (C1 control) in issuer=
    [InlineData("otpauth://totp/Bank:evil:alice?secret=GEZDGNBV")] // a second literal colon
    [InlineData("otpauth://totp/EVIL%3Aalice?secret=GEZDGNBV&issuer=ACME")] // an encoded colon separates too: issuer EVIL
    [InlineData("otpauth://totp/Bank:evil%3Aalice?secret=GEZDGNBV")] // a second, encoded colon
    [InlineData("otpauth://totp/Bank%3Aevil:alice?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/%3Aalice?secret=GEZDGNBV")] // an empty issuer
    [InlineData("otpauth://totp/alice?secret=GEZDGNBV&issuer=Pay%3APal")] // a colon in the issuer parameter
    [InlineData("otpauth://totp/x?secret=GEZDGNBV&counter=1")]
    [InlineData("otpauth://hotp/x?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/%FF?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/a b?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/Bank:al%4?secret=GEZDGNBV")] // an escape cut short at the end of the label
    [InlineData("otpauth://totp/Bank:al%?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/Bank:al%4G?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/Bank:alice?secret=GEZDGNBV&issuer=Bank%4")] // ... at the end of the URI
    [InlineData("otpauth://totp/Bank:a+b?secret=GEZDGNBV")] // '+' is never a space here, and never literal
    [InlineData("otpauth://totp/Bank:a&b?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/Bank:a#b?secret=GEZDGNBV")]
    [InlineData("otpauth://totp/Bank:\u00E4?secret=GEZDGNBV")] // raw non-ASCII
    [InlineData("otpauth://totp/Bank:a\tb?secret=GEZDGNBV")] // raw control character
    [InlineData("otpauth://totp/Bank:a\u007Fb?secret=GEZDGNBV")]
    public void TryParse_Invalid_False(string? uri)
    {
        OtpAuthUri.TryParse(uri, out var parsed).Should().BeFalse();
        parsed.Should().BeNull();
    }

    [Fact]
    public void Build_NamesAtTheirLengthLimits_Accepted_OneMoreRefused()
    {
        OtpAuthUri.CreateTotp("Bank", new string('a', OtpAuthUri.MaxAccountNameLength), Secret).Should().StartWith("otpauth://totp/Bank:aaaa");
        FluentActions.Invoking(() => OtpAuthUri.CreateTotp("Bank", new string('a', OtpAuthUri.MaxAccountNameLength + 1), Secret)).Should().Throw<ArgumentException>();
        OtpAuthUri.CreateTotp(new string('i', OtpAuthUri.MaxIssuerLength), "a", Secret).Should().Contain("issuer=iiii");
        FluentActions.Invoking(() => OtpAuthUri.CreateTotp(new string('i', OtpAuthUri.MaxIssuerLength + 1), "a", Secret)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Build_NonAsciiNamesThatWouldExceedTheParsersBound_Refused_EverythingWrittenParsesBack()
    {
        // Found in review: a 100-character CJK issuer (twice in the URI) and a 256-character CJK account name made a
        // 4,202-character URI that TryParse (MaxUriLength = 4096) refused.
        var failure = FluentActions.Invoking(() => OtpAuthUri.CreateTotp(new string('中', 100), new string('中', 256), Secret))
            .Should().Throw<ArgumentException>().Which;
        failure.Message.Should().Contain("longer than 4096");
        failure.ParamName.Should().Be("accountName");

        // At and around the bound: whatever is written parses back, with the same names.
        var accepted = 0;
        for (var account = 200; account <= OtpAuthUri.MaxAccountNameLength; account++)
        {
            string uri;
            try
            {
                uri = OtpAuthUri.CreateTotp(new string('中', 100), new string('中', account), Secret);
            }
            catch (ArgumentException)
            {
                continue;
            }

            accepted++;
            uri.Length.Should().BeLessThanOrEqualTo(OtpAuthUri.MaxUriLength);
            OtpAuthUri.TryParse(uri, out var parsed).Should().BeTrue($"account of {account} characters");
            parsed!.AccountName.Should().Be(new string('中', account));
        }

        accepted.Should().BeInRange(1, 56, "some lengths fit and some do not");
    }

    [Fact]
    public void TryParse_EscapesUpToTheLastCharacter_Decoded()
    {
        OtpAuthUri.TryParse("otpauth://totp/Bank:alic%65?secret=GEZDGNBV&issuer=Ban%6b", out var parsed).Should().BeTrue();
        parsed!.AccountName.Should().Be("alice");
        parsed.Issuer.Should().Be("Bank");
        OtpAuthUri.TryParse("otpauth://totp/Bank:!~*'()@?secret=GEZDGNBV", out var literal).Should().BeTrue("visible ASCII other than + # ? & / is taken literally");
        literal!.AccountName.Should().Be("!~*'()@");
    }

    [Fact]
    public void TryParse_Huge_False() =>
        OtpAuthUri.TryParse("otpauth://totp/x?secret=" + new string('A', 100_000), out _).Should().BeFalse();

    [Fact]
    public void TryParse_IssuerParameterOverTheLimit_False()
    {
        var secret = Base32.Encode(Secret);
        OtpAuthUri.TryParse($"otpauth://totp/x?secret={secret}&issuer={new string('i', OtpAuthUri.MaxIssuerLength)}", out _).Should().BeTrue();
        OtpAuthUri.TryParse($"otpauth://totp/x?secret={secret}&issuer={new string('i', OtpAuthUri.MaxIssuerLength + 1)}", out _).Should().BeFalse();
    }

    [Fact]
    public void Components_ToString_HasNoSecret()
    {
        OtpAuthUri.TryParse(OtpAuthUri.CreateTotp("X", "y", Secret), out var parsed).Should().BeTrue();
        parsed!.ToString().Should().NotContain(Base32.Encode(Secret));
    }
}
