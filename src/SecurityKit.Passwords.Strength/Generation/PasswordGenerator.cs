using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using SecurityKit.Passwords.Strength.Estimation;

namespace SecurityKit.Passwords.Strength;

/// <summary>
/// Random passwords and passphrases drawn with <see cref="RandomNumberGenerator"/>: every character or word
/// is chosen with <see cref="RandomNumberGenerator.GetInt32(int)"/>, which rejects out-of-range values
/// instead of reducing modulo (no modulo bias). Guaranteed classes are obtained by rejecting whole
/// candidates that miss a class, so the output stays uniform over the acceptable passwords and the
/// reported entropy is exact.
/// </summary>
/// <remarks>
/// <para>The passphrase word list is the EFF large word list (CC BY 3.0 US; see THIRD-PARTY-NOTICES.md), embedded and loaded once.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class PasswordGenerator : IPasswordGenerator
{
    private const string LowerChars = "abcdefghijklmnopqrstuvwxyz";
    private const string UpperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string DigitChars = "0123456789";
    private const string AmbiguousChars = "0Oo1lI|";

    private static readonly Lazy<string[]> Words = new(LoadWords, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets the number of words of the embedded passphrase list (7,776).</summary>
    public static int WordListCount => Words.Value.Length;

    /// <inheritdoc />
    public GeneratedPassword GeneratePassword(RandomPasswordOptions? options = null)
    {
        options ??= new RandomPasswordOptions();
        var classes = BuildClasses(options);
        if (options.Length is < RandomPasswordOptions.MinimumLength or > RandomPasswordOptions.MaximumLength)
        {
            throw new ArgumentException($"RandomPasswordOptions.Length must be between {RandomPasswordOptions.MinimumLength} and {RandomPasswordOptions.MaximumLength}.", nameof(options));
        }

        var alphabet = string.Concat(classes);
        var buffer = new char[options.Length];
        try
        {
            while (true)
            {
                for (var i = 0; i < buffer.Length; i++)
                {
                    buffer[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
                }

                if (!options.RequireEveryClass || classes.All(c => buffer.AsSpan().IndexOfAny(c) >= 0))
                {
                    return new GeneratedPassword(new string(buffer), PasswordEntropyBits(classes.Select(c => c.Length).ToArray(), options.Length, options.RequireEveryClass));
                }
            }
        }
        finally
        {
            Array.Clear(buffer);
        }
    }

    /// <inheritdoc />
    public GeneratedPassword GeneratePassphrase(PassphraseOptions? options = null)
    {
        options ??= new PassphraseOptions();
        if (options.WordCount is < PassphraseOptions.MinimumWordCount or > PassphraseOptions.MaximumWordCount)
        {
            throw new ArgumentException($"PassphraseOptions.WordCount must be between {PassphraseOptions.MinimumWordCount} and {PassphraseOptions.MaximumWordCount}.", nameof(options));
        }

        if (options.Separator is null || options.Separator.Length > 8)
        {
            throw new ArgumentException("PassphraseOptions.Separator must be non-null and at most 8 characters.", nameof(options));
        }

        var words = Words.Value;
        var chosen = new string[options.WordCount];
        for (var i = 0; i < chosen.Length; i++)
        {
            var word = words[RandomNumberGenerator.GetInt32(words.Length)];
            chosen[i] = options.Capitalize ? char.ToUpperInvariant(word[0]) + word[1..] : word;
        }

        var bits = options.WordCount * Math.Log2(words.Length);
        if (options.IncludeDigit)
        {
            var at = RandomNumberGenerator.GetInt32(chosen.Length);
            chosen[at] += RandomNumberGenerator.GetInt32(10).ToString(CultureInfo.InvariantCulture);
            bits += Math.Log2(10.0 * options.WordCount);
        }

        return new GeneratedPassword(string.Join(options.Separator, chosen), bits);
    }

    /// <summary>
    /// log2 of the number of strings of <paramref name="length"/> over the union of disjoint classes of the
    /// given sizes, counting only those with every class present when <paramref name="requireEveryClass"/>
    /// (inclusion–exclusion over the missing classes).
    /// </summary>
    internal static double PasswordEntropyBits(int[] classSizes, int length, bool requireEveryClass)
    {
        var total = classSizes.Sum();
        if (!requireEveryClass)
        {
            return length * Math.Log2(total);
        }

        var count = BigInteger.Zero;
        for (var mask = 0; mask < (1 << classSizes.Length); mask++)
        {
            var missing = 0;
            for (var c = 0; c < classSizes.Length; c++)
            {
                if ((mask & (1 << c)) != 0)
                {
                    missing += classSizes[c];
                }
            }

            var term = BigInteger.Pow(total - missing, length);
            count += BitOperations.PopCount((uint)mask) % 2 == 0 ? term : -term;
        }

        return BigInteger.Log(count, 2);
    }

    private static List<string> BuildClasses(RandomPasswordOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var classes = new List<string>(4);
        void Add(bool on, string chars)
        {
            if (!on)
            {
                return;
            }

            var kept = options.ExcludeAmbiguous ? string.Concat(chars.Where(c => !AmbiguousChars.Contains(c, StringComparison.Ordinal))) : chars;
            if (kept.Length == 0)
            {
                // A class the caller asked for must appear: dropping it silently (SymbolSet "|" with ExcludeAmbiguous)
                // would give passwords a site's "needs a symbol" rule rejects.
                throw new ArgumentException("RandomPasswordOptions: a requested character class has no characters left once ambiguous ones are excluded; widen SymbolSet or turn ExcludeAmbiguous off.", nameof(options));
            }

            classes.Add(kept);
        }

        Add(options.Lowercase, LowerChars);
        Add(options.Uppercase, UpperChars);
        Add(options.Digits, DigitChars);
        if (options.Symbols)
        {
            var symbols = options.SymbolSet ?? string.Empty;
            if (symbols.Length == 0 || symbols.Any(c => c is <= ' ' or > '~' || char.IsLetterOrDigit(c)) || symbols.Distinct().Count() != symbols.Length)
            {
                throw new ArgumentException("RandomPasswordOptions.SymbolSet must be distinct printable ASCII characters that are neither letters nor digits.", nameof(options));
            }

            Add(true, symbols);
        }

        if (classes.Count == 0)
        {
            throw new ArgumentException("RandomPasswordOptions: enable at least one character class.", nameof(options));
        }

        if (options.RequireEveryClass && options.Length < classes.Count)
        {
            throw new ArgumentException("RandomPasswordOptions.Length must be at least the number of required classes.", nameof(options));
        }

        return classes;
    }

    private static string[] LoadWords()
    {
        var text = ZxcvbnData.ReadBrotliResource("eff-large-wordlist.txt.br");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
