/*
 * Embedded data of the zxcvbn 4.4.2 model (MIT licence, Dropbox; see THIRD-PARTY-NOTICES.md).
 *
 * frequency-lists.txt.br: Brotli-compressed UTF-8 text. Repeated blocks, one per ranked dictionary in
 *   zxcvbn's order (passwords, english_wikipedia, female_names, surnames, us_tv_and_film, male_names):
 *     "<name>\t<count>\n" followed by <count> lines, one lower-case word per line, rank 1 first.
 * adjacency-graphs.txt: UTF-8 text. Repeated blocks for qwerty, dvorak, keypad, mac_keypad:
 *     "<name>\t<keyCount>\n" followed by <keyCount> lines "<key>\t<n0>\t<n1>…", one slot per
 *     neighbour direction in zxcvbn's order, an empty slot meaning "no key in that direction".
 * Both are produced by tests/SecurityKit.Passwords.Strength.Tests/Reference/extract-data.js.
 */
using System.IO.Compression;
using System.Reflection;
using System.Text;

namespace SecurityKit.Passwords.Strength.Estimation;

/// <summary>The loaded zxcvbn tables. Immutable after construction, so thread-safe.</summary>
internal sealed class ZxcvbnData
{
    private static readonly Lazy<ZxcvbnData> LazyInstance = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The graph names in zxcvbn's order; the index is <see cref="ZxcvbnMatch.Graph"/>.</summary>
    public static readonly string[] GraphNames = ["qwerty", "dvorak", "keypad", "mac_keypad"];

    private static readonly string[] DictionaryNames =
        ["passwords", "english_wikipedia", "female_names", "surnames", "us_tv_and_film", "male_names"];

    private readonly Dictionary<string, int> words;
    private readonly int[] entryStart;
    private readonly byte[] entryCount;
    private readonly uint[] entries;

    private ZxcvbnData(Dictionary<string, int> words, int[] entryStart, byte[] entryCount, uint[] entries, int maxWordLength,
        string?[]?[][] graphs)
    {
        this.words = words;
        this.entryStart = entryStart;
        this.entryCount = entryCount;
        this.entries = entries;
        MaxWordLength = maxWordLength;
        Graphs = graphs;
        WordLookup = words.GetAlternateLookup<ReadOnlySpan<char>>();

        KeyboardStartingPositions = CountKeys(graphs[0]);
        KeyboardAverageDegree = AverageDegree(graphs[0]);
        KeypadStartingPositions = CountKeys(graphs[2]);
        KeypadAverageDegree = AverageDegree(graphs[2]);
    }

    /// <summary>Gets the shared instance, loading it on first use.</summary>
    public static ZxcvbnData Instance => LazyInstance.Value;

    /// <summary>Gets whether the tables are loaded already.</summary>
    public static bool IsLoaded => LazyInstance.IsValueCreated;

    public Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> WordLookup { get; }

    public int MaxWordLength { get; }

    /// <summary>Per graph, an array indexed by ASCII key giving the neighbour slots (null = not a key).</summary>
    public string?[]?[][] Graphs { get; }

    public double KeyboardStartingPositions { get; }

    public double KeyboardAverageDegree { get; }

    public double KeypadStartingPositions { get; }

    public double KeypadAverageDegree { get; }

    /// <summary>Gets the (dictionary, rank) entries of the word with id <paramref name="wordId"/>, in dictionary order.</summary>
    public ReadOnlySpan<uint> GetEntries(int wordId) => entries.AsSpan(entryStart[wordId], entryCount[wordId]);

    public static DictionaryKind EntryDictionary(uint entry) => (DictionaryKind)(entry >> 24);

    public static int EntryRank(uint entry) => (int)(entry & 0xFFFFFF);

    /// <summary>Returns the rank of <paramref name="word"/> in the passwords list, or 0.</summary>
    public int PasswordRank(ReadOnlySpan<char> word)
    {
        if (!WordLookup.TryGetValue(word, out var id))
        {
            return 0;
        }

        var first = entries[entryStart[id]];
        return EntryDictionary(first) == DictionaryKind.Passwords ? EntryRank(first) : 0;
    }

    /// <summary>Enumerates the passwords list in rank order (rank 1 first).</summary>
    public IEnumerable<string> PasswordsByRank()
    {
        var result = new string[30000];
        var count = 0;
        foreach (var (word, id) in words)
        {
            var first = entries[entryStart[id]];
            if (EntryDictionary(first) == DictionaryKind.Passwords)
            {
                var rank = EntryRank(first);
                if (rank > result.Length)
                {
                    Array.Resize(ref result, rank * 2);
                }

                result[rank - 1] = word;
                count = Math.Max(count, rank);
            }
        }

        return result.Take(count);
    }

    internal static Stream OpenResource(string name) =>
        typeof(ZxcvbnData).Assembly.GetManifestResourceStream("SecurityKit.Passwords.Strength." + name)
        ?? throw new InvalidOperationException("The embedded resource " + name + " is missing from SecurityKit.Passwords.Strength.");

    internal static string ReadBrotliResource(string name)
    {
        using var stream = OpenResource(name);
        using var brotli = new BrotliStream(stream, CompressionMode.Decompress);
        using var buffer = new MemoryStream(1 << 20);
        brotli.CopyTo(buffer);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Loads a new copy of the tables, bypassing the shared instance (for load-time measurements).</summary>
    internal static ZxcvbnData LoadFresh() => Load();

    private static ZxcvbnData Load()
    {
        var text = ReadBrotliResource("frequency-lists.txt.br");
        var lines = new LineReader(text);

        // Pass 1: give each distinct word an id and remember, per (dictionary, rank) tuple, its word id.
        var words = new Dictionary<string, int>(100_000, StringComparer.Ordinal);
        var tupleWord = new List<int>(100_000);
        var tupleEntry = new List<uint>(100_000);
        var counts = new List<byte>(100_000);
        var maxLength = 0;
        for (var d = 0; d < DictionaryNames.Length; d++)
        {
            var header = lines.Next();
            var tab = header.IndexOf('\t');
            if (tab < 0 || !header[..tab].SequenceEqual(DictionaryNames[d]))
            {
                throw new InvalidDataException("frequency-lists: unexpected dictionary header.");
            }

            var count = int.Parse(header[(tab + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            for (var rank = 1; rank <= count; rank++)
            {
                var line = lines.Next();
                var lookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
                if (!lookup.TryGetValue(line, out var id))
                {
                    id = words.Count;
                    words.Add(line.ToString(), id);
                    counts.Add(0);
                    maxLength = Math.Max(maxLength, line.Length);
                }

                // zxcvbn keeps the last rank when a list repeats a word; the lists have no repeats (checked by extract-data.js's output).
                counts[id]++;
                tupleWord.Add(id);
                tupleEntry.Add(((uint)d << 24) | (uint)rank);
            }
        }

        var start = new int[words.Count];
        for (int id = 1; id < start.Length; id++)
        {
            start[id] = start[id - 1] + counts[id - 1];
        }

        var filled = new byte[words.Count];
        var entries = new uint[tupleEntry.Count];
        for (int t = 0; t < tupleEntry.Count; t++)
        {
            var id = tupleWord[t];
            entries[start[id] + filled[id]++] = tupleEntry[t];
        }

        return new ZxcvbnData(words, start, filled, entries, maxLength, LoadGraphs());
    }

    private static string?[]?[][] LoadGraphs()
    {
        using var stream = OpenResource("adjacency-graphs.txt");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new LineReader(reader.ReadToEnd());
        var graphs = new string?[]?[GraphNames.Length][];
        for (var g = 0; g < GraphNames.Length; g++)
        {
            var header = lines.Next();
            var tab = header.IndexOf('\t');
            if (tab < 0 || !header[..tab].SequenceEqual(GraphNames[g]))
            {
                throw new InvalidDataException("adjacency-graphs: unexpected graph header.");
            }

            var count = int.Parse(header[(tab + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            var graph = new string?[]?[128];
            for (var k = 0; k < count; k++)
            {
                var parts = lines.Next().ToString().Split('\t');
                if (parts[0].Length != 1 || parts[0][0] >= 128)
                {
                    throw new InvalidDataException("adjacency-graphs: keys must be single ASCII characters.");
                }

                graph[parts[0][0]] = parts[1..].Select(p => p.Length == 0 ? null : p).ToArray();
            }

            graphs[g] = graph;
        }

        return graphs;
    }

    private static double CountKeys(string?[]?[] graph) => graph.Count(n => n is not null);

    private static double AverageDegree(string?[]?[] graph)
    {
        double total = 0;
        foreach (var neighbours in graph)
        {
            if (neighbours is not null)
            {
                total += neighbours.Count(n => n is not null);
            }
        }

        return total / CountKeys(graph);
    }

    private ref struct LineReader(string text)
    {
        private ReadOnlySpan<char> rest = text;

        public ReadOnlySpan<char> Next()
        {
            var newline = rest.IndexOf('\n');
            if (newline < 0)
            {
                throw new InvalidDataException("Embedded zxcvbn data ended early.");
            }

            var line = rest[..newline];
            rest = rest[(newline + 1)..];
            return line;
        }
    }
}
