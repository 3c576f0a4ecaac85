using System.Text;

namespace SecurityKit.Passwords.Strength.Estimation;

/// <summary>
/// Finds every candidate pattern in a password as the zxcvbn 4.4.2 model does: ranked dictionaries
/// (plain, reversed, l33t), keyboard walks, repeats, sequences, recent years and dates. Indices and
/// lengths are UTF-16 code units, and the character classes are ASCII, exactly as in the JavaScript
/// model, so that the estimates agree with the front end. One instance serves one estimate (it holds
/// the user-input dictionary); not thread-safe.
/// </summary>
internal sealed class ZxcvbnMatcher
{
    private const int MaxSequenceDelta = 5;
    private const int DateMinYear = 1000;
    private const int DateMaxYear = 2050;
    private const string ShiftedKeys = "~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>?";

    // zxcvbn's substitution table, in its order: letter -> characters that stand for it.
    private static readonly (char Letter, string Subs)[] L33tTable =
    [
        ('a', "4@"), ('b', "8"), ('c', "({[<"), ('e', "3"), ('g', "69"), ('i', "1!|"),
        ('l', "1|7"), ('o', "0"), ('s', "$5"), ('t', "+7"), ('x', "%"), ('z', "2"),
    ];

    // Day/month/year split points of an unseparated 4–8 digit date, by token length.
    private static readonly (int K, int L)[][] DateSplits =
    [
        [], [], [], [],
        [(1, 2), (2, 3)],
        [(1, 3), (2, 3)],
        [(1, 2), (2, 4), (4, 5)],
        [(1, 3), (2, 3), (4, 5), (4, 6)],
        [(2, 4), (4, 6)],
    ];

    private readonly ZxcvbnData data;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> userLookup;
    private readonly bool hasUserInputs;
    private readonly int maxWordLength;

    // Which window lengths a user input has: a window of any other length cannot match one, so it is not
    // hashed and looked up. Without this, a 128-character user input made every l33t substitution set
    // (up to 736 for a password holding all l33t characters) hash every window of the password.
    private readonly bool[]? userInputLengths;

    // User-input lengths beyond the longest built-in word, ascending: only these windows are tried past it.
    private readonly int[] longUserInputLengths = [];

    public ZxcvbnMatcher(ZxcvbnData data, Dictionary<string, int>? userInputs, int referenceYear)
    {
        this.data = data;
        ReferenceYear = referenceYear;
        maxWordLength = data.MaxWordLength;
        if (userInputs is { Count: > 0 })
        {
            hasUserInputs = true;
            userLookup = userInputs.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var word in userInputs.Keys)
            {
                maxWordLength = Math.Max(maxWordLength, word.Length);
            }

            userInputLengths = new bool[maxWordLength + 1];
            foreach (var word in userInputs.Keys)
            {
                userInputLengths[word.Length] = true;
            }

            longUserInputLengths = [.. userInputs.Keys.Select(w => w.Length).Where(l => l > data.MaxWordLength).Distinct().Order()];
        }
    }

    public int ReferenceYear { get; }

    /// <summary>Builds zxcvbn's user-input dictionary: lower-cased, rank = position, a repeated word keeping its last rank.</summary>
    /// <remarks>An input longer than <paramref name="maxLength"/> keeps its rank slot but is left out: it cannot match a password of at most that length.</remarks>
    public static Dictionary<string, int>? BuildUserInputs(IEnumerable<string?>? inputs, int maxLength)
    {
        if (inputs is null)
        {
            return null;
        }

        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var rank = 1;
        foreach (var input in inputs)
        {
            if (input is null)
            {
                continue;
            }

            if (input.Length <= maxLength)
            {
                result[LowerJs(input)] = rank;
            }

            rank++;
        }

        return result;
    }

    /// <summary>All matches, sorted by (i, j) with ties in matcher order as zxcvbn's stable sort leaves them.</summary>
    public List<ZxcvbnMatch> Omnimatch(string password)
    {
        var matches = new List<ZxcvbnMatch>(64);
        DictionaryMatch(password, matches);
        ReverseDictionaryMatch(password, matches);
        L33tMatch(password, matches);
        SpatialMatch(password, matches);
        RepeatMatch(password, matches);
        SequenceMatch(password, matches);
        RegexMatch(password, matches);
        DateMatch(password, matches);
        SortStable(matches);
        return matches;
    }

    /// <summary>JavaScript's <c>String.prototype.toLowerCase</c>: the full Unicode lower-case mapping.</summary>
    /// <remarks>
    /// Differs from per-unit invariant lower-casing in three ways, each of which changes zxcvbn's result: U+0130 (the
    /// Turkish capital dotted I) becomes two code units, <c>i</c> + U+0307 (zxcvbn then slices the original password at
    /// positions of the lowered one, so every match after it is shifted by one); a capital sigma at the end of a word
    /// becomes the final form <c>ς</c>; and supplementary-plane capitals (e.g. Deseret) are lower-cased too.
    /// </remarks>
    internal static string LowerJs(string value)
    {
        var ascii = true;
        foreach (var c in value)
        {
            if (c >= 0x80)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            return string.Create(value.Length, value, static (span, v) =>
            {
                for (var i = 0; i < v.Length; i++)
                {
                    span[i] = char.ToLowerInvariant(v[i]);
                }
            });
        }

        var builder = new System.Text.StringBuilder(value.Length + 4);
        Span<char> buffer = stackalloc char[2];
        for (var i = 0; i < value.Length;)
        {
            if (!System.Text.Rune.TryGetRuneAt(value, i, out var rune))
            {
                builder.Append(value[i]); // a lone surrogate is left as it is, as in JavaScript
                i++;
                continue;
            }

            if (rune.Value == 0x130)
            {
                builder.Append("i\u0307");
            }
            else if (rune.Value == 0x3A3)
            {
                builder.Append(IsFinalSigma(value, i) ? '\u03C2' : '\u03C3');
            }
            else
            {
                var lower = System.Text.Rune.ToLowerInvariant(rune);
                builder.Append(buffer[..lower.EncodeToUtf16(buffer)]);
            }

            i += rune.Utf16SequenceLength;
        }

        return builder.ToString();
    }

    // Unicode's Final_Sigma condition (§3.13): a cased letter before (skipping case-ignorable characters), and none after.
    private static bool IsFinalSigma(string value, int index)
    {
        var before = false;
        for (var k = index; k > 0;)
        {
            var rune = RuneBefore(value, k);
            k -= rune.Utf16SequenceLength;
            if (IsCaseIgnorable(rune))
            {
                continue;
            }

            before = IsCased(rune);
            break;
        }

        if (!before)
        {
            return false;
        }

        for (var k = index + 1; k < value.Length;)
        {
            var rune = System.Text.Rune.TryGetRuneAt(value, k, out var r) ? r : System.Text.Rune.ReplacementChar;
            k += rune.Utf16SequenceLength; // a lone surrogate reads as U+FFFD, one unit
            if (IsCaseIgnorable(rune))
            {
                continue;
            }

            return !IsCased(rune);
        }

        return true;
    }

    private static System.Text.Rune RuneBefore(string value, int end)
    {
        if (end >= 2 && char.IsSurrogatePair(value[end - 2], value[end - 1]))
        {
            return new System.Text.Rune(value[end - 2], value[end - 1]);
        }

        return System.Text.Rune.IsValid(value[end - 1]) ? new System.Text.Rune(value[end - 1]) : System.Text.Rune.ReplacementChar;
    }

    // Cased: Lu, Ll, Lt, and the Other_Lowercase / Other_Uppercase characters (ª º, Roman numerals, circled letters, …;
    // listed from Node's /[\p{Lowercase}\p{Uppercase}]/u). A character that is both cased and case-ignorable is skipped as
    // ignorable, as V8 does ("ʰΣ" lowers to "ʰσ", "ªΣ" to "ªς").
    private static bool IsCased(System.Text.Rune rune) =>
        System.Text.Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.UppercaseLetter
            or System.Globalization.UnicodeCategory.LowercaseLetter or System.Globalization.UnicodeCategory.TitlecaseLetter
        || IsOtherCased(rune.Value);

    private static bool IsOtherCased(int c) =>
        c is 0xAA or 0xBA or (>= 0x2B0 and <= 0x2B8) or 0x2C0 or 0x2C1 or (>= 0x2E0 and <= 0x2E4) or 0x345 or 0x37A or 0x10FC
            or (>= 0x1D2C and <= 0x1D6A) or 0x1D78 or (>= 0x1D9B and <= 0x1DBF) or 0x2071 or 0x207F or (>= 0x2090 and <= 0x209C)
            or (>= 0x2160 and <= 0x217F) or (>= 0x24B6 and <= 0x24E9) or 0x2C7C or 0x2C7D or 0xA69C or 0xA69D or 0xA770
            or (>= 0xA7F1 and <= 0xA7F4) or 0xA7F8 or 0xA7F9 or (>= 0xAB5C and <= 0xAB5F) or 0xAB69 or 0x10780
            or (>= 0x10783 and <= 0x10785) or (>= 0x10787 and <= 0x107B0) or (>= 0x107B2 and <= 0x107BA)
            or (>= 0x1E030 and <= 0x1E06D) or (>= 0x1F130 and <= 0x1F149) or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189);

    // Case_Ignorable: Mn, Me, Cf, Lm, Sk, and the word-break MidLetter, MidNumLet and Single_Quote characters.
    private static bool IsCaseIgnorable(System.Text.Rune rune) =>
        System.Text.Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.EnclosingMark or System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.ModifierLetter or System.Globalization.UnicodeCategory.ModifierSymbol
        || rune.Value is '\'' or '.' or ':' or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A
            or 0xA7F1; // a modifier letter (Lm) of Unicode 17, newer than .NET 10's tables (JavaScriptLowerCaseTests)

    private static void SortStable(List<ZxcvbnMatch> matches)
    {
        var keys = new long[matches.Count];
        var items = matches.ToArray();
        for (var n = 0; n < items.Length; n++)
        {
            keys[n] = ((long)items[n].I << 42) | ((long)items[n].J << 21) | (uint)n;
        }

        Array.Sort(keys, items);
        matches.Clear();
        matches.AddRange(items);
    }

    private static ZxcvbnMatch New(PatternKind kind, int i, int j, string token) =>
        new() { Kind = kind, I = i, J = j, Token = token };

    // ---------------------------------------------------------------- dictionaries

    private void DictionaryMatch(string password, List<ZxcvbnMatch> output) => DictionaryMatch(password, output, null);

    /// <param name="password">The (possibly translated) password.</param>
    /// <param name="output">Receives the matches in (i, j, dictionary) order.</param>
    /// <param name="substitutedBefore">
    /// For l33t matching: substitutedBefore[k] = how many of the first k characters were translated. Windows
    /// without a translated character are skipped: zxcvbn finds them but then discards them (the token
    /// lower-cases to the matched word), so skipping changes nothing but the cost.
    /// </param>
    private void DictionaryMatch(string password, List<ZxcvbnMatch> output, int[]? substitutedBefore)
    {
        var n = password.Length;
        var lower = LowerJs(password);
        var builtIn = data.WordLookup;
        for (var i = 0; i < n; i++)
        {
            // Windows up to the longest built-in word, then only the lengths of longer user inputs (in
            // ascending j, so matches come out in the same order as a scan of every window).
            var last = Math.Min(n, i + data.MaxWordLength);
            var extra = 0;
            for (var j = i; j < last || (extra < longUserInputLengths.Length && (j = i + longUserInputLengths[extra++] - 1) < n); j++)
            {
                if (substitutedBefore is not null && substitutedBefore[j + 1] == substitutedBefore[i])
                {
                    continue;
                }

                var window = lower.AsSpan(i, j - i + 1);
                if (window is "constructor" or "__proto__")
                {
                    PrototypeMatches(password, lower, i, j, output);
                    continue;
                }

                if (window.Length <= data.MaxWordLength && builtIn.TryGetValue(window, out var word, out var id))
                {
                    foreach (var entry in data.GetEntries(id))
                    {
                        var m = New(PatternKind.Dictionary, i, j, password.Substring(i, j - i + 1));
                        m.MatchedWord = word;
                        m.Rank = ZxcvbnData.EntryRank(entry);
                        m.Dictionary = ZxcvbnData.EntryDictionary(entry);
                        output.Add(m);
                    }
                }

                if (hasUserInputs && userInputLengths![window.Length] && userLookup.TryGetValue(window, out var userWord, out var userRank))
                {
                    var m = New(PatternKind.Dictionary, i, j, password.Substring(i, j - i + 1));
                    m.MatchedWord = userWord;
                    m.Rank = userRank;
                    m.Dictionary = DictionaryKind.UserInputs;
                    output.Add(m);
                }
            }
        }
    }

    /// <summary>zxcvbn's lookups of "constructor" and "__proto__": in every list (user inputs included), a list that does
    /// not hold the word itself answers with a property of JavaScript's object prototype, a rank that is not a number.</summary>
    private void PrototypeMatches(string password, string lower, int i, int j, List<ZxcvbnMatch> output)
    {
        var word = lower.Substring(i, j - i + 1);
        ReadOnlySpan<uint> entries = data.WordLookup.TryGetValue(word.AsSpan(), out _, out var id) ? data.GetEntries(id) : [];
        for (var kind = DictionaryKind.Passwords; kind <= DictionaryKind.MaleNames; kind++)
        {
            var m = New(PatternKind.Dictionary, i, j, password.Substring(i, j - i + 1));
            m.MatchedWord = word;
            m.Dictionary = kind;
            m.PrototypeRank = true;
            foreach (var entry in entries)
            {
                if (ZxcvbnData.EntryDictionary(entry) == kind)
                {
                    m.Rank = ZxcvbnData.EntryRank(entry);
                    m.PrototypeRank = false;
                }
            }

            output.Add(m);
        }

        // The user-input list always exists (empty without inputs); "__proto__" as an input only sets the prototype.
        var user = New(PatternKind.Dictionary, i, j, password.Substring(i, j - i + 1));
        user.MatchedWord = word;
        user.Dictionary = DictionaryKind.UserInputs;
        if (word == "constructor" && hasUserInputs && userLookup.TryGetValue(word.AsSpan(), out _, out var userRank))
        {
            user.Rank = userRank;
        }
        else
        {
            user.PrototypeRank = true;
        }

        output.Add(user);
    }

    private void ReverseDictionaryMatch(string password, List<ZxcvbnMatch> output)
    {
        var reversed = Reverse(password);
        var found = new List<ZxcvbnMatch>();
        DictionaryMatch(reversed, found);
        var n = password.Length;
        foreach (var m in found)
        {
            m.Token = Reverse(m.Token);
            m.Reversed = true;
            (m.I, m.J) = (n - 1 - m.J, n - 1 - m.I);
        }

        SortStable(found);
        output.AddRange(found);
    }

    /// <summary>The used substitutions as a set (order-independent), e.g. "0o4a".</summary>
    private static string SubstitutionKey(List<(char Subbed, char Letter)> used)
    {
        used.Sort(static (x, y) => x.Subbed != y.Subbed ? x.Subbed.CompareTo(y.Subbed) : x.Letter.CompareTo(y.Letter));
        return string.Create(used.Count * 2, used, static (span, u) =>
        {
            for (var k = 0; k < u.Count; k++)
            {
                span[2 * k] = u[k].Subbed;
                span[(2 * k) + 1] = u[k].Letter;
            }
        });
    }

    private static string Reverse(string value)
    {
        var chars = value.ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }

    private void L33tMatch(string password, List<ZxcvbnMatch> output)
    {
        var subs = EnumerateL33tSubs(password);

        // Substitutions replace ASCII characters with ASCII letters, so whether the skip below is valid is the same for
        // every translation: decided once.
        var skipValid = password.AsSpan().IndexOfAny('\u0130', '\u03A3') < 0;
        var found = new List<ZxcvbnMatch>();
        // zxcvbn keeps a match once per substitution set that yields it: a crafted password ("4@8({[<3691!|70$5+%2" then
        // "p4$$w0rd" repeated) gave 48,846 matches at 128 characters, 180 of them distinct. Only the first of equal matches
        // can ever be chosen (the scorer keeps the first of equal guesses, and equal matches have equal guesses), so the
        // rest are dropped: same result, bounded memory (found in review).
        var seen = new HashSet<(int I, int J, DictionaryKind Dictionary, int Rank, string Substitutions)>();
        foreach (var sub in subs)
        {
            if (sub.Count == 0)
            {
                break;
            }

            var translated = string.Create(password.Length, (password, sub), static (span, state) =>
            {
                var (pw, s) = state;
                for (var c = 0; c < pw.Length; c++)
                {
                    var ch = pw[c];
                    foreach (var (subbed, letter) in s)
                    {
                        if (subbed == ch)
                        {
                            ch = letter;
                            break;
                        }
                    }

                    span[c] = ch;
                }
            });

            var substitutedBefore = new int[password.Length + 1];
            for (var c = 0; c < password.Length; c++)
            {
                substitutedBefore[c + 1] = substitutedBefore[c] + (translated[c] != password[c] ? 1 : 0);
            }

            var perSub = new List<ZxcvbnMatch>();

            // The skip assumes each character lower-cases on its own, in place. Two do not: U+0130 becomes two code units
            // (positions shift), and a capital sigma depends on its neighbours (final form), so a substitution next to it
            // changes how it lowers ("ΟΔΥΣΣΕΥΣ1" with 1 read as i matches "οδυσσευσ" in zxcvbn).
            DictionaryMatch(translated, perSub, skipValid ? substitutedBefore : null);
            foreach (var m in perSub)
            {
                var token = password.Substring(m.I, m.Length);
                if (LowerJs(token) == m.MatchedWord)
                {
                    continue;
                }

                var used = new List<(char, char)>(sub.Count);
                foreach (var (subbed, letter) in sub)
                {
                    if (token.Contains(subbed, StringComparison.Ordinal))
                    {
                        used.Add((subbed, letter));
                    }
                }

                m.L33t = true;
                m.Token = token;
                m.Substitutions = [.. used];
                if (token.Length > 1 && seen.Add((m.I, m.J, m.Dictionary, m.Rank, SubstitutionKey(used))))
                {
                    found.Add(m);
                }
            }
        }

        SortStable(found);
        output.AddRange(found);
    }

    /// <summary>
    /// Every way to read the password's l33t characters back as letters, in zxcvbn's order. Where one
    /// character may stand for two letters ('1' for i or l) both readings are kept; duplicates (same
    /// pairs in the same order) are dropped as zxcvbn's de-duplication does.
    /// </summary>
    private static List<List<(char Subbed, char Letter)>> EnumerateL33tSubs(string password)
    {
        var subs = new List<List<(char Subbed, char Letter)>> { new() };
        foreach (var (letter, candidates) in L33tTable)
        {
            var relevant = false;
            var next = new List<List<(char, char)>>();
            foreach (var l33t in candidates)
            {
                if (!password.Contains(l33t, StringComparison.Ordinal))
                {
                    continue;
                }

                relevant = true;
                foreach (var sub in subs)
                {
                    var dup = sub.FindIndex(p => p.Subbed == l33t);
                    if (dup == -1)
                    {
                        next.Add([.. sub, (l33t, letter)]);
                    }
                    else
                    {
                        var alternative = new List<(char, char)>(sub);
                        alternative.RemoveAt(dup);
                        alternative.Add((l33t, letter));
                        next.Add(sub);
                        next.Add(alternative);
                    }
                }
            }

            if (!relevant)
            {
                continue;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            subs = new List<List<(char, char)>>(next.Count);
            var label = new StringBuilder();
            foreach (var sub in next)
            {
                label.Clear();
                foreach (var (s, l) in sub)
                {
                    label.Append(s).Append(l);
                }

                if (seen.Add(label.ToString()))
                {
                    subs.Add(sub);
                }
            }
        }

        return subs;
    }

    // ---------------------------------------------------------------- keyboard walks

    private void SpatialMatch(string password, List<ZxcvbnMatch> output)
    {
        var found = new List<ZxcvbnMatch>();
        for (var g = 0; g < ZxcvbnData.GraphNames.Length; g++)
        {
            SpatialMatchGraph(password, g, found);
        }

        SortStable(found);
        output.AddRange(found);
    }

    private void SpatialMatchGraph(string password, int graphIndex, List<ZxcvbnMatch> output)
    {
        var graph = data.Graphs[graphIndex];
        var keyboard = graphIndex <= 1;
        var i = 0;
        while (i < password.Length - 1)
        {
            var j = i + 1;
            var lastDirection = -2;
            var turns = 0;
            var shiftedCount = keyboard && ShiftedKeys.Contains(password[i], StringComparison.Ordinal) ? 1 : 0;
            while (true)
            {
                var prev = password[j - 1];
                var found = false;
                var foundDirection = -1;
                var adjacents = prev < 128 ? graph[prev] : null;
                if (j < password.Length && adjacents is not null)
                {
                    var cur = password[j];
                    for (var direction = 0; direction < adjacents.Length; direction++)
                    {
                        var adj = adjacents[direction];
                        if (adj is null)
                        {
                            continue;
                        }

                        var at = adj.IndexOf(cur, StringComparison.Ordinal);
                        if (at != -1)
                        {
                            found = true;
                            foundDirection = direction;
                            if (at == 1)
                            {
                                shiftedCount++;
                            }

                            if (lastDirection != foundDirection)
                            {
                                turns++;
                                lastDirection = foundDirection;
                            }

                            break;
                        }
                    }
                }

                if (found)
                {
                    j++;
                }
                else
                {
                    if (j - i > 2)
                    {
                        var m = New(PatternKind.Spatial, i, j - 1, password[i..j]);
                        m.Graph = graphIndex;
                        m.Turns = turns;
                        m.ShiftedCount = shiftedCount;
                        output.Add(m);
                    }

                    i = j;
                    break;
                }
            }
        }
    }

    // ---------------------------------------------------------------- repeats
    // The span comparisons below look for structure inside the candidate password (a part equal to another part), as
    // zxcvbn does; nothing is compared against a stored secret, and the estimator's running time depends on the
    // password's patterns by design. FixedTimeEquals would add nothing here.

    private static bool IsLineTerminator(char c) => c is '\n' or '\r' or '\u2028' or '\u2029';

    private static bool RepeatsAt(string s, int start, int length) =>
        start + (2 * length) <= s.Length && s.AsSpan(start, length).SequenceEqual(s.AsSpan(start + length, length));

    private static int CountRepeats(string s, int start, int length)
    {
        var count = 1;
        while (start + ((count + 1) * length) <= s.Length && s.AsSpan(start, length).SequenceEqual(s.AsSpan(start + (count * length), length)))
        {
            count++;
        }

        return count;
    }

    private void RepeatMatch(string password, List<ZxcvbnMatch> output)
    {
        // Equivalent of zxcvbn's /(.+)\1+/g (greedy) and /(.+?)\1+/g (lazy) searches: both find the same
        // leftmost start; greedy takes the longest base that repeats, lazy the shortest; '.' excludes
        // JavaScript line terminators.
        var n = password.Length;
        var lastIndex = 0;
        while (lastIndex < n)
        {
            int start = -1, greedyBase = 0, lazyBase = 0;
            for (var s = lastIndex; s < n && start < 0; s++)
            {
                var run = 0;
                while (s + run < n && !IsLineTerminator(password[s + run]))
                {
                    run++;
                }

                var maxBase = Math.Min(run, (n - s) / 2);
                for (var length = 1; length <= maxBase; length++)
                {
                    if (RepeatsAt(password, s, length))
                    {
                        start = s;
                        lazyBase = length;
                        break;
                    }
                }

                if (start >= 0)
                {
                    for (var length = maxBase; length >= lazyBase; length--)
                    {
                        if (RepeatsAt(password, s, length))
                        {
                            greedyBase = length;
                            break;
                        }
                    }
                }
            }

            if (start < 0)
            {
                break;
            }

            var greedyLength = greedyBase * CountRepeats(password, start, greedyBase);
            var lazyLength = lazyBase * CountRepeats(password, start, lazyBase);
            int matchLength;
            string baseToken;
            if (greedyLength > lazyLength)
            {
                matchLength = greedyLength;
                var whole = password.AsSpan(start, matchLength);
                var unit = matchLength;
                for (var length = 1; length <= matchLength / 2; length++)
                {
                    if (matchLength % length == 0 && IsPowerOf(whole, length))
                    {
                        unit = length;
                        break;
                    }
                }

                baseToken = password.Substring(start, unit);
            }
            else
            {
                matchLength = lazyLength;
                baseToken = password.Substring(start, lazyBase);
            }

            var i = start;
            var j = start + matchLength - 1;
            var baseAnalysis = ZxcvbnScoring.MostGuessableMatchSequence(baseToken, Omnimatch(baseToken), excludeAdditive: false, ReferenceYear);
            var m = New(PatternKind.Repeat, i, j, password.Substring(i, matchLength));
            m.BaseToken = baseToken;
            m.BaseGuesses = baseAnalysis.Guesses;
            m.BaseMatches = baseAnalysis.Sequence;
            m.RepeatCount = (double)matchLength / baseToken.Length;
            output.Add(m);
            lastIndex = j + 1;
        }
    }

    private static bool IsPowerOf(ReadOnlySpan<char> whole, int unit)
    {
        for (var k = unit; k < whole.Length; k += unit)
        {
            if (!whole.Slice(k, unit).SequenceEqual(whole[..unit]))
            {
                return false;
            }
        }

        return true;
    }

    // ---------------------------------------------------------------- sequences

    private static void SequenceMatch(string password, List<ZxcvbnMatch> output)
    {
        if (password.Length <= 1)
        {
            return;
        }

        var i = 0;
        int? lastDelta = null;
        for (var k = 1; k < password.Length; k++)
        {
            var delta = password[k] - password[k - 1];
            lastDelta ??= delta;
            if (delta == lastDelta)
            {
                continue;
            }

            var j = k - 1;
            AddSequence(password, i, j, lastDelta.Value, output);
            i = j;
            lastDelta = delta;
        }

        AddSequence(password, i, password.Length - 1, lastDelta!.Value, output);
    }

    private static void AddSequence(string password, int i, int j, int delta, List<ZxcvbnMatch> output)
    {
        var absDelta = Math.Abs(delta);
        if ((j - i > 1 || absDelta == 1) && absDelta > 0 && absDelta <= MaxSequenceDelta)
        {
            var m = New(PatternKind.Sequence, i, j, password.Substring(i, j - i + 1));
            m.Ascending = delta > 0;
            output.Add(m);
        }
    }

    // ---------------------------------------------------------------- recent years

    private static void RegexMatch(string password, List<ZxcvbnMatch> output)
    {
        // /19\d\d|200\d|201\d/g
        var p = 0;
        while (p + 4 <= password.Length)
        {
            var c0 = password[p];
            var c1 = password[p + 1];
            var c2 = password[p + 2];
            var c3 = password[p + 3];
            var isYear = char.IsAsciiDigit(c3) && ((c0 == '1' && c1 == '9' && char.IsAsciiDigit(c2)) || (c0 == '2' && c1 == '0' && c2 is '0' or '1'));
            if (isYear)
            {
                var m = New(PatternKind.Regex, p, p + 3, password.Substring(p, 4));
                m.Year = ((c0 - '0') * 1000) + ((c1 - '0') * 100) + ((c2 - '0') * 10) + (c3 - '0');
                output.Add(m);
                p += 4;
            }
            else
            {
                p++;
            }
        }
    }

    // ---------------------------------------------------------------- dates

    private void DateMatch(string password, List<ZxcvbnMatch> output)
    {
        var found = new List<ZxcvbnMatch>();
        var n = password.Length;

        // 4 to 8 digits without separator.
        for (var i = 0; i <= n - 4; i++)
        {
            for (var j = i + 3; j <= i + 7 && j < n; j++)
            {
                var token = password.AsSpan(i, j - i + 1);
                if (!AllAsciiDigits(token))
                {
                    continue;
                }

                var best = default((int Year, int Month, int Day));
                var hasBest = false;
                var bestDistance = 0;
                foreach (var (k, l) in DateSplits[token.Length])
                {
                    var dmy = MapIntsToDmy(ParseInt(token[..k]), ParseInt(token[k..l]), ParseInt(token[l..]));
                    if (dmy is { } candidate)
                    {
                        var distance = Math.Abs(candidate.Year - ReferenceYear);
                        if (!hasBest || distance < bestDistance)
                        {
                            best = candidate;
                            bestDistance = distance;
                            hasBest = true;
                        }
                    }
                }

                if (!hasBest)
                {
                    continue;
                }

                var m = New(PatternKind.Date, i, j, token.ToString());
                (m.Year, m.Month, m.Day) = best;
                found.Add(m);
            }
        }

        // 6 to 10 characters with a repeated separator: /^(\d{1,4})([\s\/\\_.-])(\d{1,2})\2(\d{1,4})$/
        for (var i = 0; i <= n - 6; i++)
        {
            for (var j = i + 5; j <= i + 9 && j < n; j++)
            {
                var token = password.AsSpan(i, j - i + 1);
                if (!TryParseSeparatedDate(token, out var a, out var b, out var c))
                {
                    continue;
                }

                if (MapIntsToDmy(a, b, c) is not { } dmy)
                {
                    continue;
                }

                var m = New(PatternKind.Date, i, j, token.ToString());
                (m.Year, m.Month, m.Day) = dmy;
                m.HasSeparator = true;
                found.Add(m);
            }
        }

        // Drop dates contained in another date match.
        foreach (var m in found)
        {
            var isSubmatch = false;
            foreach (var other in found)
            {
                if (!ReferenceEquals(m, other) && other.I <= m.I && other.J >= m.J)
                {
                    isSubmatch = true;
                    break;
                }
            }

            if (!isSubmatch)
            {
                output.Add(m);
            }
        }
    }

    private static bool AllAsciiDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static int ParseInt(ReadOnlySpan<char> digits)
    {
        var value = 0;
        foreach (var c in digits)
        {
            value = (value * 10) + (c - '0');
        }

        return value;
    }

    private static bool IsJsWhitespace(char c) =>
        c is '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u00a0' or '\u1680' or '\u2028' or '\u2029' or '\u202f' or '\u205f' or '\u3000' or '\ufeff'
        || (c >= '\u2000' && c <= '\u200a');

    private static bool TryParseSeparatedDate(ReadOnlySpan<char> token, out int first, out int second, out int third)
    {
        first = second = third = 0;
        var p = 0;
        while (p < token.Length && char.IsAsciiDigit(token[p]))
        {
            p++;
        }

        if (p is < 1 or > 4 || p >= token.Length)
        {
            return false;
        }

        var separator = token[p];
        if (!(IsJsWhitespace(separator) || separator is '/' or '\\' or '_' or '.' or '-'))
        {
            return false;
        }

        first = ParseInt(token[..p]);
        var q = p + 1;
        var r = q;
        while (r < token.Length && char.IsAsciiDigit(token[r]))
        {
            r++;
        }

        if (r - q is < 1 or > 2 || r >= token.Length || token[r] != separator)
        {
            return false;
        }

        second = ParseInt(token[q..r]);
        var rest = token[(r + 1)..];
        if (rest.Length is < 1 or > 4 || !AllAsciiDigits(rest))
        {
            return false;
        }

        third = ParseInt(rest);
        return true;
    }

    private static (int Year, int Month, int Day)? MapIntsToDmy(int a, int b, int c)
    {
        if (b > 31 || b <= 0)
        {
            return null;
        }

        int over12 = 0, over31 = 0, under1 = 0;
        foreach (var value in (ReadOnlySpan<int>)[a, b, c])
        {
            if ((value > 99 && value < DateMinYear) || value > DateMaxYear)
            {
                return null;
            }

            if (value > 31)
            {
                over31++;
            }

            if (value > 12)
            {
                over12++;
            }

            if (value <= 0)
            {
                under1++;
            }
        }

        if (over31 >= 2 || over12 == 3 || under1 >= 2)
        {
            return null;
        }

        // Year last, then year first.
        ReadOnlySpan<(int Year, int X, int Y)> splits = [(c, a, b), (a, b, c)];
        foreach (var (year, x, y) in splits)
        {
            if (year >= DateMinYear && year <= DateMaxYear)
            {
                return MapIntsToDm(x, y) is { } dm ? (year, dm.Month, dm.Day) : null;
            }
        }

        foreach (var (year, x, y) in splits)
        {
            if (MapIntsToDm(x, y) is { } dm)
            {
                return (TwoToFourDigitYear(year), dm.Month, dm.Day);
            }
        }

        return null;
    }

    private static (int Day, int Month)? MapIntsToDm(int x, int y)
    {
        if (x >= 1 && x <= 31 && y >= 1 && y <= 12)
        {
            return (x, y);
        }

        if (y >= 1 && y <= 31 && x >= 1 && x <= 12)
        {
            return (y, x);
        }

        return null;
    }

    private static int TwoToFourDigitYear(int year) => year > 99 ? year : year > 50 ? year + 1900 : year + 2000;
}
