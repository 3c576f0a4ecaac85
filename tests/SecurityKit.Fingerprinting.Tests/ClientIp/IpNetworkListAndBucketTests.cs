using System.Net;
using SecurityKit.Fingerprinting.ClientIp;

namespace SecurityKit.Fingerprinting.Tests.ClientIp;

public sealed class IpNetworkListAndBucketTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("192.0.2.1", "192.0.2.1", true)]
    [InlineData("192.0.2.1", "192.0.2.2", false)]
    [InlineData("2001:db8::/32", "2001:db8:1::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.9.9.9", true)]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1", true)] // as dual-stack sockets report an IPv4 proxy: one host
    [InlineData("::ffff:10.0.0.1", "10.0.0.2", false)]
    [InlineData("10.0.0.0/8", "10.255.1.1", true)]
    [InlineData("fc00::/7", "fd12:3456::1", true)]
    [InlineData("fd00::/8", "fd12:3456::1", true)]
    [InlineData("fe80::/10", "fe80::1", true)]
    [InlineData("2a06:98c0::/29", "2a06:98c7::1", true)] // a CDN's published range
    [InlineData("2a00::/24", "2a00:ff::1", true)]
    [InlineData("192.0.2.1/32", "192.0.2.1", true)] // explicit host prefixes
    [InlineData("192.0.2.1/32", "192.0.2.2", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1", true)]
    [InlineData("2001:db8::1/128", "2001:db8::2", false)]
    [InlineData("::ffff:10.0.0.1/128", "10.0.0.1", true)]
    [InlineData("::ffff:10.0.0.1/128", "10.0.0.2", false)]
    [InlineData("64:ff9b::a00:0/104", "64:ff9b::10.1.2.3", true)] // a /8 of translated IPv4 space, like 10.0.0.0/8
    [InlineData("64:ff9b::a00:0/104", "64:ff9b::11.0.0.1", false)]
    [InlineData("64:ff9b::c000:201", "64:ff9b::192.0.2.1", true)] // one translated proxy
    [InlineData("::1", "::1", true)] // loopback sits inside ::/96 but is one host
    [InlineData("64:ff9b:1::a00:0/104", "64:ff9b:1::10.2.3.4", true)] // a /8 of IPv4 inside the local-use prefix
    public void Contains_MatchesNetworks(string entry, string address, bool expected) =>
        IpNetworkList.Parse([entry]).Contains(IPAddress.Parse(address)).Should().Be(expected);

    [Theory]
    [InlineData("10.0.0.1/8")] // host bits set
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/08")]
    [InlineData("0.0.0.0/0")] // trusting everyone lets any client choose its IP
    [InlineData("::/0")]
    [InlineData("0.0.0.0/1")]
    [InlineData("8.0.0.0/7")]
    [InlineData("2000::/3")]
    [InlineData("::/6")]
    [InlineData("2a00::/7")] // a public /7 (a typo for 2a00:1450::/32): trusts a whole registry's block
    [InlineData("2000::/8")]
    [InlineData("2a00::/23")]
    [InlineData("fe00::/7")] // the other half of fe00::/7 is not private
    [InlineData("fe80::/9")]
    [InlineData("::ffff:0.0.0.0/96")] // the IPv4-mapped form of 0.0.0.0/0
    [InlineData("10/8")]
    [InlineData("2001:db8::/129")]
    [InlineData("fe80::1%eth0")]
    [InlineData("proxy.internal")]
    [InlineData("")]
    [InlineData("::ffff:10.0.0.0/64")]
    [InlineData("64:ff9b::/96")] // NAT64 well-known prefix: every IPv4 client can arrive in it (found in review)
    [InlineData("64:ff9b::/64")]
    [InlineData("64:ff9b::a00:0/103")]
    [InlineData("64:ff9b:1::/48")] // RFC 8215 local-use translation prefix
    [InlineData("64:ff9b:1::/56")] // a NAT64 prefix inside the local-use /48 may be /48 to /96, each holding all of IPv4
    [InlineData("64:ff9b:1::/96")]
    [InlineData("64:ff9b:1:abcd::/64")]
    [InlineData("::ffff:0:0:0/96")] // RFC 6145 IPv4-translated addresses
    [InlineData("::/96")] // IPv4-compatible addresses
    [InlineData("::/64")]
    public void Parse_InvalidEntry_ThrowsNamingIt(string entry)
    {
        var act = () => IpNetworkList.Parse([entry]);
        act.Should().Throw<ArgumentException>();
        IpNetworkList.IsValidEntry(entry, out var error).Should().BeFalse();
        error.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7/32")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7/32")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64")]
    [InlineData("64:ff9b::203.0.113.7", "203.0.113.7/32")] // NAT64 well-known prefix: the IPv4 client (found in review)
    [InlineData("64:ff9b::c000:201", "192.0.2.1/32")]
    [InlineData("64:ff9b:1::c000:201", "64:ff9b:1::/64")] // local-use prefix: lengths vary, bucketed as IPv6
    [InlineData("64:ff9b:0:0:1::c000:201", "64:ff9b::/64")] // not inside the /96
    public void GetKey_DefaultPrefixes_V4Slash32V6Slash64(string address, string expected) =>
        IpBucket.GetKey(IPAddress.Parse(address)).Should().Be(expected);

    [Fact]
    public void GetKey_CustomPrefixes_MaskHostBits()
    {
        IpBucket.GetKey(IPAddress.Parse("203.0.113.77"), ipv4Prefix: 24).Should().Be("203.0.113.0/24");
        IpBucket.GetKey(IPAddress.Parse("2001:db8:abcd:1234::1"), ipv6Prefix: 48).Should().Be("2001:db8:abcd::/48");
        var act = () => IpBucket.GetKey(IPAddress.Loopback, ipv4Prefix: 33);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.200", true)]
    [InlineData("203.0.113.7", "203.0.114.7", false)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("203.0.113.7", "2001:db8::1", false)]
    [InlineData("::ffff:203.0.113.7", "203.0.113.9", true)]
    [InlineData("64:ff9b::192.0.2.1", "64:ff9b::203.0.113.7", false)] // two IPv4 clients behind NAT64 (found in review)
    [InlineData("64:ff9b::203.0.113.1", "64:ff9b::203.0.113.7", true)]
    [InlineData("64:ff9b::203.0.113.1", "203.0.113.7", true)]
    public void AreInSameNetwork_Slash24AndSlash64(string a, string b, bool expected) =>
        IpBucket.AreInSameNetwork(IPAddress.Parse(a), IPAddress.Parse(b)).Should().Be(expected);
}
