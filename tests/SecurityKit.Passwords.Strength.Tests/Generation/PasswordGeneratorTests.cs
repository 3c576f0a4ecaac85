using Xunit.Abstractions;

namespace SecurityKit.Passwords.Strength.Tests.Generation;

public sealed class PasswordGeneratorTests(ITestOutputHelper output)
{
    private readonly PasswordGenerator generator = new();

    // Chi-square critical value for p = 1e-6 (Wilson–Hilferty); a correct generator fails once in a million runs.
    private static double ChiSquareCritical(int degreesOfFreedom)
    {
        const double z = 4.753; // upper 1e-6 quantile of the standard normal
        var k = (double)degreesOfFreedom;
        var t = 1 - (2 / (9 * k)) + (z * Math.Sqrt(2 / (9 * k)));
        return k * t * t * t;
    }

    private static double ChiSquare(IReadOnlyDictionary<char, int> counts, string alphabet, long total)
    {
        var expected = (double)total / alphabet.Length;
        return alphabet.Sum(c => Math.Pow(counts.GetValueOrDefault(c) - expected, 2) / expected);
    }

    [Fact]
    public void GeneratePassword_CharacterDistribution_PassesChiSquare()
    {
        // 94-symbol alphabet, not a power of two: a modulo reduction of random bytes would be biased.
        var options = new RandomPasswordOptions { Length = 50, RequireEveryClass = false, SymbolSet = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" };
        var alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + options.SymbolSet;
        var counts = new Dictionary<char, int>();
        long total = 0;
        for (var i = 0; i < 4000; i++)
        {
            foreach (var c in generator.GeneratePassword(options).Value)
            {
                counts[c] = counts.GetValueOrDefault(c) + 1;
                total++;
            }
        }

        var chi = ChiSquare(counts, alphabet, total);
        output.WriteLine($"chi-square {chi:F1} over {alphabet.Length} symbols, critical {ChiSquareCritical(alphabet.Length - 1):F1}");
        counts.Keys.Should().OnlyContain(c => alphabet.Contains(c));
        chi.Should().BeLessThan(ChiSquareCritical(alphabet.Length - 1));
    }

    [Fact]
    public void GeneratePassphrase_WordDistribution_PassesChiSquare()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var options = new PassphraseOptions { WordCount = 40, Separator = " " };
        long total = 0;
        for (var i = 0; i < 4000; i++)
        {
            foreach (var w in generator.GeneratePassphrase(options).Value.Split(' '))
            {
                counts[w] = counts.GetValueOrDefault(w) + 1;
                total++;
            }
        }

        var n = PasswordGenerator.WordListCount;
        var expected = (double)total / n;
        var chi = counts.Values.Sum(c => Math.Pow(c - expected, 2) / expected) + ((n - counts.Count) * expected);
        output.WriteLine($"chi-square {chi:F1} over {n} words, critical {ChiSquareCritical(n - 1):F1}");
        chi.Should().BeLessThan(ChiSquareCritical(n - 1));
    }

    [Fact]
    public void GeneratePassword_RequireEveryClass_AlwaysContainsEach()
    {
        var options = new RandomPasswordOptions { Length = 4 };
        for (var i = 0; i < 2000; i++)
        {
            var value = generator.GeneratePassword(options).Value;
            value.Should().HaveLength(4);
            value.Should().Match(v => v.Any(char.IsAsciiLetterLower) && v.Any(char.IsAsciiLetterUpper) && v.Any(char.IsAsciiDigit) && v.Any(c => options.SymbolSet.Contains(c)));
        }
    }

    [Fact]
    public void GeneratePassword_EntropyBits_ExactForGuaranteedClasses()
    {
        // 4 characters over digits+lower with both present: 36^4 - 26^4 - 10^4 strings.
        var bits = PasswordGenerator.PasswordEntropyBits([26, 10], 4, requireEveryClass: true);
        bits.Should().BeApproximately(Math.Log2(Math.Pow(36, 4) - Math.Pow(26, 4) - Math.Pow(10, 4)), 1e-9);

        var result = generator.GeneratePassword(new RandomPasswordOptions { Length = 20, Symbols = false, RequireEveryClass = false });
        result.EntropyBits.Should().BeApproximately(20 * Math.Log2(62), 1e-9);
    }

    [Fact]
    public void GeneratePassword_Default_Has20CharactersAndOver120Bits()
    {
        var result = generator.GeneratePassword();

        result.Value.Should().HaveLength(20);
        result.EntropyBits.Should().BeGreaterThan(120);
        result.ToString().Should().NotContain(result.Value);
    }

    [Fact]
    public void GeneratePassword_ExcludeAmbiguous_NoLookAlikes()
    {
        var options = new RandomPasswordOptions { Length = 200, ExcludeAmbiguous = true, RequireEveryClass = false };

        generator.GeneratePassword(options).Value.Should().NotContainAny("0", "O", "o", "1", "l", "I", "|");
    }

    [Fact]
    public void GeneratePassword_RequestedClassEmptiedByExcludeAmbiguous_Throws()
    {
        // Symbols = true with SymbolSet "|" and ExcludeAmbiguous: the symbol class vanished silently.
        var options = new RandomPasswordOptions { ExcludeAmbiguous = true, Symbols = true, SymbolSet = "|" };

        generator.Invoking(g => g.GeneratePassword(options)).Should().Throw<ArgumentException>().WithMessage("*ExcludeAmbiguous*");
        generator.GeneratePassword(new RandomPasswordOptions { ExcludeAmbiguous = true, Symbols = true, SymbolSet = "|#" }).Value.Should().Contain("#");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1025)]
    public void GeneratePassword_LengthOutOfRange_Throws(int length)
    {
        var act = () => generator.GeneratePassword(new RandomPasswordOptions { Length = length });

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void GeneratePassword_LengthBelowMinimum_ThrowsForTheLengthNotTheClassCount()
    {
        // With the four default classes a length of 3 is refused by the class-count rule first; with one class only the
        // minimum-length rule can refuse it.
        var act = () => generator.GeneratePassword(new RandomPasswordOptions { Lowercase = true, Uppercase = false, Digits = false, Symbols = false, Length = RandomPasswordOptions.MinimumLength - 1 });

        act.Should().Throw<ArgumentException>().WithMessage("*Length must be between*");
        generator.GeneratePassword(new RandomPasswordOptions { Lowercase = true, Uppercase = false, Digits = false, Symbols = false, Length = RandomPasswordOptions.MinimumLength })
            .Value.Should().HaveLength(RandomPasswordOptions.MinimumLength);
    }

    [Theory]
    [InlineData("!!")] // a repeat would double that symbol's odds
    [InlineData("! ")] // space
    [InlineData("!\t")] // control character
    [InlineData("!§")] // not ASCII
    [InlineData("")]
    public void GeneratePassword_SymbolSetNotDistinctPrintableAsciiSymbols_Throws(string symbols)
    {
        var act = () => generator.GeneratePassword(new RandomPasswordOptions { Symbols = true, SymbolSet = symbols });

        act.Should().Throw<ArgumentException>().WithMessage("*SymbolSet*");
    }

    [Theory]
    [InlineData(PassphraseOptions.MinimumWordCount - 1)]
    [InlineData(PassphraseOptions.MaximumWordCount + 1)]
    public void GeneratePassphrase_WordCountOutOfRange_Throws(int words)
    {
        generator.Invoking(g => g.GeneratePassphrase(new PassphraseOptions { WordCount = words })).Should().Throw<ArgumentException>().WithMessage("*WordCount*");
        generator.GeneratePassphrase(new PassphraseOptions { WordCount = words < PassphraseOptions.MinimumWordCount ? PassphraseOptions.MinimumWordCount : PassphraseOptions.MaximumWordCount })
            .Value.Should().NotBeEmpty();
    }

    [Fact]
    public void GeneratePassphrase_SeparatorNullOrLongerThanEight_Throws()
    {
        generator.Invoking(g => g.GeneratePassphrase(new PassphraseOptions { Separator = null! })).Should().Throw<ArgumentException>().WithMessage("*Separator*");
        generator.Invoking(g => g.GeneratePassphrase(new PassphraseOptions { Separator = new string('-', 9) })).Should().Throw<ArgumentException>().WithMessage("*Separator*");
        generator.GeneratePassphrase(new PassphraseOptions { Separator = new string('-', 8), WordCount = 3 }).Value.Should().Contain(new string('-', 8));
    }

    [Fact]
    public void GeneratePassword_NoClass_Throws()
    {
        var act = () => generator.GeneratePassword(new RandomPasswordOptions { Lowercase = false, Uppercase = false, Digits = false, Symbols = false });

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void GeneratePassword_InvalidSymbolSet_Throws()
    {
        var act = () => generator.GeneratePassword(new RandomPasswordOptions { SymbolSet = "a!" });

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void GeneratePassphrase_Default_SixEffWordsAbout77Bits()
    {
        var result = generator.GeneratePassphrase();

        PasswordGenerator.WordListCount.Should().Be(7776);
        result.Value.Split('-').Should().HaveCount(6);
        result.EntropyBits.Should().BeApproximately(6 * Math.Log2(7776), 1e-9);
    }

    [Fact]
    public void GeneratePassphrase_CapitalizedWithDigit_AddsDigitEntropy()
    {
        var result = generator.GeneratePassphrase(new PassphraseOptions { WordCount = 4, Separator = ".", Capitalize = true, IncludeDigit = true });

        var words = result.Value.Split('.');
        words.Should().HaveCount(4).And.OnlyContain(w => char.IsAsciiLetterUpper(w[0]));
        words.Count(w => char.IsAsciiDigit(w[^1])).Should().Be(1);
        result.EntropyBits.Should().BeApproximately((4 * Math.Log2(7776)) + Math.Log2(40), 1e-9);
    }

    [Fact]
    public void GeneratePassphrase_Default_AcceptedByDefaultPolicy()
    {
        var policy = new PasswordPolicy();
        for (var i = 0; i < 20; i++)
        {
            policy.Evaluate(generator.GeneratePassphrase().Value).IsAcceptable.Should().BeTrue();
            policy.Evaluate(generator.GeneratePassword().Value).IsAcceptable.Should().BeTrue();
        }
    }

    [Fact]
    public async Task GeneratePassword_ParallelCallers_AllDistinct()
    {
        var tasks = Enumerable.Range(0, 16).Select(_ => Task.Run(() => Enumerable.Range(0, 250).Select(_ => generator.GeneratePassword().Value).ToArray()));

        var all = (await Task.WhenAll(tasks)).SelectMany(x => x).ToArray();

        all.Should().HaveCount(4000).And.OnlyHaveUniqueItems();
    }
}
