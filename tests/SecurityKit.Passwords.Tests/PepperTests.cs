using SecurityKit.Keys;

namespace SecurityKit.Passwords.Tests;

public class PepperTests
{
    [Fact]
    public void Hash_WithPepper_RecordsKeyIdAndNeedsKeyToVerify()
    {
        var ring = TestHashers.PepperRing(("p1", 1, true));
        var (hasher, _) = TestHashers.Create(o => o.UsePepper = true, ring);
        var hash = hasher.Hash("password");

        hash.Should().Contain(",keyid=cDE$"); // base64("p1")
        hasher.Verify("password", hash).Should().Be(PasswordVerificationResult.Success);

        // Same salt and costs without the pepper must not verify: the pepper is really mixed in.
        var stripped = hash.Replace(",keyid=cDE", "", StringComparison.Ordinal);
        var (plain, _) = TestHashers.Create();
        plain.Verify("password", stripped).Should().Be(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void Verify_Rotation_OldKeyStillVerifiesWithRehash()
    {
        var before = TestHashers.PepperRing(("p1", 1, true));
        var (oldHasher, _) = TestHashers.Create(o => o.UsePepper = true, before);
        var stored = oldHasher.Hash("password");

        var after = TestHashers.PepperRing(("p1", 1, false), ("p2", 2, true));
        var (newHasher, sink) = TestHashers.Create(o => o.UsePepper = true, after);

        newHasher.Verify("password", stored).Should().Be(PasswordVerificationResult.SuccessRehashNeeded);
        sink.Named(PasswordEventNames.RehashNeeded).Single().Reason.Should().Be(PasswordReasonCodes.PepperKeyChanged);
        var rehashed = newHasher.Hash("password");
        rehashed.Should().Contain(",keyid=cDI$");
        newHasher.Verify("password", rehashed).Should().Be(PasswordVerificationResult.Success);
    }

    [Fact]
    public void Verify_RetiredKeyRemoved_FailsWithUnknownKeyEvent()
    {
        var (oldHasher, _) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p1", 1, true)));
        var stored = oldHasher.Hash("password");
        var (newHasher, sink) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p2", 2, true)));

        newHasher.Verify("password", stored).Should().Be(PasswordVerificationResult.Failed);
        var e = sink.Named(PasswordEventNames.UnknownPepperKey).Should().ContainSingle().Subject;
        e.Reason.Should().Be(PasswordReasonCodes.UnknownPepperKey);
        e.Properties.Should().ContainSingle(p => p.Key == "keyId" && p.Value == "p1");
    }

    [Fact]
    public void Verify_RetiredKeyRemoved_StillCostsOneHash()
    {
        var (oldHasher, _) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p1", 1, true)));
        var stored = oldHasher.Hash("password");
        var (newHasher, _) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p2", 2, true)));
        var hashes = 0;
        newHasher.BeforeHash = () => Interlocked.Increment(ref hashes);

        newHasher.Verify("password", stored).Should().Be(PasswordVerificationResult.Failed);

        hashes.Should().Be(1, "an unknown pepper key must not answer faster than a real verification");
    }

    [Fact]
    public void Verify_PepperedHashOnAHasherWithoutAKeyRing_FailsWithUnknownKeyEvent_AfterOneHash()
    {
        // A host that dropped the key ring (or a second service without it) must answer a peppered hash like a retired
        // key: failed, reported, and after the same work as a real verification; never an exception.
        var (peppered, _) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p1", 1, true)));
        var stored = peppered.Hash("password");
        var (ringless, sink) = TestHashers.Create();
        var hashes = 0;
        ringless.BeforeHash = () => Interlocked.Increment(ref hashes);

        ringless.Verify("password", stored).Should().Be(PasswordVerificationResult.Failed);

        hashes.Should().Be(1);
        var e = sink.Named(PasswordEventNames.UnknownPepperKey).Should().ContainSingle().Subject;
        e.Reason.Should().Be(PasswordReasonCodes.UnknownPepperKey);
        e.Properties.Should().ContainSingle(p => p.Key == "keyId" && p.Value == "p1");
    }

    [Fact]
    public void Verify_SameKeyIdDifferentMaterial_Fails()
    {
        var (a, _) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p1", 1, true)));
        var (b, _) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p1", 9, true)));
        b.Verify("password", a.Hash("password")).Should().Be(PasswordVerificationResult.Failed);
    }

    [Fact]
    public void Verify_PepperNewlyEnabled_UnpepperedHashNeedsRehash()
    {
        var (plain, _) = TestHashers.Create();
        var stored = plain.Hash("password");
        var (peppered, sink) = TestHashers.Create(o => o.UsePepper = true, TestHashers.PepperRing(("p1", 1, true)));
        peppered.Verify("password", stored).Should().Be(PasswordVerificationResult.SuccessRehashNeeded);
        sink.Named(PasswordEventNames.RehashNeeded).Single().Reason.Should().Be(PasswordReasonCodes.PepperKeyChanged);
    }

    [Fact]
    public void Verify_PepperDisabledKeyStillInRing_VerifiesWithRehash()
    {
        var ring = TestHashers.PepperRing(("p1", 1, true));
        var (peppered, _) = TestHashers.Create(o => o.UsePepper = true, ring);
        var stored = peppered.Hash("password");
        var (plain, _) = TestHashers.Create(keyRing: ring);
        plain.Verify("password", stored).Should().Be(PasswordVerificationResult.SuccessRehashNeeded);
    }

    [Fact]
    public void Pepper_DerivedFromRootKey_Works()
    {
        var ring = SecretKeyRing.FromRootKey("root-1", TestHashers.Key(7));
        var (hasher, _) = TestHashers.Create(o => o.UsePepper = true, ring);
        var hash = hasher.Hash("password");
        hasher.Verify("password", hash).Should().Be(PasswordVerificationResult.Success);
    }

    [Fact]
    public void Options_PepperWithoutKey_FailsValidation()
    {
        var empty = new SecretKeyRing(new SecretKeyRingOptions());
        var act = () => new PasswordHasher(TestHashers.CheapOptions(o => o.UsePepper = true), empty);
        act.Should().Throw<ArgumentException>().WithMessage("*password-pepper*");
        var noRing = () => new PasswordHasher(TestHashers.CheapOptions(o => o.UsePepper = true));
        noRing.Should().Throw<ArgumentException>().WithMessage("*key ring*");
    }

    [Fact]
    public void Options_PepperWithBCrypt_FailsValidation()
    {
        var act = () => new PasswordHasher(TestHashers.CheapOptions(o => { o.UsePepper = true; o.Algorithm = PasswordHashAlgorithm.BCrypt; }), TestHashers.PepperRing(("p1", 1, true)));
        act.Should().Throw<ArgumentException>().WithMessage("*Argon2id*");
    }

    [Fact]
    public void RequirePepperedHashes_RefusesEveryUnpepperedFormat_AtTheCostOfAnUnknownUser()
    {
        // Someone who can write to the database stores an unpeppered hash of a password of their choice: with the pepper
        // optional it verified, so the pepper protected nothing against that attacker.
        var ring = TestHashers.PepperRing(("p1", 1, true));
        var (plain, _) = TestHashers.Create();
        var (bcrypt, _) = TestHashers.Create(o => o.Algorithm = PasswordHashAlgorithm.BCrypt);
        var identity = new Microsoft.AspNetCore.Identity.PasswordHasher<object>(Microsoft.Extensions.Options.Options.Create(
            new Microsoft.AspNetCore.Identity.PasswordHasherOptions { IterationCount = 1000 })).HashPassword(new object(), "planted");
        var (strict, sink) = TestHashers.Create(o => { o.UsePepper = true; o.RequirePepperedHashes = true; }, ring);
        var (lenient, _) = TestHashers.Create(o => o.UsePepper = true, ring);

        foreach (var (planted, algorithm) in new[] { (plain.Hash("planted"), "argon2id"), (bcrypt.Hash("planted"), "bcrypt"), (identity, "pbkdf2") })
        {
            lenient.Verify("planted", planted).Should().Be(PasswordVerificationResult.SuccessRehashNeeded, "without the option it verifies (and asks for a rehash)");
            var hashes = 0;
            strict.Verify("warm-up", null);
            strict.BeforeHash = () => Interlocked.Increment(ref hashes);
            strict.Verify("planted", planted).Should().Be(PasswordVerificationResult.Failed);
            strict.BeforeHash = null;
            hashes.Should().Be(1, "the unknown-user work, not a verification of the planted hash");
            sink.Named(PasswordEventNames.UnpepperedHashRefused).Should().Contain(e => e.Reason == PasswordReasonCodes.UnpepperedHash && e.Properties!.Any(p => p.Value == algorithm));
        }

        var peppered = strict.Hash("password");
        strict.Verify("password", peppered).Should().Be(PasswordVerificationResult.Success);
    }

    [Fact]
    public void RequirePepperedHashes_WithoutUsePepper_RefusedSayingWhatToSet()
    {
        var options = TestHashers.CheapOptions(o => o.RequirePepperedHashes = true);

        FluentActions.Invoking(() => new PasswordHasher(options, TestHashers.PepperRing(("p1", 1, true))))
            .Should().Throw<ArgumentException>().WithMessage("*RequirePepperedHashes needs UsePepper = true*");
    }
}
