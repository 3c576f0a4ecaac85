using System.Globalization;
using System.Text;
using SecurityKit.Events;

namespace SecurityKit.Passwords.Strength;

/// <summary>
/// The password policy of NIST SP 800-63B rev. 4 and OWASP ASVS 5, with a zxcvbn 4.4.2-compatible score:
/// minimum length (15, or 8 with MFA) counted in Unicode code points, a maximum of at least 64, no
/// composition rules unless enabled, a blocklist of common passwords, context words, a minimum score and,
/// optionally, a breached-password check.
/// </summary>
/// <remarks>
/// <para>Every failed rule is reported, not only the first, so a form can show them all.</para>
/// <para><b>Security:</b> the password never appears in results, events or exceptions. Length is
/// counted in code points (<see cref="Rune"/>). Every rule judges the password after the NFKC normalisation
/// SecurityKit.Passwords applies before hashing (the password that will be stored); the minimum length is also
/// checked on the string as typed, and the smaller count wins.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class PasswordPolicy : IPasswordPolicy
{
    private readonly PasswordPolicyOptions options;
    private readonly IPasswordStrengthEstimator estimator;
    private readonly IBreachedPasswordChecker? breachedChecker;
    private readonly SecurityEventPublisher events;
    private readonly HashSet<string> additionalBlocked;
    private readonly string[] contextWords;

    /// <summary>Initializes a new instance with the default (NIST) options, the zxcvbn estimator and no breach check.</summary>
    public PasswordPolicy()
        : this(new PasswordPolicyOptions(), new ZxcvbnPasswordStrengthEstimator(), null, null)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The options; validated here with the same rules as at startup.</param>
    /// <param name="estimator">The strength estimator.</param>
    /// <param name="breachedChecker">The breach checker used by <see cref="EvaluateAsync"/> when <see cref="PasswordPolicyOptions.CheckBreachedPasswords"/> is on; may be null.</param>
    /// <param name="events">Where to publish events; null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="estimator"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid or weaker than NIST without the DangerZone switch; the message says what to set.</exception>
    public PasswordPolicy(PasswordPolicyOptions options, IPasswordStrengthEstimator estimator, IBreachedPasswordChecker? breachedChecker = null, SecurityEventPublisher? events = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(estimator);

        // Validate and keep a private copy: changing the caller's object later cannot weaken the policy in force.
        options = options.Clone();
        var errors = PasswordPolicyOptionsValidator.GetErrors(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        if (options.CheckBreachedPasswords && breachedChecker is null)
        {
            throw new ArgumentException("PasswordPolicyOptions.CheckBreachedPasswords is on but no IBreachedPasswordChecker was given.", nameof(breachedChecker));
        }

        this.options = options;
        this.estimator = estimator;
        this.breachedChecker = breachedChecker;
        this.events = events ?? SecurityEventPublisher.None;
        // Normalised like the password (NFKC), or a decomposed "cafe\u0301" entry would never meet "café".
        additionalBlocked = new HashSet<string>(options.AdditionalBlockedPasswords.Where(p => p is not null).Select(Nfkc), StringComparer.OrdinalIgnoreCase);
        contextWords = options.ContextWords.Where(w => !string.IsNullOrWhiteSpace(w)).Select(w => Nfkc(w.Trim())).ToArray();
    }

    /// <summary>Gets a copy of the options in force (changing it does not change this policy).</summary>
    public PasswordPolicyOptions Options => options.Clone();

    /// <inheritdoc />
    public PasswordPolicyResult Evaluate(string password, PasswordPolicyContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        var (failures, length, strength) = EvaluateOffline(NormalizeLikeTheHasher(password), password, context);
        var result = new PasswordPolicyResult(failures, length, strength, null);
        PublishRejection(result, context);
        return result;
    }

    /// <inheritdoc />
    public async ValueTask<PasswordPolicyResult> EvaluateAsync(string password, PasswordPolicyContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        var (failures, length, strength) = EvaluateOffline(NormalizeLikeTheHasher(password), password, context);
        long? count = null;
        // Only a password every other rule accepts is checked: a rejected one gains nothing from it, and each check sends a
        // hash prefix of the password to the breach service (and, failing closed, an outage adds a second refusal).
        if (options.CheckBreachedPasswords && breachedChecker is not null && failures.Count == 0)
        {
            BreachCheckResult breach;
            try
            {
                breach = await breachedChecker.CheckAsync(NormalizeLikeTheHasher(password), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The contract says a checker reports an outage as a result; one that throws instead (a host's own) fails
                // closed here with the same typed failure, not an exception out of the policy, and says so: every
                // password is refused while it throws. The exception's type only (its message could hold anything).
                events.Publish(PasswordStrengthEventNames.BreachCheckUnavailable, SecurityEventSeverity.Warning, userId: context?.UserId, reason: "checker_threw",
                    properties: [new("mode", "fail_closed"), new("exception", ex.GetType().Name)]);
                breach = new BreachCheckResult(BreachCheckStatus.Unavailable, 0, IsRejected: true);
            }

            switch (breach.Status)
            {
                case BreachCheckStatus.Breached:
                    count = breach.Count;
                    failures.Add(new PasswordRuleFailure(PasswordRuleCode.Breached,
                        "This password has appeared in a data breach and must not be used. Choose a different one."));
                    break;
                case BreachCheckStatus.NotBreached:
                    count = breach.Count;
                    break;
                default:
                    if (breach.IsRejected)
                    {
                        failures.Add(new PasswordRuleFailure(PasswordRuleCode.BreachCheckUnavailable,
                            "The password could not be checked against known breaches right now. Please try again later."));
                    }

                    break;
            }
        }

        var result = new PasswordPolicyResult(failures, length, strength, count);
        PublishRejection(result, context);
        return result;
    }

    /// <summary>
    /// Applies the NFKC normalisation SecurityKit.Passwords applies before hashing, so the policy judges the
    /// password that will actually be stored: a full-width "ｐａｓｓｗｏｒｄ…" must meet the blocklist, zxcvbn
    /// and the breach check as the ASCII "password…" it becomes.
    /// </summary>
    private string NormalizeLikeTheHasher(string password) =>
        // Beyond this size the password fails TooLong anyway; do not spend time normalising it.
        password.Length > (options.MaximumLength * 4) + 16 ? password : Nfkc(password);

    private static string Nfkc(string text)
    {
        try
        {
            return text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Lone surrogates: reported as InvalidCharacters by the code-point scan.
            return text;
        }
    }

    /// <summary>Counts code points up to <paramref name="limit"/>.</summary>
    private static int CountCodePoints(string text, int limit)
    {
        var count = 0;
        for (var index = 0; index < text.Length && count < limit; count++)
        {
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
        }

        return count;
    }

    private (List<PasswordRuleFailure> Failures, int Length, PasswordStrength Strength) EvaluateOffline(string password, string typed, PasswordPolicyContext? context)
    {
        var failures = new List<PasswordRuleFailure>();
        var words = CollectContextWords(context);

        // Count code points, but stop early: a huge input costs no more than the maximum allows.
        var length = 0;
        bool hasLower = false, hasUpper = false, hasDigit = false, hasSymbol = false, invalid = false;
        var limit = options.MaximumLength + 1;
        for (var index = 0; index < password.Length && length < limit;)
        {
            if (Rune.DecodeFromUtf16(password.AsSpan(index), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                invalid = true;
            }
            else if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Control)
            {
                invalid = true;
            }
            else if (Rune.IsLower(rune))
            {
                hasLower = true;
            }
            else if (Rune.IsUpper(rune))
            {
                hasUpper = true;
            }
            else if (Rune.IsDigit(rune))
            {
                hasDigit = true;
            }
            else if (!Rune.IsLetter(rune))
            {
                hasSymbol = true;
            }

            length++;
            index += Math.Max(consumed, 1);
        }

        var multiFactor = context?.UsesMultiFactor ?? options.MultiFactorRequired;
        var minimum = multiFactor ? options.MinimumLengthWithMultiFactor : options.MinimumLength;
        // The minimum applies to what was typed too: NFKC expands some characters (U+FDFA is 18 code points), and one
        // typed character must not meet a length rule.
        if (Math.Min(length, CountCodePoints(typed, minimum)) < minimum)
        {
            failures.Add(new PasswordRuleFailure(PasswordRuleCode.TooShort,
                string.Create(CultureInfo.InvariantCulture, $"Use at least {minimum} characters.")));
        }

        var tooLong = length > options.MaximumLength;
        if (tooLong)
        {
            failures.Add(new PasswordRuleFailure(PasswordRuleCode.TooLong,
                string.Create(CultureInfo.InvariantCulture, $"Use at most {options.MaximumLength} characters.")));
        }

        if (invalid)
        {
            failures.Add(new PasswordRuleFailure(PasswordRuleCode.InvalidCharacters,
                "Remove control characters and invalid Unicode from the password."));
        }

        if (!tooLong)
        {
            if (options.BlockCommonPasswords && (CommonPasswordBlocklist.Contains(password) || additionalBlocked.Contains(password)))
            {
                failures.Add(new PasswordRuleFailure(PasswordRuleCode.CommonPassword,
                    "This is a commonly used password. Choose one that is harder to guess."));
            }

            if (options.RejectContextWords)
            {
                foreach (var word in words)
                {
                    if (word.Length >= options.MinimumContextWordLength && password.Contains(word, StringComparison.OrdinalIgnoreCase))
                    {
                        failures.Add(new PasswordRuleFailure(PasswordRuleCode.ContainsContextWord,
                            "Do not use your name, user name, e-mail address or the name of this service in your password."));
                        break;
                    }
                }
            }

            AddComposition(failures, options.RequireLowercase && !hasLower, PasswordRuleCode.MissingLowercase, "Add a lower-case letter.");
            AddComposition(failures, options.RequireUppercase && !hasUpper, PasswordRuleCode.MissingUppercase, "Add an upper-case letter.");
            AddComposition(failures, options.RequireDigit && !hasDigit, PasswordRuleCode.MissingDigit, "Add a digit.");
            AddComposition(failures, options.RequireSymbol && !hasSymbol, PasswordRuleCode.MissingSymbol, "Add a symbol.");
        }

        var strength = estimator.Estimate(password, words);
        if (strength.Score < options.MinimumScore)
        {
            var warning = strength.Feedback.WarningText;
            failures.Add(new PasswordRuleFailure(PasswordRuleCode.TooGuessable,
                warning.Length > 0 ? "This password is too easy to guess: " + warning + "." : "This password is too easy to guess. Add another word or two."));
        }

        return (failures, length, strength);
    }

    private static void AddComposition(List<PasswordRuleFailure> failures, bool failed, PasswordRuleCode code, string message)
    {
        if (failed)
        {
            failures.Add(new PasswordRuleFailure(code, message));
        }
    }

    private List<string> CollectContextWords(PasswordPolicyContext? context)
    {
        // The user's own words first, the service's after: the estimator reads at most MaxUserInputs of them (64), and with
        // the service's list first, 64 of those left the user's name and e-mail out of the estimate (found in review).
        var words = new List<string>();
        if (context is null)
        {
            words.AddRange(contextWords);
            return words;
        }

        // Bounded before any splitting or normalisation (the context comes from a form; found in review: a display name
        // of megabytes became millions of NFKC-normalised words before the password's own length was checked).
        AddWord(words, context.UserName);
        if (!string.IsNullOrWhiteSpace(context.Email) && context.Email.Length <= PasswordPolicyContext.MaxFieldLength)
        {
            AddWord(words, context.Email);
            var at = context.Email.LastIndexOf('@');
            if (at > 0)
            {
                AddWord(words, context.Email[..at]);
                foreach (var part in context.Email[..at].Split(['.', '_', '-', '+'], StringSplitOptions.RemoveEmptyEntries))
                {
                    AddWord(words, part);
                }

                foreach (var label in context.Email[(at + 1)..].Split('.'))
                {
                    AddWord(words, label);
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(context.DisplayName) && context.DisplayName.Length <= PasswordPolicyContext.MaxFieldLength)
        {
            AddWord(words, context.DisplayName);
            foreach (var part in context.DisplayName.Split([' ', '\t', '-', '.', ','], StringSplitOptions.RemoveEmptyEntries))
            {
                AddWord(words, part);
            }
        }

        foreach (var word in context.AdditionalWords.Take(PasswordPolicyContext.MaxAdditionalWords))
        {
            AddWord(words, word);
        }

        words.AddRange(contextWords);
        return words;
    }

    private static void AddWord(List<string> words, string? word)
    {
        if (!string.IsNullOrWhiteSpace(word) && word.Length <= PasswordPolicyContext.MaxFieldLength)
        {
            words.Add(Nfkc(word.Trim()));
        }
    }

    private void PublishRejection(PasswordPolicyResult result, PasswordPolicyContext? context)
    {
        if (result.IsAcceptable || !events.IsEnabled)
        {
            return;
        }

        events.Publish(PasswordStrengthEventNames.PolicyRejected, SecurityEventSeverity.Information,
            userId: context?.UserId,
            reason: result.Failures[0].CodeName, // one stable code (it is a metric tag); every code is in "codes"
            properties: [new("score", result.Score.ToString(CultureInfo.InvariantCulture)), new("codes", string.Join(",", result.Failures.Select(f => f.CodeName)))]);
    }
}
