using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SecurityKit.Keys;

namespace SecurityKit.Core.Tests.Keys;

public sealed class SecretKeyRingTests
{
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyB = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void TryGetActiveKey_ExplicitPurpose_ReturnsIt()
    {
        var ring = new SecretKeyRing(new SecretKeyRingOptions().AddKey(KeyPurposes.BackupCodes, "b1", KeyA));
        ring.TryGetActiveKey(KeyPurposes.BackupCodes, out var key).Should().BeTrue();
        key!.KeyId.Should().Be("b1");
        key.Material.ToArray().Should().Equal(KeyA);
        ring.TryGetActiveKey(KeyPurposes.Fingerprint, out _).Should().BeFalse("no root key to derive from");
    }

    [Fact]
    public void TryGetActiveKey_NoKeyForPurpose_DerivesFromRootWithHkdf()
    {
        var ring = SecretKeyRing.FromRootKey("r1", KeyA);
        ring.TryGetActiveKey(KeyPurposes.Fingerprint, out var fp).Should().BeTrue();
        ring.TryGetActiveKey(KeyPurposes.BackupCodes, out var bc).Should().BeTrue();
        fp!.KeyId.Should().Be("r1");
        fp.Material.ToArray().Should().NotEqual(KeyA);
        fp.Material.ToArray().Should().NotEqual(bc!.Material.ToArray());
        var expected = HKDF.DeriveKey(HashAlgorithmName.SHA256, KeyA, 32, "SecurityKit.KeyRing.v1"u8.ToArray(), "fingerprint"u8.ToArray());
        fp.Material.ToArray().Should().Equal(expected);
        ring.TryGetKey(KeyPurposes.Fingerprint, "r1", out var again).Should().BeTrue();
        again!.Material.ToArray().Should().Equal(expected);
    }

    [Fact]
    public void GetKeyIds_ListsOwnKeysElseRootKeys()
    {
        var ring = new SecretKeyRing(new SecretKeyRingOptions()
            .AddKey(KeyPurposes.Root, "r1", KeyA, active: false)
            .AddKey(KeyPurposes.Root, "r2", KeyB)
            .AddKey(KeyPurposes.BackupCodes, "b1", KeyA));

        ring.GetKeyIds(KeyPurposes.Root).Should().Equal("r1", "r2");
        ring.GetKeyIds(KeyPurposes.Fingerprint).Should().Equal(["r1", "r2"], "derived from either root key");
        ring.GetKeyIds(KeyPurposes.BackupCodes).Should().Equal(["b1"], "a purpose with a key of its own uses only its own keys");
        ring.TryGetKey(KeyPurposes.BackupCodes, "r1", out _).Should().BeTrue("values protected before it got its own key still resolve by id");

        // The lists are read-only views: an array handed out could be cast back and changed, changing the ring.
        var own = ring.GetKeyIds(KeyPurposes.BackupCodes);
        own.Should().NotBeAssignableTo<string[]>();
        ((ICollection<string>)own).IsReadOnly.Should().BeTrue();
        ring.GetKeyIds(KeyPurposes.Fingerprint).Should().NotBeAssignableTo<string[]>();
        foreach (var id in ring.GetKeyIds(KeyPurposes.Fingerprint))
        {
            ring.TryGetKey(KeyPurposes.Fingerprint, id, out _).Should().BeTrue("every listed id resolves");
        }

        new SecretKeyRing(new SecretKeyRingOptions().AddKey(KeyPurposes.BackupCodes, "b1", KeyA)).GetKeyIds(KeyPurposes.Fingerprint).Should().BeEmpty();
    }

    [Fact]
    public void Rotation_NewActiveKey_OldKeyStillFoundById()
    {
        var options = new SecretKeyRingOptions()
            .AddKey(KeyPurposes.Root, "old", KeyA, active: false)
            .AddKey(KeyPurposes.Root, "new", KeyB, active: true);
        var ring = new SecretKeyRing(options);
        ring.GetActiveKey(KeyPurposes.Root).KeyId.Should().Be("new");
        ring.TryGetKey(KeyPurposes.Root, "old", out var old).Should().BeTrue();
        old!.Material.ToArray().Should().Equal(KeyA);
        ring.TryGetKey(KeyPurposes.PasswordPepper, "old", out var oldPepper).Should().BeTrue();
        oldPepper!.Material.ToArray().Should().NotEqual(ring.GetActiveKey(KeyPurposes.PasswordPepper).Material.ToArray());
        ring.TryGetKey(KeyPurposes.Root, "missing", out _).Should().BeFalse();
    }

    [Fact]
    public void GetActiveKey_NoKeys_ThrowsWithInstructions()
    {
        var ring = new SecretKeyRing(new SecretKeyRingOptions());
        var act = () => ring.GetActiveKey(KeyPurposes.BackupCodes);
        act.Should().Throw<InvalidOperationException>().WithMessage("*otp-backup-codes*ConfigureKeys*");
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblemWithoutSecrets()
    {
        var options = new SecretKeyRingOptions();
        options.Keys.Add(new SecretKeyEntry { Purpose = "root", KeyId = "short", Value = Convert.ToBase64String(new byte[16]) });
        options.Keys.Add(new SecretKeyEntry { Purpose = "Bad Purpose", KeyId = "x", Value = Convert.ToBase64String(KeyA) });
        options.Keys.Add(new SecretKeyEntry { Purpose = "root", KeyId = "bad id!", Value = "not base64!!" });
        options.Keys.Add(new SecretKeyEntry { Purpose = "p", KeyId = "a", Value = Convert.ToBase64String(KeyA), Active = true });
        options.Keys.Add(new SecretKeyEntry { Purpose = "p", KeyId = "b", Value = Convert.ToBase64String(KeyB), Active = true });
        options.Keys.Add(new SecretKeyEntry { Purpose = "q", KeyId = "a", Value = Convert.ToBase64String(KeyA) });
        options.Keys.Add(new SecretKeyEntry { Purpose = "q", KeyId = "a", Value = Convert.ToBase64String(KeyB) });

        var act = () => new SecretKeyRing(options);
        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.Contains("128 bits", StringComparison.Ordinal) && f.Contains("at least 256", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("Purpose must be", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("KeyId must be", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("not valid base64", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("2 keys marked Active", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("appear twice", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("none marked Active", StringComparison.Ordinal));
        var secret = Convert.ToBase64String(KeyA);
        failures.Should().NotContain(f => f.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public void OwnKeyWithARootKeysId_RefusedAtStartup()
    {
        // Values protected under the key derived from root key "2026-11" carry the id "2026-11"; an own key of the purpose
        // with that id would be looked up first and silently replace the derived key for all of them.
        var options = new SecretKeyRingOptions()
            .AddKey(KeyPurposes.Root, "2026-11", KeyA, active: true)
            .AddKey(KeyPurposes.Fingerprint, "2026-11", KeyB, active: true);

        FluentActions.Invoking(() => new SecretKeyRing(options)).Should().Throw<OptionsValidationException>()
            .WithMessage("*purpose 'fingerprint', id '2026-11'*id of a root key*different id*");

        var distinct = new SecretKeyRing(new SecretKeyRingOptions()
            .AddKey(KeyPurposes.Root, "2026-11", KeyA, active: true)
            .AddKey(KeyPurposes.Fingerprint, "fp-2026-11", KeyB, active: true));
        distinct.TryGetKey(KeyPurposes.Fingerprint, "2026-11", out var derived).Should().BeTrue("values from before the own key still verify");
        derived!.Material.ToArray().Should().NotEqual(KeyB);
        distinct.GetActiveKey(KeyPurposes.Fingerprint).KeyId.Should().Be("fp-2026-11");
    }

    [Fact]
    public void SwappedKeyIdAndValue_NeverEchoTheMaterial()
    {
        // A configuration with KeyId and Value swapped puts the secret where an id belongs: neither the startup error
        // nor the entry's ToString may show it.
        var secret = Convert.ToBase64String(KeyA);
        var options = new SecretKeyRingOptions();
        options.Keys.Add(new SecretKeyEntry { Purpose = KeyPurposes.Root, KeyId = secret, Value = "2026-11" });
        options.Keys.Add(new SecretKeyEntry { Purpose = secret, KeyId = "k1", Value = Convert.ToBase64String(KeyB) });

        var failures = FluentActions.Invoking(() => new SecretKeyRing(options)).Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.Contains("KeyId must be", StringComparison.Ordinal) && f.Contains("id '(invalid)'", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("Purpose must be", StringComparison.Ordinal) && f.Contains("purpose '(invalid)'", StringComparison.Ordinal));
        var head = secret[..20];
        failures.Should().NotContain(f => f.Contains(head, StringComparison.Ordinal));
        options.Keys[0].ToString().Should().Be("SecretKeyEntry(purpose=root, id=(invalid), active=False)");
        options.Keys[1].ToString().Should().NotContain(secret[..20]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SwappedPurposeAndValue_SharedByTwoEntries_ActiveCountErrorsNeverEchoTheMaterial(bool bothActive)
    {
        // Two entries with the same swapped-in secret as purpose reach the per-purpose Active check, which echoed the
        // purpose as it was (found in review).
        var secret = Convert.ToBase64String(KeyA);
        var options = new SecretKeyRingOptions();
        options.Keys.Add(new SecretKeyEntry { Purpose = secret, KeyId = "k1", Value = "k1", Active = bothActive });
        options.Keys.Add(new SecretKeyEntry { Purpose = secret, KeyId = "k2", Value = "k2", Active = bothActive });

        var failures = FluentActions.Invoking(() => new SecretKeyRing(options)).Should().Throw<OptionsValidationException>().Which.Failures.ToList();

        failures.Should().Contain(f => f.Contains(bothActive ? "purpose '(invalid)' has 2 keys marked Active" : "purpose '(invalid)' has 2 keys and none marked Active", StringComparison.Ordinal));
        var head = secret[..20];
        failures.Should().NotContain(f => f.Contains(head, StringComparison.Ordinal));
    }

    [Fact]
    public void SecretKey_ToStringAndErrors_NeverShowMaterial()
    {
        var key = new SecretKey("root", "k1", KeyA);
        key.ToString().Should().Be("SecretKey(purpose=root, id=k1)");
        new SecretKeyRingOptions().AddKey("root", "k1", KeyA).Keys[0].ToString().Should().NotContain(Convert.ToBase64String(KeyA));
        var tooShort = () => new SecretKey("root", "k1", new byte[31]);
        tooShort.Should().Throw<ArgumentException>().WithMessage("*248 bits*256*");
        var badId = () => new SecretKey("root", "k 1", KeyA);
        badId.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void EphemeralRootKey_NextToConfiguredRootKeys_RefusedAtStartup()
    {
        // Configured keys are inactive unless marked, so the ephemeral key would silently be the active root key.
        var options = new SecretKeyRingOptions().AddEphemeralRootKey();
        options.Keys.Add(new SecretKeyEntry { Purpose = KeyPurposes.Root, KeyId = "2026-11", Value = Convert.ToBase64String(KeyA) });

        FluentActions.Invoking(() => new SecretKeyRing(options)).Should().Throw<OptionsValidationException>().WithMessage("*AddEphemeralRootKey()*configured root keys*");
        new SecretKeyRing(new SecretKeyRingOptions().AddEphemeralRootKey().AddKey(KeyPurposes.BackupCodes, "b1", KeyA)).GetActiveKey(KeyPurposes.Root).KeyId
            .Should().StartWith("ephemeral-", "keys of other purposes next to it are fine");
    }

    [Fact]
    public void EphemeralRootKey_AddedTwice_RefusedSayingSo()
    {
        // With random ids, a second call read only as "purpose 'root' has 2 keys marked Active".
        FluentActions.Invoking(() => new SecretKeyRing(new SecretKeyRingOptions().AddEphemeralRootKey().AddEphemeralRootKey()))
            .Should().Throw<OptionsValidationException>().WithMessage("*AddEphemeralRootKey() was called more than once*");
    }

    [Fact]
    public void EphemeralRootKey_IsRandomPerCall()
    {
        var a = new SecretKeyRing(new SecretKeyRingOptions().AddEphemeralRootKey()).GetActiveKey(KeyPurposes.Root);
        var b = new SecretKeyRing(new SecretKeyRingOptions().AddEphemeralRootKey()).GetActiveKey(KeyPurposes.Root);
        a.Material.ToArray().Should().NotEqual(b.Material.ToArray());

        // The id too: with one fixed id ("ephemeral"), a value made by another process (before a restart, on another
        // instance) named a key this process also had, so it failed as forged instead of "unknown key" (found in review).
        a.KeyId.Should().MatchRegex("^ephemeral-[a-z0-9]{8}$").And.NotBe(b.KeyId);
        a.IsEphemeral.Should().BeTrue();
        a.Derive(KeyPurposes.Fingerprint).IsEphemeral.Should().BeTrue("a key derived from it dies with it");
        a.ToString().Should().EndWith(", ephemeral)");
        new SecretKey(KeyPurposes.Root, "k1", KeyA).ToString().Should().Be("SecretKey(purpose=root, id=k1)");
        var ringB = new SecretKeyRing(new SecretKeyRingOptions().AddEphemeralRootKey());
        ringB.TryGetKey(KeyPurposes.Fingerprint, a.KeyId, out _).Should().BeFalse();
        new SecretKeyRing(new SecretKeyRingOptions().AddKey(KeyPurposes.Root, "k1", KeyA)).GetActiveKey(KeyPurposes.Fingerprint).IsEphemeral.Should().BeFalse();
    }

    [Fact]
    public void InvalidPurpose_TryMethodsAnswerFalse_AndTheValueIsNeverEchoed()
    {
        // A purpose and a key value swapped in a custom ring put the key into the exception message; the Try methods threw
        // for an invalid purpose instead of answering false (found in review).
        var ring = new SecretKeyRing(new SecretKeyRingOptions().AddKey(KeyPurposes.Root, "k1", KeyA));
        ring.TryGetActiveKey("Bad Purpose", out var active).Should().BeFalse();
        active.Should().BeNull();
        ring.TryGetKey("Bad Purpose", "k1", out var byId).Should().BeFalse();
        byId.Should().BeNull();

        var secretLooking = Convert.ToBase64String(KeyA);
        FluentActions.Invoking(() => new SecretKey(secretLooking, "k1", KeyA)).Should().Throw<ArgumentException>()
            .Which.Message.Should().NotContain(secretLooking).And.StartWith("Key purpose is not valid: use 1–64 characters of [a-z0-9._-].");
        FluentActions.Invoking(() => ring.GetActiveKey(KeyPurposes.Root).Derive(secretLooking)).Should().Throw<ArgumentException>()
            .Which.Message.Should().NotContain(secretLooking);
    }

    [Fact]
    public async Task GetDerived_ConcurrentCallers_AllSeeSameKey()
    {
        var ring = SecretKeyRing.FromRootKey("r1", KeyA);
        var keys = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => ring.GetActiveKey(KeyPurposes.TokenHashing).Material.ToArray())));
        keys.Should().AllSatisfy(k => k.Should().Equal(keys[0]));
    }
}
