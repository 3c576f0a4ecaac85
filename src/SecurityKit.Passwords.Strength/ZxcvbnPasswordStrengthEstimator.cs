using SecurityKit.Passwords.Strength.Estimation;

namespace SecurityKit.Passwords.Strength;

/// <summary>
/// A password strength estimator that implements the zxcvbn 4.4.2 model (Dropbox) in C#, so that a server
/// agrees with the zxcvbn meter most web front ends show: same matchers (dictionaries plain, reversed and
/// l33t; keyboard walks on qwerty, dvorak and keypads; repeats; sequences; recent years; dates), same
/// guess model and minimum-guesses search, same score thresholds and feedback.
/// </summary>
/// <remarks>
/// <para>The frequency lists and keyboard graphs (zxcvbn's data, MIT licence) are embedded and loaded once,
/// lazily and thread-safely, on the first estimate or on <see cref="Preload"/>.</para>
/// <para>Passwords longer than <see cref="PasswordStrengthOptions.MaxEstimatedLength"/> are estimated on
/// their prefix. User inputs longer than that cap cannot match and are ignored (which changes nothing).</para>
/// <para><b>Security:</b> the estimate is a heuristic of how a guessing attack would proceed, not a proof of
/// strength: combine it with a blocklist and a breached-password check, as the password policy of this package does.
/// Passwords never appear in results, exceptions or logs.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class ZxcvbnPasswordStrengthEstimator : IPasswordStrengthEstimator
{
    private readonly PasswordStrengthOptions options;
    private readonly TimeProvider timeProvider;

    /// <summary>Initializes a new instance with default options and the system clock.</summary>
    public ZxcvbnPasswordStrengthEstimator()
        : this(new PasswordStrengthOptions(), TimeProvider.System)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The options; they are copied.</param>
    /// <param name="timeProvider">The clock giving the reference year for dates.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its documented range.</exception>
    public ZxcvbnPasswordStrengthEstimator(PasswordStrengthOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEstimatedLength, PasswordStrengthOptions.MinimumMaxEstimatedLength, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxEstimatedLength, PasswordStrengthOptions.MaximumMaxEstimatedLength, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxUserInputs, nameof(options));
        this.options = new PasswordStrengthOptions
        {
            MaxEstimatedLength = options.MaxEstimatedLength,
            MaxUserInputs = options.MaxUserInputs,
            ReferenceYear = options.ReferenceYear,
        };
        this.timeProvider = timeProvider;
    }

    /// <summary>Gets whether the embedded dictionaries are loaded.</summary>
    public static bool IsLoaded => ZxcvbnData.IsLoaded;

    /// <summary>Loads the embedded dictionaries now (for example at startup) instead of on the first estimate. Idempotent and thread-safe.</summary>
    public static void Preload() => _ = ZxcvbnData.Instance;

    /// <inheritdoc />
    public PasswordStrength Estimate(string password, IEnumerable<string?>? userInputs = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        var max = options.MaxEstimatedLength;
        var truncated = password.Length > max;
        if (truncated)
        {
            var cut = char.IsHighSurrogate(password[max - 1]) ? max - 1 : max;
            password = password[..cut];
        }

        var year = options.ReferenceYear ?? timeProvider.GetLocalNow().Year;
        var data = ZxcvbnData.Instance;
        var matcher = new ZxcvbnMatcher(data, ZxcvbnMatcher.BuildUserInputs(userInputs?.Take(options.MaxUserInputs), max), year);
        var matches = matcher.Omnimatch(password);
        var analysis = ZxcvbnScoring.MostGuessableMatchSequence(password, matches, excludeAdditive: false, year);
        var score = ZxcvbnScoring.GuessesToScore(analysis.Guesses);
        var feedback = ZxcvbnFeedback.Get(score, analysis.Sequence);
        var sequence = new PasswordStrengthMatch[analysis.Sequence.Length];
        for (var k = 0; k < sequence.Length; k++)
        {
            var m = analysis.Sequence[k];
            sequence[k] = new PasswordStrengthMatch(ToPattern(m.Kind), m.I, m.Length, m.Guesses);
        }

        return new PasswordStrength(score, analysis.Guesses, ZxcvbnScoring.Log10(analysis.Guesses), feedback, sequence, password.Length, truncated);
    }

    private static PasswordPattern ToPattern(PatternKind kind) => kind switch
    {
        PatternKind.Dictionary => PasswordPattern.Dictionary,
        PatternKind.Spatial => PasswordPattern.Spatial,
        PatternKind.Repeat => PasswordPattern.Repeat,
        PatternKind.Sequence => PasswordPattern.Sequence,
        PatternKind.Regex => PasswordPattern.RecentYear,
        PatternKind.Date => PasswordPattern.Date,
        _ => PasswordPattern.Bruteforce,
    };
}
