using System.Text.Json;
using SecurityKit.Passwords.Strength.Estimation;

namespace SecurityKit.Passwords.Strength.Tests.Estimation;

/// <summary>
/// <see cref="ZxcvbnMatcher.LowerJs"/> against JavaScript's own <c>toLowerCase</c> (Reference/generate-lowercase-cases.js):
/// the final-sigma rule in every kind of context and next to the boundaries of every range of characters that are cased
/// without being Lu/Ll/Lt, U+0130, surrogate pairs and lone surrogates. The reference corpus covers the estimates; this
/// covers the mapping itself (mutation testing found its boundaries unpinned).
/// </summary>
public sealed class JavaScriptLowerCaseTests
{
    [Fact]
    public void LowerJs_AgreesWithJavaScriptToLowerCase()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", "lowercase-cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToList();
        cases.Should().HaveCountGreaterThan(300);
        var failures = new List<string>();
        foreach (var c in cases)
        {
            var input = Text(c.GetProperty("input"));
            var lowered = ZxcvbnMatcher.LowerJs(input);
            if (c.GetProperty("whole").GetBoolean())
            {
                var expected = Text(c.GetProperty("output"));
                if (lowered != expected)
                {
                    failures.Add($"{Hex(input)} -> {Hex(lowered)}, JavaScript {Hex(expected)}");
                }
            }
            else
            {
                // Only the sigma: the other character's own mapping may be newer than this runtime's Unicode tables.
                var sigma = c.GetProperty("sigma").GetInt32();
                var expected = (char)c.GetProperty("output").GetInt32();
                var offset = lowered.Length - input.Length; // U+0130 is never in these inputs; lengths match
                if (offset != 0 || lowered[sigma] != expected)
                {
                    failures.Add($"{Hex(input)}: sigma -> U+{(int)lowered[sigma]:X4}, JavaScript U+{(int)expected:X4}");
                }
            }
        }

        failures.Should().BeEmpty();
    }

    private static string Text(JsonElement units) => new([.. units.EnumerateArray().Select(u => (char)u.GetInt32())]);

    private static string Hex(string s) => string.Join(' ', s.Select(ch => ((int)ch).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)));
}
