namespace SecurityKit.Passwords.Strength.Estimation;

/// <summary>
/// The zxcvbn 4.4.2 guess model: guesses per match, and the exact search for the match sequence that
/// minimises <c>l! × Π guesses(m) + 10000^(l−1)</c> over sequences of l non-overlapping matches covering the
/// password (gaps filled by brute force). All arithmetic is IEEE double, in the JavaScript order, so the
/// results agree with the front end to the last few bits. Stateless, so thread-safe.
/// </summary>
internal static class ZxcvbnScoring
{
    private const double BruteforceCardinality = 10;
    private const double MinGuessesBeforeGrowingSequence = 10000;
    private const double MinSubmatchGuessesSingleChar = 10;
    private const double MinSubmatchGuessesMultiChar = 50;
    private const double MinYearSpace = 20;

    private static readonly double Ln10 = Math.Log(10);

    internal readonly record struct Analysis(double Guesses, ZxcvbnMatch[] Sequence);

    public static double Log10(double value) => Math.Log(value) / Ln10;

    /// <summary>Guesses → score 0–4 with zxcvbn's thresholds (10^3, 10^6, 10^8, 10^10, each plus 5).</summary>
    public static int GuessesToScore(double guesses) =>
        guesses < 1e3 + 5 ? 0 : guesses < 1e6 + 5 ? 1 : guesses < 1e8 + 5 ? 2 : guesses < 1e10 + 5 ? 3 : 4;

    public static Analysis MostGuessableMatchSequence(string password, List<ZxcvbnMatch> matches, bool excludeAdditive, int referenceYear)
    {
        var n = password.Length;
        if (n == 0)
        {
            return new Analysis(1, []);
        }

        var byJ = new List<ZxcvbnMatch>?[n];
        foreach (var m in matches)
        {
            (byJ[m.J] ??= []).Add(m);
        }

        foreach (var list in byJ)
        {
            if (list is { Count: > 1 })
            {
                // Stable by i (the incoming order is already (i, j)-sorted, so this keeps it).
                var sorted = list.OrderBy(x => x.I).ToList();
                list.Clear();
                list.AddRange(sorted);
            }
        }

        var optimal = new Cell[n];
        for (var k = 0; k < n; k++)
        {
            optimal[k] = new Cell();
        }

        for (var k = 0; k < n; k++)
        {
            if (byJ[k] is { } ending)
            {
                foreach (var m in ending)
                {
                    if (m.I > 0)
                    {
                        var previous = optimal[m.I - 1];
                        for (var e = 0; e < previous.Count; e++)
                        {
                            Update(password, optimal, m, previous.L[e] + 1, excludeAdditive, referenceYear);
                        }
                    }
                    else
                    {
                        Update(password, optimal, m, 1, excludeAdditive, referenceYear);
                    }
                }
            }

            // Brute force from the start, or after any non-brute-force match ending at i - 1.
            Update(password, optimal, Bruteforce(password, 0, k), 1, excludeAdditive, referenceYear);
            for (var i = 1; i <= k; i++)
            {
                var previous = optimal[i - 1];
                ZxcvbnMatch? bf = null;
                for (var e = 0; e < previous.Count; e++)
                {
                    if (previous.M[e].Kind == PatternKind.Bruteforce)
                    {
                        continue;
                    }

                    bf ??= Bruteforce(password, i, k);
                    Update(password, optimal, bf, previous.L[e] + 1, excludeAdditive, referenceYear);
                }
            }
        }

        // Unwind from the end: the smallest g (first, i.e. shortest, on ties).
        var last = optimal[n - 1];
        var best = -1;
        var bestG = double.PositiveInfinity;
        for (var e = 0; e < last.Count; e++)
        {
            if (last.G[e] < bestG)
            {
                bestG = last.G[e];
                best = e;
            }
        }

        var l = last.L[best];
        var guesses = last.G[best];
        var sequence = new ZxcvbnMatch[l];
        var kk = n - 1;
        while (kk >= 0)
        {
            var m = optimal[kk].Get(l);
            sequence[--l] = m;
            kk = m.I - 1;
        }

        return new Analysis(guesses, sequence);
    }

    private static ZxcvbnMatch Bruteforce(string password, int i, int j) =>
        new() { Kind = PatternKind.Bruteforce, I = i, J = j, Token = password.Substring(i, j - i + 1) };

    private static void Update(string password, Cell[] optimal, ZxcvbnMatch m, int l, bool excludeAdditive, int referenceYear)
    {
        var k = m.J;
        var pi = EstimateGuesses(m, password.Length, referenceYear);
        if (l > 1)
        {
            pi *= optimal[m.I - 1].GetPi(l - 1);
        }

        var g = Factorial(l) * pi;
        if (!excludeAdditive)
        {
            g += Math.Pow(MinGuessesBeforeGrowingSequence, l - 1);
        }

        var cell = optimal[k];
        for (var e = 0; e < cell.Count; e++)
        {
            if (cell.L[e] > l)
            {
                break;
            }

            if (cell.G[e] <= g)
            {
                return;
            }
        }

        cell.Set(l, g, pi, m);
    }

    private static double Factorial(int n)
    {
        double f = 1;
        for (var i = 2; i <= n; i++)
        {
            f *= i;
        }

        return f;
    }

    internal static double NCk(double n, double k)
    {
        if (k > n)
        {
            return 0;
        }

        if (k == 0)
        {
            return 1;
        }

        double r = 1;
        for (double d = 1; d <= k; d++)
        {
            r *= n;
            r /= d;
            n -= 1;
        }

        return r;
    }

    public static double EstimateGuesses(ZxcvbnMatch m, int passwordLength, int referenceYear)
    {
        if (!double.IsNaN(m.Guesses))
        {
            return m.Guesses;
        }

        double minGuesses = 1;
        if (m.Token.Length < passwordLength)
        {
            minGuesses = m.Token.Length == 1 ? MinSubmatchGuessesSingleChar : MinSubmatchGuessesMultiChar;
        }

        var guesses = m.Kind switch
        {
            PatternKind.Bruteforce => BruteforceGuesses(m),
            PatternKind.Dictionary => DictionaryGuesses(m),
            PatternKind.Spatial => SpatialGuesses(m),
            PatternKind.Repeat => m.BaseGuesses * m.RepeatCount,
            PatternKind.Sequence => SequenceGuesses(m),
            PatternKind.Regex => Math.Max(Math.Abs(m.Year - referenceYear), MinYearSpace),
            PatternKind.Date => DateGuesses(m, referenceYear),
            _ => throw new InvalidOperationException("Unknown pattern."),
        };

        m.Guesses = Math.Max(guesses, minGuesses);
        m.GuessesLog10 = Log10(m.Guesses);
        return m.Guesses;
    }

    private static double BruteforceGuesses(ZxcvbnMatch m)
    {
        var guesses = Math.Pow(BruteforceCardinality, m.Token.Length);
        if (double.IsPositiveInfinity(guesses))
        {
            guesses = double.MaxValue;
        }

        var minGuesses = m.Token.Length == 1 ? MinSubmatchGuessesSingleChar + 1 : MinSubmatchGuessesMultiChar + 1;
        return Math.Max(guesses, minGuesses);
    }

    private static double SequenceGuesses(ZxcvbnMatch m)
    {
        var first = m.Token[0];
        double baseGuesses = first is 'a' or 'A' or 'z' or 'Z' or '0' or '1' or '9' ? 4 : char.IsAsciiDigit(first) ? 10 : 26;
        if (!m.Ascending)
        {
            baseGuesses *= 2;
        }

        return baseGuesses * m.Token.Length;
    }

    private static double DateGuesses(ZxcvbnMatch m, int referenceYear)
    {
        var yearSpace = Math.Max(Math.Abs(m.Year - referenceYear), MinYearSpace);
        var guesses = yearSpace * 365;
        if (m.HasSeparator)
        {
            guesses *= 4;
        }

        return guesses;
    }

    private static double SpatialGuesses(ZxcvbnMatch m)
    {
        var data = ZxcvbnData.Instance;
        double s, d;
        if (m.Graph <= 1)
        {
            s = data.KeyboardStartingPositions;
            d = data.KeyboardAverageDegree;
        }
        else
        {
            s = data.KeypadStartingPositions;
            d = data.KeypadAverageDegree;
        }

        double guesses = 0;
        var length = m.Token.Length;
        var t = m.Turns;
        for (var i = 2; i <= length; i++)
        {
            var possibleTurns = Math.Min(t, i - 1);
            for (var j = 1; j <= possibleTurns; j++)
            {
                guesses += NCk(i - 1, j - 1) * s * Math.Pow(d, j);
            }
        }

        if (m.ShiftedCount != 0)
        {
            var shifted = m.ShiftedCount;
            var unshifted = m.Token.Length - m.ShiftedCount;
            if (shifted == 0 || unshifted == 0)
            {
                guesses *= 2;
            }
            else
            {
                double variations = 0;
                for (var i = 1; i <= Math.Min(shifted, unshifted); i++)
                {
                    variations += NCk(shifted + unshifted, i);
                }

                guesses *= variations;
            }
        }

        return guesses;
    }

    private static double DictionaryGuesses(ZxcvbnMatch m)
    {
        double reversedVariations = m.Reversed ? 2 : 1;
        return (m.PrototypeRank ? double.NaN : m.Rank) * UppercaseVariations(m.Token) * L33tVariations(m) * reversedVariations;
    }

    internal static bool IsStartUpper(string word)
    {
        // /^[A-Z][^A-Z]+$/
        if (word.Length < 2 || !char.IsAsciiLetterUpper(word[0]))
        {
            return false;
        }

        for (var i = 1; i < word.Length; i++)
        {
            if (char.IsAsciiLetterUpper(word[i]))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsAllUpper(string word)
    {
        // /^[^a-z]+$/
        if (word.Length == 0)
        {
            return false;
        }

        foreach (var c in word)
        {
            if (char.IsAsciiLetterLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private static double UppercaseVariations(string word)
    {
        int upper = 0, lower = 0;
        foreach (var c in word)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                upper++;
            }
            else if (char.IsAsciiLetterLower(c))
            {
                lower++;
            }
        }

        // /^[^A-Z]+$/ (an ASCII capital always changes under lower-casing, so zxcvbn's second test adds nothing)
        if (upper == 0)
        {
            return 1;
        }

        // start upper, end upper (/^[^A-Z]+[A-Z]$/), all upper
        var endUpper = word.Length >= 2 && char.IsAsciiLetterUpper(word[^1]) && upper == 1;
        if (IsStartUpper(word) || endUpper || IsAllUpper(word))
        {
            return 2;
        }

        double variations = 0;
        for (var i = 1; i <= Math.Min(upper, lower); i++)
        {
            variations += NCk(upper + lower, i);
        }

        return variations;
    }

    private static double L33tVariations(ZxcvbnMatch m)
    {
        if (!m.L33t || m.Substitutions is null)
        {
            return 1;
        }

        double variations = 1;
        var lower = ZxcvbnMatcher.LowerJs(m.Token);
        foreach (var (subbed, unsubbed) in m.Substitutions)
        {
            int s = 0, u = 0;
            foreach (var c in lower)
            {
                if (c == subbed)
                {
                    s++;
                }
                else if (c == unsubbed)
                {
                    u++;
                }
            }

            if (s == 0 || u == 0)
            {
                variations *= 2;
            }
            else
            {
                double possibilities = 0;
                for (var i = 1; i <= Math.Min(u, s); i++)
                {
                    possibilities += NCk(u + s, i);
                }

                variations *= possibilities;
            }
        }

        return variations;
    }

    /// <summary>The best entries found so far that end at one position, keyed by sequence length l (ascending).</summary>
    private sealed class Cell
    {
        public int[] L = new int[4];
        public double[] G = new double[4];
        public double[] Pi = new double[4];
        public ZxcvbnMatch[] M = new ZxcvbnMatch[4];
        public int Count;

        public ZxcvbnMatch Get(int l) => M[IndexOf(l)];

        public double GetPi(int l) => Pi[IndexOf(l)];

        public void Set(int l, double g, double pi, ZxcvbnMatch m)
        {
            var at = 0;
            while (at < Count && L[at] < l)
            {
                at++;
            }

            if (at < Count && L[at] == l)
            {
                G[at] = g;
                Pi[at] = pi;
                M[at] = m;
                return;
            }

            if (Count == L.Length)
            {
                Array.Resize(ref L, Count * 2);
                Array.Resize(ref G, Count * 2);
                Array.Resize(ref Pi, Count * 2);
                Array.Resize(ref M, Count * 2);
            }

            Array.Copy(L, at, L, at + 1, Count - at);
            Array.Copy(G, at, G, at + 1, Count - at);
            Array.Copy(Pi, at, Pi, at + 1, Count - at);
            Array.Copy(M, at, M, at + 1, Count - at);
            L[at] = l;
            G[at] = g;
            Pi[at] = pi;
            M[at] = m;
            Count++;
        }

        private int IndexOf(int l)
        {
            for (var e = 0; e < Count; e++)
            {
                if (L[e] == l)
                {
                    return e;
                }
            }

            throw new InvalidOperationException("Inconsistent optimal-sequence table.");
        }
    }
}
