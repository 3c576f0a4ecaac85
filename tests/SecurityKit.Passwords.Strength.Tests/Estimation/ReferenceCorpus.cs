using System.Text.Json;

namespace SecurityKit.Passwords.Strength.Tests.Estimation;

/// <summary>The zxcvbn 4.4.2 reference corpus produced by Reference/generate-corpus.js.</summary>
public sealed class ReferenceCorpus
{
    private static readonly Lazy<ReferenceCorpus> LazyInstance = new(Load);

    public static ReferenceCorpus Instance => LazyInstance.Value;

    public int ReferenceYear { get; private init; }

    public int Cap { get; private init; }

    public IReadOnlyList<Entry> Entries { get; private init; } = [];

    public sealed record Entry(string Category, string Password, string[]? UserInputs, int? EstimatedPrefixLength,
        int Score, double GuessesLog10, string Warning, string[] Suggestions, string Sequence);

    private static ReferenceCorpus Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", "zxcvbn-4.4.2-corpus.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        var entries = new List<Entry>();
        foreach (var e in root.GetProperty("entries").EnumerateArray())
        {
            entries.Add(new Entry(
                e.GetProperty("category").GetString()!,
                e.GetProperty("password").GetString()!,
                e.TryGetProperty("user_inputs", out var ui) ? ui.EnumerateArray().Select(x => x.GetString()!).ToArray() : null,
                e.TryGetProperty("estimated_prefix_length", out var pl) ? pl.GetInt32() : null,
                e.GetProperty("score").GetInt32(),
                e.GetProperty("guesses_log10").GetDouble(),
                e.GetProperty("warning").GetString()!,
                e.GetProperty("suggestions").EnumerateArray().Select(x => x.GetString()!).ToArray(),
                e.GetProperty("sequence").GetString()!));
        }

        return new ReferenceCorpus
        {
            ReferenceYear = root.GetProperty("reference_year").GetInt32(),
            Cap = root.GetProperty("estimated_length_cap").GetInt32(),
            Entries = entries,
        };
    }
}
