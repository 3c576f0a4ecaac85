namespace SecurityKit.Passwords.Strength.Tests.Policy;

/// <summary>
/// Policy edges mutation testing found unpinned: each source of context words on its own (the existing test's email
/// also covered its user name), the context-word length limit, the composition rules and their stable code names, the
/// length limits in code points of what was typed.
/// </summary>
public sealed class PasswordPolicyEdgeTests
{
    private const string Strong = "glacier orbit tangerine violin";

    private static PasswordPolicy Create(Action<PasswordPolicyOptions>? configure = null)
    {
        var options = new PasswordPolicyOptions();
        options.Strength.ReferenceYear = 2026;
        configure?.Invoke(options);
        return new PasswordPolicy(options, new ZxcvbnPasswordStrengthEstimator(options.Strength, TimeProvider.System));
    }

    [Theory]
    [InlineData("violin glacier jdoe99 orbit", "jdoe99", null, null)]
    [InlineData("violin glacier j.doe orbit", null, "j.doe@example.org", null)]
    [InlineData("violin glacier jo li orbit", null, null, "Jo Li")]
    public void ContextWords_EachSourceOnItsOwn(string password, string? userName, string? email, string? displayName)
    {
        var context = new PasswordPolicyContext { UserName = userName, Email = email, DisplayName = displayName };
        var result = Create().Evaluate(password, context);
        result.Failures.Where(f => f.Code == PasswordRuleCode.ContainsContextWord).Should().ContainSingle().Which.CodeName.Should().Be("contains_context_word");
        Create().Evaluate(password).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeFalse("without the context");
    }

    [Fact]
    public void ContextWords_ShorterThanTheMinimumAreIgnored_OneFailureWhateverHowManyMatch()
    {
        var policy = Create();
        policy.Evaluate("violin glacier jdoe orbit", new PasswordPolicyContext { UserName = "jdoe" }).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeTrue("4 characters is the minimum");
        policy.Evaluate("violin glacier doe orbit tune", new PasswordPolicyContext { UserName = "doe" }).HasFailure(PasswordRuleCode.ContainsContextWord).Should().BeFalse("3 characters is below it");

        var many = policy.Evaluate("violin marta kowalski contoso orbit", new PasswordPolicyContext { UserName = "marta", Email = "kowalski@contoso.com", DisplayName = "Marta Kowalski" });
        many.Failures.Count(f => f.Code == PasswordRuleCode.ContainsContextWord).Should().Be(1);
    }

    [Theory]
    [InlineData(PasswordRuleCode.MissingLowercase, "missing_lowercase", "GLACIER ORBIT TANGERINE 42!", "GLACIER ORBIT tANGERINE 42!")]
    [InlineData(PasswordRuleCode.MissingUppercase, "missing_uppercase", "glacier orbit tangerine 42!", "glacier orbit Tangerine 42!")]
    [InlineData(PasswordRuleCode.MissingDigit, "missing_digit", "Glacier orbit tangerine !", "Glacier orbit tangerine 4!")]
    [InlineData(PasswordRuleCode.MissingSymbol, "missing_symbol", "Glacieröorbitötangerine42", "Glacieröorbit tangerine42")]
    public void Composition_EachRuleOnItsOwn(PasswordRuleCode code, string codeName, string failing, string passing)
    {
        var policy = Create(o =>
        {
            o.RequireLowercase = code == PasswordRuleCode.MissingLowercase;
            o.RequireUppercase = code == PasswordRuleCode.MissingUppercase;
            o.RequireDigit = code == PasswordRuleCode.MissingDigit;
            o.RequireSymbol = code == PasswordRuleCode.MissingSymbol;
            o.MinimumScore = 0;
        });
        policy.Evaluate(failing).Failures.Should().ContainSingle().Which.CodeName.Should().Be(codeName);
        policy.Evaluate(passing).IsAcceptable.Should().BeTrue();
        Create(o => o.MinimumScore = 0).Evaluate(failing).IsAcceptable.Should().BeTrue("composition rules are off by default (NIST)");
    }

    [Fact]
    public void Composition_ANonAsciiDigitCountsAsADigit_NotAsASymbol()
    {
        var policy = Create(o => { o.RequireDigit = true; o.RequireSymbol = true; o.MinimumScore = 0; });
        var result = policy.Evaluate("glacierorbittangerine\u0664"); // ARABIC-INDIC DIGIT FOUR
        result.HasFailure(PasswordRuleCode.MissingDigit).Should().BeFalse();
        result.HasFailure(PasswordRuleCode.MissingSymbol).Should().BeTrue();
    }

    [Fact]
    public void MaximumLength_InclusiveInCodePoints()
    {
        var policy = Create(o => { o.MaximumLength = 64; o.MinimumScore = 0; });
        var atMax = string.Concat(Enumerable.Repeat("🔒x", 32)); // 64 code points, 96 UTF-16 units
        policy.Evaluate(atMax).HasFailure(PasswordRuleCode.TooLong).Should().BeFalse();
        var result = policy.Evaluate(atMax + "y");
        result.Failures.Should().Contain(f => f.Code == PasswordRuleCode.TooLong && f.CodeName == "too_long");
        result.ToString().Should().Contain("too_long");
    }

    [Fact]
    public void MinimumLength_CountsTheTypedCodePoints_NotUtf16Units()
    {
        // One U+FDFA (18 code points after NFKC) and seven emoji: 8 typed code points in 15 UTF-16 units. Counting units
        // would let it pass a 15-character minimum.
        var typed = "\uFDFA" + string.Concat(Enumerable.Repeat("🔒", 7));
        typed.Length.Should().Be(15);
        Create().Evaluate(typed).HasFailure(PasswordRuleCode.TooShort).Should().BeTrue();
    }

    [Fact]
    public void CodeNames_AreStable()
    {
        var expected = new Dictionary<PasswordRuleCode, string>
        {
            [PasswordRuleCode.TooShort] = "too_short",
            [PasswordRuleCode.TooLong] = "too_long",
            [PasswordRuleCode.CommonPassword] = "common_password",
            [PasswordRuleCode.TooGuessable] = "too_guessable",
            [PasswordRuleCode.ContainsContextWord] = "contains_context_word",
            [PasswordRuleCode.MissingLowercase] = "missing_lowercase",
            [PasswordRuleCode.MissingUppercase] = "missing_uppercase",
            [PasswordRuleCode.MissingDigit] = "missing_digit",
            [PasswordRuleCode.MissingSymbol] = "missing_symbol",
            [PasswordRuleCode.Breached] = "breached",
            [PasswordRuleCode.BreachCheckUnavailable] = "breach_check_unavailable",
            [PasswordRuleCode.InvalidCharacters] = "invalid_characters",
        };
        Enum.GetValues<PasswordRuleCode>().Should().BeEquivalentTo(expected.Keys);
        foreach (var (code, name) in expected)
        {
            PasswordRuleFailure.GetCodeName(code).Should().Be(name);
        }

        FluentActions.Invoking(() => PasswordRuleFailure.GetCodeName((PasswordRuleCode)99)).Should().Throw<ArgumentOutOfRangeException>();
        Create().Evaluate(Strong).ToString().Should().StartWith("acceptable (score ");
    }
}
