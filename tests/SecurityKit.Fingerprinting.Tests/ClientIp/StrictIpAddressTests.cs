using System.Net;
using SecurityKit.Fingerprinting.ClientIp;

namespace SecurityKit.Fingerprinting.Tests.ClientIp;

public sealed class StrictIpAddressTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("10.0.0.10", "10.0.0.10")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("::1", "::1")]
    [InlineData("::", "::")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("::ffff:c000:0201", "192.0.2.1")]
    [InlineData("64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
    public void TryParse_StrictForms_Accepted(string text, string expected)
    {
        StrictIpAddress.TryParse(text, out var address).Should().BeTrue();
        address!.ToString().Should().Be(expected);
    }

    [Theory]
    [InlineData("2130706433")] // inet_aton: one 32-bit number
    [InlineData("127.1")] // inet_aton: a.b short form
    [InlineData("127.0.1")]
    [InlineData("0x7f.0.0.1")] // hex part
    [InlineData("0177.0.0.1")] // octal part
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.04")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.2.3.")]
    [InlineData(".1.2.3")]
    [InlineData("1..2.3")]
    [InlineData("1.2.3.4 ")]
    [InlineData(" 1.2.3.4")]
    [InlineData("+1.2.3.4")]
    [InlineData("１.2.3.4")] // full-width digit
    [InlineData("fe80::1%eth0")] // zone id
    [InlineData("fe80::1%25")]
    [InlineData("[2001:db8::1]")]
    [InlineData("2001:db8::1::2")]
    [InlineData("2001:db8:::1")]
    [InlineData("12345::1")]
    [InlineData("::ffff:127.1")]
    [InlineData("::ffff:0177.0.0.1")]
    [InlineData("1.2.3.4::")]
    [InlineData("g::1")]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("0000:0000:0000:0000:0000:0000:0000:0000:1")]
    public void TryParse_LegacyOrMalformed_Rejected(string text)
    {
        StrictIpAddress.TryParse(text, out var address).Should().BeFalse();
        address.Should().BeNull();
    }

    [Fact]
    public void TryParse_LegacyForm_IsWhatIPAddressAccepts()
    {
        // The reason this parser exists: the BCL reads these as 127.0.0.1.
        IPAddress.TryParse("2130706433", out var bcl).Should().BeTrue();
        bcl!.ToString().Should().Be("127.0.0.1");
        StrictIpAddress.TryParse("2130706433", out _).Should().BeFalse();
    }

    [Fact]
    public void TryParse_NullOrTooLong_Rejected()
    {
        StrictIpAddress.TryParse((string?)null, out _).Should().BeFalse();
        StrictIpAddress.TryParse(new string('1', 46), out _).Should().BeFalse();
    }
}
