using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Passwords.Strength.DangerZone;

namespace SecurityKit.Passwords.Strength.Tests.Policy;

public sealed class PasswordPolicyTests
{
    private const string Strong = "glacier orbit tangerine violin";

    private static PasswordPolicy Create(Action<PasswordPolicyOptions>? configure = null, IBreachedPasswordChecker? checker = null)
    {
        var options = new PasswordPolicyOptions();
        options.Strength.ReferenceYear = 2026;
        configure?.Invoke(options);
        return new PasswordPolicy(options, new ZxcvbnPasswordStrengthEstimator(options.Strength, TimeProvider.System), checker);
    }

    [Fact]
    public void Evaluate_Rejected_EventCarriesTheHostsUserIdNeverTheTypedUserName()
    {
        var sink = new CollectingSink();
        var options = new PasswordPolicyOptions();
        options.Strength.ReferenceYear = 2026;
        var policy = new PasswordPolicy(options, new ZxcvbnPasswordStrengthEstimator(options.Strength, TimeProvider.System), events: new SecurityKit.Events.SecurityEventPublisher([sink], TimeProvider.System));

        policy.Evaluate("short", new PasswordPolicyContext { UserName = "alice@example.com", UserId = "u-42" }).IsAcceptable.Should().BeFalse();
        policy.Evaluate("short", new PasswordPolicyContext { UserName = "alice@example.com" }).IsAcceptable.Should().BeFalse();

        sink.Events.Select(e => e.UserId).Should().Equal("u-42", null);
        sink.Events.Should().OnlyContain(e => !e.ToString().Contains("alice", StringComparison.Ordinal));
        // The reason is one stable code (it becomes a metric tag); every failed rule is in the "codes" property.
        sink.Events.Should().OnlyContain(e => e.Reason == "too_short" && e.Properties!.Any(p => p.Key == "codes" && p.Value!.StartsWith("too_short", StringComparison.Ordinal)));
    }

    private sealed class CollectingSink : SecurityKit.Events.ISecurityEventSink
    {
        public List<SecurityKit.Events.SecurityEvent> Events { get; } = [];

        public void Handle(SecurityKit.Events.SecurityEvent securityEvent) => Events.Add(securityEvent);
    }

    [Fact]
    public void Constructor_KeepsACopy_ChangingTheCallersOptionsLaterCannotWeakenThePolicy()
    {
        var options = new PasswordPolicyOptions();
        options.Strength.ReferenceYear = 2026;
        options.AdditionalBlockedPasswords.Add("glacier orbit tangerine violin");
        var policy = new PasswordPolicy(options, new ZxcvbnPasswordStrengthEstimator(options.Strength, TimeProvider.System));

        // After validation the caller (or a reloaded configuration object) changes the options it passed in.
        options.AllowWeakerThanNist();
        options.MinimumLength = 1;
        options.MinimumScore = 0;
        options.BlockCommonPasswords = false;
        options.AdditionalBlockedPasswords.Clear();

        policy.Evaluate("abc").Failures.Select(f => f.Code).Should().Contain(PasswordRuleCode.TooShort);
        policy.Evaluate(Strong).Failures.Select(f => f.Code).Should().Contain(PasswordRuleCode.CommonPassword, "the blocklist entry was copied");
        policy.Options.MinimumLength.Should().Be(PasswordPolicyOptions.NistMinimumLength);

        var copy = policy.Options;
        copy.MinimumLength = 1;
        copy.ContextWords.Add("x");
        policy.Options.MinimumLength.Should().Be(PasswordPolicyOptions.NistMinimumLength, "Options returns a copy");
        policy.Options.ContextWords.Should().BeEmpty();
        policy.Options.Should().NotBeSameAs(policy.Options);
    }

    [Fact]
    public void Options_BindFromConfiguration_IntoNestedOptionsAndLists()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Policy:MinimumScore"] = "4",
            ["Policy:AdditionalBlockedPasswords:0"] = "acme-winter-2026",
            ["Policy:ContextWords:0"] = "acme",
            ["Policy:Strength:ReferenceYear"] = "2030",
            ["Policy:BreachCheck:MinimumBreachCount"] = "5",
        }).Build();
        var options = new PasswordPolicyOptions();

        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection("Policy"), options);

        options.MinimumScore.Should().Be(4);
        options.AdditionalBlockedPasswords.Should().Equal("acme-winter-2026");
        options.ContextWords.Should().Equal("acme");
        options.Strength.ReferenceYear.Should().Be(2030);
        options.BreachCheck.MinimumBreachCount.Should().Be(5);
        new PasswordPolicy(options, new ZxcvbnPasswordStrengthEstimator(options.Strength, TimeProvider.System)).Options.ContextWords.Should().Equal("acme");
    }

    [Fact]
    public void Evaluate_StrongPassphrase_IsAcceptable()
    {
        var result = Create().Evaluate(Strong);

        result.IsAcceptable.Should().BeTrue();
        result.Failures.Should().BeEmpty();
        result.Score.Should().BeGreaterThanOrEqualTo(3);
        result.Length.Should().Be(Strong.Length);
    }

    [Fact]
    public void Evaluate_FourteenCharacters_TooShortForSingleFactor()
    {
        var result = Create().Evaluate("Xq7#vL9!mZ2@pR");

        result.Failures.Select(f => f.Code).Should().Equal(PasswordRuleCode.TooShort);
        result.Failures[0].CodeName.Should().Be("too_short");
        result.Failures[0].Message.Should().Contain("15");
    }

    [Fact]
    public void Evaluate_EightCharactersWithMultiFactor_LengthAccepted()
    {
        var policy = Create(o => o.MinimumScore = 0);

        policy.Evaluate("Xq7#vL9!", new PasswordPolicyContext { UsesMultiFactor = true }).IsAcceptable.Should().BeTrue();
        policy.Evaluate("Xq7#vL9", new PasswordPolicyContext { UsesMultiFactor = true }).HasFailure(PasswordRuleCode.TooShort).Should().BeTrue();
        policy.Evaluate("Xq7#vL9!").HasFailure(PasswordRuleCode.TooShort).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_MultiFactorRequiredOption_AppliesShorterMinimum()
    {
        var policy = Create(o => { o.MultiFactorRequired = true; o.MinimumScore = 0; });

        policy.Evaluate("Xq7#vL9!").IsAcceptable.Should().BeTrue();
        policy.Evaluate("Xq7#vL9!", new PasswordPolicyContext { UsesMultiFactor = false }).HasFailure(PasswordRuleCode.TooShort).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_LengthCountsCodePointsNotUtf16Units()
    {
        var policy = Create(o => o.MinimumScore = 0);
        var fourteenEmoji = string.Concat(Enumerable.Repeat("🔒", 14)); // 28 UTF-16 units
        var fifteenEmoji = string.Concat(Enumerable.Repeat("🔒", 15));

        policy.Evaluate(fourteenEmoji).HasFailure(PasswordRuleCode.TooShort).Should().BeTrue();
        policy.Evaluate(fourteenEmoji).Length.Should().Be(14);
        policy.Evaluate(fifteenEmoji).HasFailure(PasswordRuleCode.TooShort).Should().BeFalse();
    }

    [Fact]
    public void Evaluate_SixtyFourCharacters_Accepted()
    {
        var password = "tangerine violin glacier orbit mosaic lantern harbor quietly 1234"[..64];

        Create().Evaluate(password).IsAcceptable.Should().BeTrue();
    }

    [Fact]
    public void Evaluate_AboveMaximum_TooLongAndBounded()
    {
        var result = Create().Evaluate(new string('k', 1_000_000));

        result.HasFailure(PasswordRuleCode.TooLong).Should().BeTrue();
        result.Length.Should().Be(257);
    }

    [Theory]
    [InlineData("password1234567890")]
    [InlineData("PASSWORD1234567890")]
    [InlineData("PassWord1234567890")]
    public void Evaluate_CommonPasswordAnyCase_Blocklisted(string password)
    {
        CommonPasswordBlocklist.Contains("password1234567890").Should().BeFalse("precondition: check the list itself below");
        var policy = Create(o => o.AdditionalBlockedPasswords.Add("password1234567890"));

        policy.Evaluate(password).HasFailure(PasswordRuleCode.CommonPassword).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_FullWidthCommonPassword_JudgedAsTheNfkcFormTheHasherStores()
    {
        // A full-width IME sends "ｐａｓｓｗｏｒｄ１２３４５６７８９０"; SecurityKit.Passwords stores its NFKC form,
        // "password1234567890", which an attacker can type in ASCII. The policy must judge that form.
        var policy = Create(o => o.AdditionalBlockedPasswords.Add("password1234567890"));
        var fullWidth = string.Concat("password1234567890".Select(c => (char)(c + 0xFEE0)));

        var result = policy.Evaluate(fullWidth);

        result.HasFailure(PasswordRuleCode.CommonPassword).Should().BeTrue();
        result.Strength.Score.Should().Be(policy.Evaluate("password1234567890").Strength.Score);
    }

    [Fact]
    public void StrengthToString_DoesNotRevealADictionaryRank()
    {
        var strength = new ZxcvbnPasswordStrengthEstimator().Estimate("password");
        strength.ToString().Should().Contain("~10^0").And.NotContain("0.48", "the exact log10 of a ranked word reveals the word");
    }

    [Fact]
    public void Blocklist_HasAtLeastTenThousandEntries_CaseInsensitive()
    {
        CommonPasswordBlocklist.Count.Should().BeGreaterThanOrEqualTo(10_000);
        CommonPasswordBlocklist.Contains("iloveyou").Should().BeTrue();
        CommonPasswordBlocklist.Contains("ILoveYou").Should().BeTrue();
        CommonPasswordBlocklist.Contains("iloveyou and more words").Should().BeFalse();
    }

    [Fact]
    public void Options_MultiFactorRequired_DoesNotExemptTheSingleFactorMinimum()
    {
        // MinimumLength = 8 passed startup when MultiFactorRequired was set, and an account without MFA (a context saying
        // so) then got 8 characters (found in review).
        FluentActions.Invoking(() => Create(o => { o.MultiFactorRequired = true; o.MinimumLength = 8; }))
            .Should().Throw<ArgumentException>().WithMessage("*MinimumLength 8*15*MinimumLengthWithMultiFactor*");

        var policy = Create(o => { o.MultiFactorRequired = true; o.MinimumScore = 0; });
        policy.Evaluate("vT9#qLm2xR").HasFailure(PasswordRuleCode.TooShort).Should().BeFalse("10 characters with MFA (the option)");
        policy.Evaluate("vT9#qLm2xR", new PasswordPolicyContext { UsesMultiFactor = false }).HasFailure(PasswordRuleCode.TooShort).Should().BeTrue("an account without MFA gets 15");
    }

    [Fact]
    public void Evaluate_LongCommonPassword_BlocklistedWholePasswordOnly()
    {
        var policy = Create(o => { o.MultiFactorRequired = true; o.MinimumScore = 0; });

        policy.Evaluate("Trustno1").HasFailure(PasswordRuleCode.CommonPassword).Should().BeTrue();
        policy.Evaluate("Trustno1 in a longer sentence").HasFailure(PasswordRuleCode.CommonPassword).Should().BeFalse();
    }

    [Fact]
    public void Evaluate_ContainsUserNameOrEmail_ContextWordFailure()
    {
        var context = new PasswordPolicyContext { UserName = "mkowalski", Email = "marta.kowalski@contoso.com", DisplayName = "Marta Kowalski" };
        var policy = Create();

        policy.Evaluate("violin glacier MKOWALSKI orbit", context).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue();
        policy.Evaluate("violin glacier contoso orbit", context).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue();
        policy.Evaluate("violin glacier Kowalski orbit", context).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue();
        policy.Evaluate(Strong, context).IsAcceptable.Should().BeTrue();
    }

    [Fact]
    public void Evaluate_HugeContext_IsBoundedBeforeSplitting()
    {
        // The context comes from a form: a display name of megabytes was split and NFKC-normalised into millions of words
        // before the password's own length was checked (found in review). Oversized fields are not used at all, and only
        // the first 64 additional words are.
        var policy = Create();
        var huge = new PasswordPolicyContext { DisplayName = string.Join(' ', Enumerable.Repeat("zephyr", 400_000)), Email = new string('a', 300) + "@zephyr.example" };
        huge.AdditionalWords.Add(new string('x', PasswordPolicyContext.MaxFieldLength + 1));
        for (var i = 1; i < PasswordPolicyContext.MaxAdditionalWords; i++)
        {
            huge.AdditionalWords.Add("filler" + i);
        }

        huge.AdditionalWords.Add("quokka"); // the 65th word: just beyond the cap

        policy.Evaluate(Strong); // warm up: the zxcvbn data and the blocklist load on first use
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var result = policy.Evaluate(Strong + " zephyr quokka", huge);
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(4_000_000, "the 2.8 MB display name is never split");
        result.HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeFalse("neither the oversized fields nor the words beyond the cap are used");

        var bounded = new PasswordPolicyContext { DisplayName = new string('x', PasswordPolicyContext.MaxFieldLength - 7) + " Zephyr" };
        bounded.AdditionalWords.Add(new string('y', PasswordPolicyContext.MaxFieldLength));
        bounded.AdditionalWords.Add("quokka");
        policy.Evaluate(Strong + " zephyr", bounded).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue("a display name of exactly 256 characters is used");
        policy.Evaluate(Strong + " quokka", bounded).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue("the second additional word is used");
        var edge = new PasswordPolicyContext { DisplayName = new string('x', PasswordPolicyContext.MaxFieldLength - 6) + " Zephyr", Email = new string('a', PasswordPolicyContext.MaxFieldLength - 15) + "@zephyr.example" };
        policy.Evaluate(Strong + " zephyr", edge).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue("a 256-character e-mail address is used");
        edge.Email = "a" + edge.Email;
        policy.Evaluate(Strong + " zephyr", edge).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeFalse("a 257-character display name and e-mail address are not");
    }

    [Fact]
    public void Evaluate_ContextWordsAndBlockedEntries_ComparedAfterNfkcLikeThePassword()
    {
        // A decomposed display name (as macOS sources send it) or blocklist entry must still meet the composed password.
        var policy = Create(o => o.AdditionalBlockedPasswords.Add("cafe\u0301contoso2024"));
        var context = new PasswordPolicyContext { DisplayName = "Ange\u0301lique Dubois" };

        policy.Evaluate("angélique violin glacier orbit", context).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue();
        Create(o => { o.AdditionalBlockedPasswords.Add("cafe\u0301contoso2024"); o.MinimumScore = 0; o.MultiFactorRequired = true; })
            .Evaluate("cafécontoso2024").HasFailure(PasswordRuleCode.CommonPassword).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_EmailLocalPartSplit_EachNameIsAContextWord()
    {
        var context = new PasswordPolicyContext { Email = "marta.kowalski+news@contoso.com" };
        var policy = Create();

        policy.Evaluate("violin glacier Kowalski orbit", context).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue();
        policy.Evaluate("violin glacier marta orbit tune", context).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_OneCharacterThatNfkcExpands_StillTooShort()
    {
        // U+FDFA is one typed character and 18 code points after NFKC.
        Create().Evaluate("\uFDFA").HasFailure(PasswordRuleCode.TooShort).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_ApplicationContextWord_Rejected()
    {
        var policy = Create(o => o.ContextWords.Add("SecurityKit"));

        policy.Evaluate("my securitykit password is long").HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_ContextWords_LowerTheScore()
    {
        var policy = Create(o => o.RejectContextWords = false);
        const string password = "marta.kowalski1987!";
        var context = new PasswordPolicyContext { Email = "marta.kowalski@contoso.com" };

        policy.Evaluate(password, context).Guesses.Should().BeLessThan(policy.Evaluate(password).Guesses);
    }

    [Fact]
    public void Evaluate_CompositionRulesOffByDefault()
    {
        Create().Evaluate("glacier orbit tangerine violin").Failures.Should().BeEmpty();
    }

    [Fact]
    public void Evaluate_CompositionRulesOptIn_EachReported()
    {
        var policy = Create(o => { o.RequireLowercase = o.RequireUppercase = o.RequireDigit = o.RequireSymbol = true; });

        policy.Evaluate("glaciertangerineviolinorbit").Failures.Select(f => f.Code)
            .Should().BeEquivalentTo([PasswordRuleCode.MissingUppercase, PasswordRuleCode.MissingDigit, PasswordRuleCode.MissingSymbol]);
        policy.Evaluate("GLACIERTANGERINEVIOLIN7!").HasFailure(PasswordRuleCode.MissingLowercase).Should().BeTrue();
        policy.Evaluate("Glacier orbit tangerine violin 7").IsAcceptable.Should().BeTrue();
    }

    [Fact]
    public void Evaluate_GuessableButLong_TooGuessableWithWarning()
    {
        var result = Create().Evaluate("aaaaaaaaaaaaaaaaaaaa");

        result.Failures.Select(f => f.Code).Should().Equal(PasswordRuleCode.TooGuessable);
        result.Failures[0].Message.Should().Contain("Repeats");
        result.Score.Should().BeLessThan(3);
    }

    [Fact]
    public void Evaluate_MinimumScoreConfigurable()
    {
        const string password = "summer holidays";
        var score = Create(o => o.MinimumScore = 0).Evaluate(password).Score;
        score.Should().BeInRange(1, 3, "precondition: a middling password");
        var lenient = Create(o => o.MinimumScore = score);
        var strict = Create(o => o.MinimumScore = score + 1);

        lenient.Evaluate(password).HasFailure(PasswordRuleCode.TooGuessable).Should().BeFalse();
        strict.Evaluate(password).HasFailure(PasswordRuleCode.TooGuessable).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_ControlCharacterOrLoneSurrogate_InvalidCharacters()
    {
        var policy = Create();

        policy.Evaluate("glacier orbit\u0007tangerine violin").HasFailure(PasswordRuleCode.InvalidCharacters).Should().BeTrue();
        policy.Evaluate("glacier orbit \ud800 tangerine violin").HasFailure(PasswordRuleCode.InvalidCharacters).Should().BeTrue();
    }

    [Fact]
    public void Evaluate_EveryFailureReported()
    {
        var result = Create(o => o.RequireDigit = true).Evaluate("iloveyou");

        result.Failures.Select(f => f.Code).Should().Equal(
            PasswordRuleCode.TooShort, PasswordRuleCode.CommonPassword, PasswordRuleCode.MissingDigit, PasswordRuleCode.TooGuessable);
        result.ToString().Should().NotContain("iloveyou").And.Contain("too_short");
    }

    [Theory]
    [InlineData(14, 8, 64, true)]
    [InlineData(15, 7, 64, true)]
    [InlineData(15, 8, 63, true)]
    [InlineData(15, 8, 64, false)]
    public void Validator_BelowNistFloor_FailsWithMessage(int min, int minMfa, int max, bool fails)
    {
        var options = new PasswordPolicyOptions { MinimumLength = min, MinimumLengthWithMultiFactor = minMfa, MaximumLength = max };

        var result = new PasswordPolicyOptionsValidator().Validate(null, options);

        result.Failed.Should().Be(fails);
        if (fails)
        {
            result.FailureMessage.Should().Contain("AllowWeakerThanNist");
        }
    }

    [Fact]
    public void Validator_BlocklistOff_FailsUnlessDangerZone()
    {
        var options = new PasswordPolicyOptions { BlockCommonPasswords = false };
        new PasswordPolicyOptionsValidator().Validate(null, options).Failed.Should().BeTrue();

        options.AllowWeakerThanNist();
        new PasswordPolicyOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validator_DangerZone_AllowsShortPolicy()
    {
        var options = new PasswordPolicyOptions { MinimumLength = 6, MinimumLengthWithMultiFactor = 6, MaximumLength = 32 }.AllowWeakerThanNist();

        new PasswordPolicyOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public void Validator_ScoreOutOfRange_Fails(int score)
    {
        new PasswordPolicyOptionsValidator().Validate(null, new PasswordPolicyOptions { MinimumScore = score }).Failed.Should().BeTrue();
    }

    [Fact]
    public void Constructor_WeakOptions_Throws()
    {
        var act = () => new PasswordPolicy(new PasswordPolicyOptions { MinimumLength = 10 }, new ZxcvbnPasswordStrengthEstimator());

        act.Should().Throw<ArgumentException>().WithMessage("*MinimumLength*");
    }

    [Fact]
    public void AddPasswordPolicy_WeakOptions_FailsOnStart()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddPasswordPolicy(o => o.MinimumLength = 8);
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<PasswordPolicyOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*MinimumLength 8*");
    }

    [Fact]
    public void AddPasswordPolicy_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        var builder = services.AddSecurityKitCore();
        builder.AddPasswordPolicy();
        builder.AddPasswordPolicy(o => o.MinimumScore = 4);
        using var provider = services.BuildServiceProvider();

        services.Count(d => d.ServiceType == typeof(IPasswordPolicy)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IPasswordStrengthEstimator)).Should().Be(1);
        provider.GetRequiredService<IPasswordPolicy>().Evaluate(Strong).Should().NotBeNull();
        provider.GetRequiredService<IOptions<PasswordPolicyOptions>>().Value.MinimumScore.Should().Be(4);
        provider.GetRequiredService<IPasswordGenerator>().Should().NotBeNull();
        provider.GetRequiredService<IBreachedPasswordChecker>().Should().NotBeNull();
    }

    [Fact]
    public async Task EvaluateAsync_Breached_Rejected()
    {
        var policy = Create(o => o.CheckBreachedPasswords = true, new StubChecker(new BreachCheckResult(BreachCheckStatus.Breached, 42, true)));

        var result = await policy.EvaluateAsync(Strong);

        result.Failures.Select(f => f.Code).Should().Equal(PasswordRuleCode.Breached);
        result.BreachCount.Should().Be(42);
    }

    [Fact]
    public async Task EvaluateAsync_FullWidthPassword_ChecksTheNormalisedFormTheHasherStores()
    {
        // The hasher stores NFKC: "ｐａｓｓ…" (full-width) signs in as "pass…". The breach corpus holds the ASCII form, so
        // the check must see it too, or a breached password typed in full-width forms would pass (found in review).
        var checker = new StubChecker(new BreachCheckResult(BreachCheckStatus.NotBreached, 0, false));
        var policy = Create(o => o.CheckBreachedPasswords = true, checker);
        var fullWidth = new string(Strong.Select(c => c is > '!' and <= '~' ? (char)(c - '!' + '\uFF01') : c).ToArray());
        fullWidth.Should().NotBe(Strong);
        fullWidth.Normalize(System.Text.NormalizationForm.FormKC).Should().Be(Strong);

        (await policy.EvaluateAsync(fullWidth)).IsAcceptable.Should().BeTrue();

        checker.Received.Should().Equal(Strong);
    }

    [Fact]
    public async Task EvaluateAsync_UnavailableFailClosed_Rejected_FailOpen_Accepted()
    {
        var closed = Create(o => o.CheckBreachedPasswords = true, new StubChecker(new BreachCheckResult(BreachCheckStatus.Unavailable, 0, true)));
        var open = Create(o => o.CheckBreachedPasswords = true, new StubChecker(new BreachCheckResult(BreachCheckStatus.Unavailable, 0, false)));

        (await closed.EvaluateAsync(Strong)).Failures.Select(f => f.Code).Should().Equal(PasswordRuleCode.BreachCheckUnavailable);
        (await open.EvaluateAsync(Strong)).IsAcceptable.Should().BeTrue();
    }

    [Fact]
    public async Task EvaluateAsync_CheckDisabled_NeverCallsChecker()
    {
        var checker = new StubChecker(new BreachCheckResult(BreachCheckStatus.Breached, 1, true));
        var policy = Create(checker: checker);

        (await policy.EvaluateAsync(Strong)).IsAcceptable.Should().BeTrue();
        checker.Calls.Should().Be(0);
    }

    [Theory]
    [InlineData("short")] // TooShort
    [InlineData("password1234")] // CommonPassword and TooGuessable
    [InlineData("aaaaaaaaaaaaaaa")] // TooGuessable
    public async Task EvaluateAsync_PasswordRejectedByAnotherRule_IsNotSentToTheBreachService(string password)
    {
        // A rejected password gains nothing from the check, and each check sends a hash prefix of it to the service.
        var checker = new StubChecker(new BreachCheckResult(BreachCheckStatus.Unavailable, 0, true));
        var policy = Create(o => o.CheckBreachedPasswords = true, checker);

        var result = await policy.EvaluateAsync(password);

        result.IsAcceptable.Should().BeFalse();
        result.Failures.Select(f => f.Code).Should().NotContain(PasswordRuleCode.BreachCheckUnavailable);
        checker.Calls.Should().Be(0);
        (await policy.EvaluateAsync(Strong)).Failures.Select(f => f.Code).Should().Equal(PasswordRuleCode.BreachCheckUnavailable);
        checker.Calls.Should().Be(1);
    }

    [Fact]
    public async Task EvaluateAsync_CheckerThrows_FailsClosedWithATypedFailure_CancellationStillPropagates()
    {
        var sink = new CollectingSink();
        var options = new PasswordPolicyOptions { CheckBreachedPasswords = true };
        options.Strength.ReferenceYear = 2026;
        var policy = new PasswordPolicy(options, new ZxcvbnPasswordStrengthEstimator(options.Strength, TimeProvider.System), new ThrowingChecker(new HttpRequestException("boom secret-detail")),
            new SecurityKit.Events.SecurityEventPublisher([sink], TimeProvider.System));
        var result = await policy.EvaluateAsync(Strong, new PasswordPolicyContext { UserId = "u-7" });
        result.Failures.Select(f => f.Code).Should().Equal(PasswordRuleCode.BreachCheckUnavailable);
        result.BreachCount.Should().BeNull();
        var unavailable = sink.Events.Should().ContainSingle(e => e.Name == PasswordStrengthEventNames.BreachCheckUnavailable).Subject;
        unavailable.Reason.Should().Be("checker_threw");
        unavailable.UserId.Should().Be("u-7");
        unavailable.Properties!.Should().Contain(p => p.Key == "exception" && p.Value == "HttpRequestException");
        unavailable.ToString().Should().NotContain("secret-detail", "an exception message can hold anything");

        // A timeout inside the checker (its own token) is an outage too; the caller's cancellation is not.
        var timedOut = Create(o => o.CheckBreachedPasswords = true, new ThrowingChecker(new TaskCanceledException("timeout")));
        (await timedOut.EvaluateAsync(Strong)).Failures.Select(f => f.Code).Should().Equal(PasswordRuleCode.BreachCheckUnavailable);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var cancelling = Create(o => o.CheckBreachedPasswords = true, new ThrowingChecker(new OperationCanceledException(cancelled.Token)));
        await cancelling.Invoking(p => p.EvaluateAsync(Strong, cancellationToken: cancelled.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void Evaluate_ManyServiceContextWords_TheUsersOwnWordsStillReachTheEstimate()
    {
        // The estimator reads at most 64 inputs; the service's words used to come first and push the user's out.
        var policy = Create(o =>
        {
            o.RejectContextWords = false;
            for (var i = 0; i < 64; i++)
            {
                o.ContextWords.Add("servicewordnumber" + i);
            }
        });

        var withUser = policy.Evaluate("zebedeequixotic", new PasswordPolicyContext { UserName = "zebedeequixotic" });
        var withoutUser = policy.Evaluate("zebedeequixotic");

        withUser.Strength.GuessesLog10.Should().BeLessThan(1, "the whole password is the user's own name: rank 1 of the user inputs");
        withoutUser.Strength.GuessesLog10.Should().BeGreaterThan(withUser.Strength.GuessesLog10 + 3);
    }

    private sealed class ThrowingChecker(Exception exception) : IBreachedPasswordChecker
    {
        public ValueTask<BreachCheckResult> CheckAsync(string password, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<BreachCheckResult>(exception);
    }

    private sealed class StubChecker(BreachCheckResult result) : IBreachedPasswordChecker
    {
        public int Calls { get; private set; }

        public List<string> Received { get; } = [];

        public ValueTask<BreachCheckResult> CheckAsync(string password, CancellationToken cancellationToken = default)
        {
            Calls++;
            Received.Add(password);
            return ValueTask.FromResult(result);
        }
    }
}
