using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace SecurityKit.Passwords.Strength.Tests.Estimation;

public sealed class ReferenceCorpusTests(ITestOutputHelper output)
{
    private static ZxcvbnPasswordStrengthEstimator CreateEstimator(ReferenceCorpus corpus) =>
        new(new PasswordStrengthOptions { ReferenceYear = corpus.ReferenceYear, MaxEstimatedLength = corpus.Cap }, TimeProvider.System);

    [Fact]
    public void Estimate_ReferenceCorpus_AgreesWithZxcvbn442()
    {
        var corpus = ReferenceCorpus.Instance;
        var estimator = CreateEstimator(corpus);
        int scoreSame = 0, log10Close = 0, feedbackSame = 0;
        var report = new StringBuilder();
        var mismatches = 0;
        foreach (var e in corpus.Entries)
        {
            var r = estimator.Estimate(e.Password, e.UserInputs);
            var scoreOk = r.Score == e.Score;
            var log10Ok = Math.Abs(r.GuessesLog10 - e.GuessesLog10) <= 0.01;
            var feedbackOk = r.Feedback.WarningText == e.Warning && r.Feedback.SuggestionTexts.SequenceEqual(e.Suggestions);
            scoreSame += scoreOk ? 1 : 0;
            log10Close += log10Ok ? 1 : 0;
            feedbackSame += feedbackOk ? 1 : 0;
            if ((!scoreOk || !log10Ok || !feedbackOk) && mismatches++ < 60)
            {
                report.AppendLine(CultureInfo.InvariantCulture,
                    $"[{e.Category}] {Escape(e.Password)}: score {r.Score} vs {e.Score}, log10 {r.GuessesLog10:F4} vs {e.GuessesLog10:F4}, " +
                    $"warning '{r.Feedback.WarningText}' vs '{e.Warning}', ours {Describe(r)} vs zxcvbn {e.Sequence}");
            }
        }

        var n = corpus.Entries.Count;
        output.WriteLine($"corpus {n} entries: score identical {scoreSame} ({100.0 * scoreSame / n:F2}%), " +
            $"guesses_log10 within 0.01 {log10Close} ({100.0 * log10Close / n:F2}%), feedback identical {feedbackSame} ({100.0 * feedbackSame / n:F2}%)");
        output.WriteLine(report.ToString());

        n.Should().BeGreaterThanOrEqualTo(2000);
        mismatches.Should().Be(0, "every entry must agree with zxcvbn 4.4.2 (score, guesses within 0.01 in log10, feedback):\n" + report);
    }

    private static string Describe(PasswordStrength r) =>
        string.Join(' ', r.Sequence.Select(m => $"{m.Pattern}:{m.Start}-{m.Start + m.Length - 1}"));

    private static string Escape(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.Length > 80 ? s[..80] + "…" : s)
        {
            sb.Append(c < ' ' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return sb.ToString();
    }
}
