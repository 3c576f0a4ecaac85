using System.Text.RegularExpressions;
using SecurityKit.Keys;

namespace SecurityKit.Otp.Tests;

public sealed partial class BackupCodeServiceTests
{
    [GeneratedRegex("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")]
    private static partial Regex DefaultFormat();

    [Fact]
    public async Task Generate_Defaults_TenDistinctGroupedCodesOf60Bits()
    {
        var context = new OtpTestContext();
        var codes = await context.Backup().GenerateAsync("user-1");
        codes.Codes.Should().HaveCount(10).And.OnlyHaveUniqueItems().And.AllSatisfy(c => DefaultFormat().IsMatch(c).Should().BeTrue(c));
        codes.ToString().Should().NotContain(codes.Codes[0]);
        (await context.Backup().GetRemainingCountAsync("user-1")).Should().Be(10);
        context.Sink.Names.Should().Contain(OtpEventNames.BackupCodesGenerated);
    }

    [Fact]
    public async Task Generate_StoresOnlyKeyedHashes()
    {
        var context = new OtpTestContext();
        var codes = await context.Backup().GenerateAsync("user-1");
        var raw = codes.Codes[0].Replace("-", "", StringComparison.Ordinal);
        (await context.BackupStore.TryConsumeAsync("user-1", "k1", raw)).Consumed.Should().BeFalse();
        (await context.BackupStore.TryConsumeAsync("user-1", "k1", codes.Codes[0])).Consumed.Should().BeFalse();
    }

    [Fact]
    public async Task Generate_CharacterDistribution_UsesWholeAlphabet()
    {
        var context = new OtpTestContext(backup: new BackupCodeOptions { Count = 50, Length = 32, GroupSize = 0 });
        var codes = await context.Backup().GenerateAsync("user-1");
        var all = string.Concat(codes.Codes);
        all.Distinct().Should().HaveCount(32);
        all.Should().NotContainAny("I", "L", "O", "U", "-");
    }

    [Fact]
    public async Task Verify_CodeOnce_SuccessThenInvalid()
    {
        var context = new OtpTestContext();
        var service = context.Backup();
        var codes = await service.GenerateAsync("user-1");
        var first = await service.VerifyAsync("user-1", codes.Codes[3]);
        first.Status.Should().Be(BackupCodeVerificationStatus.Success);
        first.RemainingCount.Should().Be(9);
        (await service.VerifyAsync("user-1", codes.Codes[3])).Status.Should().Be(BackupCodeVerificationStatus.InvalidCode);
        context.Sink.Names.Should().Contain(OtpEventNames.BackupCodeUsed).And.Contain(OtpEventNames.BackupCodeRejected);
    }

    [Fact]
    public async Task Verify_NonAsciiLookalikes_MalformedNotNormalised()
    {
        // ToUpperInvariant turned U+017F (ſ) into 'S' and U+0131 (ı) into 'I' (then '1'): only ASCII is normalised.
        var context = new OtpTestContext(backup: new BackupCodeOptions { Count = 50 });
        var service = context.Backup();
        var codes = await service.GenerateAsync("user-1");
        var code = codes.Codes.First(c => c.Contains('S', StringComparison.Ordinal));
        var lookalike = code.Replace('S', '\u017F');

        (await service.VerifyAsync("user-1", lookalike)).Status.Should().Be(BackupCodeVerificationStatus.MalformedCode);
        (await service.VerifyAsync("user-1", code)).Status.Should().Be(BackupCodeVerificationStatus.Success);
    }

    [Theory]
    [InlineData("lower")]
    [InlineData("spaces")]
    [InlineData("nohyphens")]
    [InlineData("confusables")]
    public async Task Verify_TypedVariants_Normalised(string variant)
    {
        var context = new OtpTestContext();
        var service = context.Backup();
        var code = (await service.GenerateAsync("user-1")).Codes[0];
        var typed = variant switch
        {
            "lower" => code.ToLowerInvariant(),
            "spaces" => " " + code.Replace("-", " ", StringComparison.Ordinal) + " ",
            "nohyphens" => code.Replace("-", "", StringComparison.Ordinal),
            _ => code.Replace('0', 'O').Replace('1', 'l'),
        };
        (await service.VerifyAsync("user-1", typed)).Status.Should().Be(BackupCodeVerificationStatus.Success);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABCD")]
    [InlineData("ABCD-EFGH-JKMU")]
    [InlineData("ABCD-EFGH-JK*M")]
    [InlineData("ÄBCD-EFGH-JKMN")]
    public async Task Verify_Malformed_MalformedAndNotCounted(string? code)
    {
        var context = new OtpTestContext();
        var service = context.Backup();
        await service.GenerateAsync("user-1");
        (await service.VerifyAsync("user-1", code)).Status.Should().Be(BackupCodeVerificationStatus.MalformedCode);
        (await context.Store.GetFailureCountAsync("user-1")).Should().Be(0);
    }

    [Fact]
    public async Task Verify_Huge_Malformed()
    {
        var context = new OtpTestContext();
        (await context.Backup().VerifyAsync("user-1", new string('A', 1_000_000))).Status.Should().Be(BackupCodeVerificationStatus.MalformedCode);
    }

    [Fact]
    public async Task Verify_OtherUsersCode_Invalid()
    {
        var context = new OtpTestContext();
        var service = context.Backup();
        var alice = await service.GenerateAsync("alice");
        await service.GenerateAsync("bob");
        (await service.VerifyAsync("bob", alice.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.InvalidCode);
    }

    [Fact]
    public async Task Verify_AnotherUsersStoredHashesCopiedIntoThisUser_DoNotVerifyTheirCodes()
    {
        // The stored hash binds the user: someone who can write the store (or a bug that mixes rows) and copies alice's
        // hashes into bob's row must not make alice's codes bob's. Verify_OtherUsersCode_Invalid passes without that
        // binding, since every user's codes live in their own row.
        var context = new OtpTestContext();
        var recording = new RecordingBackupStore(context.BackupStore);
        var service = new BackupCodeService(context.BackupOptions, context.KeyRing, recording, context.Limiter, context.Time, context.Events);
        var alice = await service.GenerateAsync("alice");
        var (keyId, aliceHashes) = recording.Replaced["alice"];

        await context.BackupStore.ReplaceAsync("bob", keyId, aliceHashes);

        (await service.VerifyAsync("bob", alice.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.InvalidCode);
        (await context.BackupStore.GetRemainingCountAsync("bob")).Should().Be(aliceHashes.Count, "nothing was consumed");
        (await service.VerifyAsync("alice", alice.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.Success, "the code is fine for its own user");
    }

    private sealed class RecordingBackupStore(SecurityKit.Stores.Otp.IBackupCodeStore inner) : SecurityKit.Stores.Otp.IBackupCodeStore
    {
        public Dictionary<string, (string KeyId, IReadOnlyCollection<string> Hashes)> Replaced { get; } = [];

        public ValueTask ReplaceAsync(string userId, string keyId, IReadOnlyCollection<string> codeHashes, CancellationToken cancellationToken = default)
        {
            Replaced[userId] = (keyId, codeHashes.ToArray());
            return inner.ReplaceAsync(userId, keyId, codeHashes, cancellationToken);
        }

        public ValueTask<SecurityKit.Stores.Otp.BackupCodeConsumeOutcome> TryConsumeAsync(string userId, string keyId, string codeHash, CancellationToken cancellationToken = default) =>
            inner.TryConsumeAsync(userId, keyId, codeHash, cancellationToken);

        public ValueTask<int> GetRemainingCountAsync(string userId, CancellationToken cancellationToken = default) => inner.GetRemainingCountAsync(userId, cancellationToken);

        public ValueTask DeleteAsync(string userId, CancellationToken cancellationToken = default) => inner.DeleteAsync(userId, cancellationToken);
    }

    [Fact]
    public async Task Verify_UserWithoutCodes_Invalid()
    {
        var context = new OtpTestContext();
        (await context.Backup().VerifyAsync("nobody", "ABCD-EFGH-JKMN")).Status.Should().Be(BackupCodeVerificationStatus.InvalidCode);
    }

    [Fact]
    public async Task Verify_SameCodeFromManyTasks_ExactlyOneSucceeds()
    {
        var context = new OtpTestContext(lockout: new OtpLockoutOptions { MaxConsecutiveFailures = 100, FailureWindow = TimeSpan.FromHours(2) });
        var service = context.Backup();
        var code = (await service.GenerateAsync("user-1")).Codes[0];
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await service.VerifyAsync("user-1", code);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);
        results.Count(r => r.Succeeded).Should().Be(1);
        (await service.GetRemainingCountAsync("user-1")).Should().Be(9);
    }

    [Fact]
    public async Task Regenerate_InvalidatesEveryPreviousCode()
    {
        var context = new OtpTestContext();
        var service = context.Backup();
        var old = await service.GenerateAsync("user-1");
        var fresh = await service.GenerateAsync("user-1");
        foreach (var code in old.Codes.Take(3))
        {
            (await service.VerifyAsync("user-1", code)).Status.Should().Be(BackupCodeVerificationStatus.InvalidCode);
        }

        (await service.VerifyAsync("user-1", fresh.Codes[0])).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task RevokeAll_NoCodesLeft()
    {
        var context = new OtpTestContext();
        var service = context.Backup();
        var codes = await service.GenerateAsync("user-1");
        await service.RevokeAllAsync("user-1");
        (await service.GetRemainingCountAsync("user-1")).Should().Be(0);
        (await service.VerifyAsync("user-1", codes.Codes[0])).Succeeded.Should().BeFalse();
        context.Sink.Names.Should().Contain(OtpEventNames.BackupCodesRevoked);
    }

    [Fact]
    public async Task Verify_AfterKeyRotation_OldSetStillWorks()
    {
        var context = new OtpTestContext();
        var codes = await context.Backup().GenerateAsync("user-1");
        context.KeyRing = OtpTestContext.RotatedRing();
        var result = await context.Backup().VerifyAsync("user-1", codes.Codes[0]);
        result.Status.Should().Be(BackupCodeVerificationStatus.Success);
        result.RemainingCount.Should().Be(9);
    }

    [Fact]
    public async Task Verify_RetiredKeyRemoved_Invalid()
    {
        var context = new OtpTestContext();
        var codes = await context.Backup().GenerateAsync("user-1");
        context.KeyRing = SecretKeyRing.FromRootKey("k2", OtpTestContext.RootKey2);
        (await context.Backup().VerifyAsync("user-1", codes.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.InvalidCode);
    }

    [Fact]
    public async Task Verify_FailuresShareLimitWithTotp_LockedOut()
    {
        var context = new OtpTestContext(lockout: new OtpLockoutOptions { MaxConsecutiveFailures = 3 });
        var service = context.Backup();
        var codes = await service.GenerateAsync("user-1");
        for (var i = 0; i < 3; i++)
        {
            (await service.VerifyAsync("user-1", "AAAA-AAAA-AAAA")).Status.Should().Be(BackupCodeVerificationStatus.InvalidCode);
        }

        (await service.VerifyAsync("user-1", codes.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.LockedOut);
        (await service.GetRemainingCountAsync("user-1")).Should().Be(codes.Codes.Count, "a locked-out attempt does not consume the code");

        context.Time.Advance(context.Lockout.FailureWindow);
        (await service.VerifyAsync("user-1", codes.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.Success, "the same code works once the window is over");
        (await service.GetRemainingCountAsync("user-1")).Should().Be(codes.Codes.Count - 1);
    }

    [Fact]
    public async Task Verify_StoredHashFormat_IsPinned()
    {
        // Stored hashes must keep verifying across releases: HMAC-SHA256 under the backup-code key (here derived from the
        // root key with HKDF) of "SecurityKit.BackupCode.v1" 0x00 UTF-8(user id) 0x00 ASCII(normalised code), base64url.
        // Computed here independently of the service; a change to the layout (found surviving as a mutant) fails.
        var context = new OtpTestContext();
        var key = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, OtpTestContext.RootKey1, 32, "SecurityKit.KeyRing.v1"u8.ToArray(), "otp-backup-codes"u8.ToArray());
        var input = "SecurityKit.BackupCode.v1\0user-ü\0ABCD0123EFGH"u8.ToArray();
        var hash = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(key, input)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await context.BackupStore.ReplaceAsync("user-ü", "k1", [hash]);

        (await context.Backup().VerifyAsync("user-ü", "abcd-o123-efgh")).Status.Should().Be(BackupCodeVerificationStatus.Success, "typed in lower case with O for 0");
    }

    [Theory]
    [InlineData(9, false)]
    [InlineData(10, true)]
    [InlineData(32, true)]
    [InlineData(33, false)]
    public void TryNormalize_LengthBounds_10To32Characters(int length, bool valid)
    {
        var destination = new char[BackupCodeService.MaxInputLength];
        BackupCodeService.TryNormalize(new string('A', length), destination, out var written).Should().Be(valid);
        if (valid)
        {
            written.Should().Be(length);
        }
    }

    [Fact]
    public void TryNormalize_InputLongerThanTheLimit_RefusedEvenIfMostlySeparators()
    {
        var destination = new char[BackupCodeService.MaxInputLength];
        var atLimit = "ABCDEFGHJK" + new string(' ', BackupCodeService.MaxInputLength - 10);
        BackupCodeService.TryNormalize(atLimit, destination, out _).Should().BeTrue();
        BackupCodeService.TryNormalize(atLimit + " ", destination, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData('i')]
    [InlineData('I')]
    [InlineData('l')]
    [InlineData('L')]
    public void TryNormalize_EveryOneLookalike_ReadAsOne(char typed)
    {
        var destination = new char[BackupCodeService.MaxInputLength];
        BackupCodeService.TryNormalize("ABCDEFGHJ" + typed, destination, out var written).Should().BeTrue();
        new string(destination, 0, written).Should().Be("ABCDEFGHJ1");
    }

    [Fact]
    public async Task Verify_Success_ResetsTheSharedFailureCount()
    {
        // A backup code that works ends the run of failures, like a TOTP code (the limiter is shared).
        var context = new OtpTestContext(lockout: new OtpLockoutOptions { MaxConsecutiveFailures = 3 });
        var service = context.Backup();
        var codes = await service.GenerateAsync("user-1");
        for (var i = 0; i < 2; i++)
        {
            (await service.VerifyAsync("user-1", "AAAA-AAAA-AAAA")).Status.Should().Be(BackupCodeVerificationStatus.InvalidCode);
        }

        (await context.Store.GetFailureCountAsync("user-1")).Should().Be(2);
        (await service.VerifyAsync("user-1", codes.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.Success);
        (await context.Store.GetFailureCountAsync("user-1")).Should().Be(0);
        for (var i = 0; i < 2; i++)
        {
            (await service.VerifyAsync("user-1", "AAAA-AAAA-AAAA")).Status.Should().Be(BackupCodeVerificationStatus.InvalidCode, "the count started again");
        }

        (await service.VerifyAsync("user-1", codes.Codes[1])).Status.Should().Be(BackupCodeVerificationStatus.Success);
    }

    [Fact]
    public void Constructor_TooShortCodes_Throws()
    {
        var context = new OtpTestContext(backup: new BackupCodeOptions { Length = 8 });
        FluentActions.Invoking(() => context.Backup()).Should().Throw<ArgumentException>().WithMessage("*BackupCodeOptions.Length*");
    }
}

public sealed class BackupCodeEventTests
{
    [Fact]
    public async Task Events_NeverContainCodes()
    {
        var context = new OtpTestContext();
        var service = context.Backup();
        var codes = await service.GenerateAsync("user-1");
        await service.VerifyAsync("user-1", codes.Codes[0]);
        await service.VerifyAsync("user-1", codes.Codes[0]);
        await service.RevokeAllAsync("user-1");
        context.Sink.Events.Should().HaveCountGreaterThanOrEqualTo(4);
        foreach (var e in context.Sink.Events)
        {
            var text = e.ToString() + string.Join(",", e.Properties?.Select(p => p.Key + "=" + p.Value) ?? []);
            foreach (var code in codes.Codes)
            {
                text.Should().NotContain(code).And.NotContain(code.Replace("-", "", StringComparison.Ordinal));
            }
        }
    }
}
