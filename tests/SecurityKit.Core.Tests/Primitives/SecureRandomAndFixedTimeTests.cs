using System.Text;
using SecurityKit.Primitives;

namespace SecurityKit.Core.Tests.Primitives;

public sealed class SecureRandomAndFixedTimeTests
{
    [Fact]
    public void GetString_UsesOnlyAlphabet_AndEveryCharacterAppears()
    {
        var text = SecureRandom.GetString(SecureRandom.UnambiguousAlphabet, 20_000);
        text.Should().HaveLength(20_000);
        text.All(c => SecureRandom.UnambiguousAlphabet.Contains(c, StringComparison.Ordinal)).Should().BeTrue();
        var counts = text.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        counts.Should().HaveCount(32);
        // Each character is expected 625 times; a biased generator would stray far outside this band.
        counts.Values.Should().OnlyContain(n => n > 450 && n < 800);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("aba")]
    [InlineData("")]
    public void GetString_BadAlphabet_Throws(string alphabet)
    {
        var act = () => SecureRandom.GetString(alphabet, 10);
        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("aa")]
    [InlineData("\0\0")]
    [InlineData("\uffffx\uffff")]
    [InlineData("\ud800\udc00\ud800")]
    [InlineData("zyxwvutsrqponmlkjihgfedcbaz")]
    public void GetString_And_Fill_RepeatedCharacter_AreRefused(string alphabet)
    {
        FluentActions.Invoking(() => SecureRandom.GetString(alphabet, 10)).Should().Throw<ArgumentException>().WithMessage("*repeat*");
        FluentActions.Invoking(() => SecureRandom.Fill(alphabet, new char[4])).Should().Throw<ArgumentException>().WithMessage("*repeat*");
    }

    [Fact]
    public void GetString_AlphabetOf256WithOneRepeat_AnywhereInIt_IsRefused()
    {
        // Every position of the repeat, including the first and last of a full-size alphabet.
        var distinct = Enumerable.Range(0xff00, 256).Select(i => (char)i).ToArray();
        SecureRandom.GetString(distinct, 8).Should().HaveLength(8);
        for (var i = 1; i < distinct.Length; i++)
        {
            var repeated = (char[])distinct.Clone();
            repeated[i] = distinct[((i * 37) + 11) % i]; // an earlier character, spread over the alphabet
            FluentActions.Invoking(() => SecureRandom.GetString(repeated, 8)).Should().Throw<ArgumentException>($"position {i}").WithMessage("*repeat*");
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(SecureRandom.MaxLength + 1)]
    public void GetString_BadLength_Throws(int length)
    {
        var act = () => SecureRandom.GetString("ab", length);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void GetToken_Is256BitBase64UrlAndUnique()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => SecureRandom.GetToken()).ToList();
        tokens.Should().OnlyHaveUniqueItems();
        tokens.Should().OnlyContain(t => t.Length == 43);
        Base64Url.TryDecode(tokens[0], out var bytes).Should().BeTrue();
        bytes!.Length.Should().Be(32);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(1025)]
    public void GetToken_BadSize_Throws(int size)
    {
        var act = () => SecureRandom.GetToken(size);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void GetString_AlphabetOfOneHundred_HasNoModuloBias()
    {
        // 256 is not a multiple of 100: "byte % 100" would give the first 56 characters 3/256 each and the rest 2/256
        // (+17 % / -22 % of the mean). A million draws put the mean at 10,000 with a standard deviation of ~100: every
        // count within ±6 % (6 standard deviations) allows no such bias and practically never fails by chance.
        var alphabet = string.Concat(Enumerable.Range(0, 100).Select(i => (char)('!' + i)));
        var counts = new int[100];
        foreach (var c in SecureRandom.GetString(alphabet, 1_000_000))
        {
            counts[c - '!']++;
        }

        counts.Should().OnlyContain(n => n > 9_400 && n < 10_600);
        counts.Take(56).Average().Should().BeApproximately(counts.Skip(56).Average(), 100, "the first 56 characters are not favoured");
    }

    [Fact]
    public void FixedTime_ComparesByValueAndLength()
    {
        FixedTime.Equals("abc", "abc").Should().BeTrue();
        FixedTime.Equals("abc", "abd").Should().BeFalse();
        FixedTime.Equals("abc", "abcd").Should().BeFalse();
        FixedTime.Equals(null, "abc").Should().BeFalse();
        FixedTime.Equals((string?)null, null).Should().BeFalse();
        FixedTime.Equals("é"u8, Encoding.UTF8.GetBytes("é")).Should().BeTrue();
        FixedTime.EqualsUtf8("pässwörd", Encoding.UTF8.GetBytes("pässwörd")).Should().BeTrue();
        FixedTime.EqualsUtf8(new string('x', 1000), Encoding.UTF8.GetBytes(new string('x', 999) + "y")).Should().BeFalse();
        FixedTime.EqualsUtf8("k\uD800", Encoding.UTF8.GetBytes("k\uFFFD")).Should().BeFalse("a lone surrogate is not U+FFFD");
        FixedTime.EqualsUtf8("k\uD83D\uDE00", Encoding.UTF8.GetBytes("k\uD83D\uDE00")).Should().BeTrue();
    }
}
