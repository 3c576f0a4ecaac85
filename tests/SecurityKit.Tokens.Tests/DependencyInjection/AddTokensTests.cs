using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecurityKit.Stores.Tokens;
using SecurityKit.Tokens.AccessTokens;
using SecurityKit.Tokens.Jose;
using SecurityKit.Tokens.Jwt;
using SecurityKit.Tokens.Keys;
using SecurityKit.Tokens.RefreshTokens;

namespace SecurityKit.Tokens.Tests.DependencyInjection;

public sealed class AddTokensTests
{
    [Fact]
    public async Task AddTokens_WithRootKey_DerivesHs256KeyAndWorksEndToEnd()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddTokens(o => o.Issuer = "https://id.example");
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();

        var keys = provider.GetRequiredService<SigningKeySet>();
        keys.ActiveKey.KeyId.Should().MatchRegex("^ring-ephemeral-[a-z0-9]{8}$");
        keys.ActiveKey.Algorithm.Should().Be(JwsAlgorithm.HS256);
        var access = provider.GetRequiredService<AccessTokenService>();
        var token = await access.IssueAsync(new JwtDescriptor { Subject = "u" });
        (await access.ValidateAsync(token)).IsValid.Should().BeTrue();
        var refresh = provider.GetRequiredService<RefreshTokenService>();
        var issued = await refresh.IssueAsync("u");
        (await refresh.RefreshAsync(issued.Token)).Succeeded.Should().BeTrue();
        provider.GetRequiredService<RefreshTokenStore>().Should().BeOfType<InMemoryRefreshTokenStore>();
        provider.GetRequiredService<TokenVersionStore>().Should().BeOfType<InMemoryTokenVersionStore>();
    }

    [Fact]
    public async Task AddTokens_RootKeyRotated_TokensOfThePreviousKeyValidateUntilItIsRemoved()
    {
        var first = RandomNumberGenerator.GetBytes(32);
        var second = RandomNumberGenerator.GetBytes(32);
        ServiceProvider Host(Action<SecurityKit.Keys.SecretKeyRingOptions> keys)
        {
            var services = new ServiceCollection();
            services.AddSecurityKitCore(keys).AddTokens(o => o.Issuer = "https://id.example");
            var provider = services.BuildServiceProvider();
            provider.GetRequiredService<IStartupValidator>().Validate();
            return provider;
        }

        string old;
        using (var before = Host(k => k.AddKey(SecurityKit.Keys.KeyPurposes.Root, "root-1", first)))
        {
            old = await before.GetRequiredService<AccessTokenService>().IssueAsync(new JwtDescriptor { Subject = "u" });
        }

        // The operator adds root-2 as the active key and keeps root-1: outstanding tokens keep working.
        using (var rotated = Host(k => k.AddKey(SecurityKit.Keys.KeyPurposes.Root, "root-1", first, active: false).AddKey(SecurityKit.Keys.KeyPurposes.Root, "root-2", second)))
        {
            rotated.GetRequiredService<SigningKeySet>().ActiveKey.KeyId.Should().Be("ring-root-2");
            var access = rotated.GetRequiredService<AccessTokenService>();
            (await access.ValidateAsync(old)).IsValid.Should().BeTrue("a token of the previous root key validates until it expires");
            var issued = await access.IssueAsync(new JwtDescriptor { Subject = "u" });
            rotated.GetRequiredService<JwtValidator>().Validate(issued).Key!.KeyId.Should().Be("ring-root-2", "new tokens use the new key");
        }

        // Once root-1 is removed its tokens are refused.
        using var after = Host(k => k.AddKey(SecurityKit.Keys.KeyPurposes.Root, "root-2", second));
        (await after.GetRequiredService<AccessTokenService>().ValidateAsync(old)).IsValid.Should().BeFalse();
        after.GetRequiredService<JwtValidator>().Validate(old).FailureReason.Should().Be(JwtFailureReason.UnknownKeyId);
    }

    [Fact]
    public async Task AddTokens_SigningPurposeWithItsOwnKey_RefusesTokensUnderRootDerivedKeys()
    {
        // The ring listed the root keys for every purpose, so a token signed with the key derived from the root key (by
        // anyone holding the root key) validated although token-signing had a separate key to isolate it.
        var root = RandomNumberGenerator.GetBytes(32);
        var signing = RandomNumberGenerator.GetBytes(32);
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddKey(SecurityKit.Keys.KeyPurposes.Root, "r1", root).AddKey(TokenKeyPurposes.Signing, "s1", signing))
            .AddTokens(o => o.Issuer = "https://id.example");
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var keys = provider.GetRequiredService<SigningKeySet>();
        keys.ActiveKey.KeyId.Should().Be("ring-s1");
        keys.Keys.Select(k => k.KeyId).Should().Equal("ring-s1");

        // A token made with the root-derived signing key, as someone holding only the root key could make it.
        var rootOnly = new SecurityKit.Keys.SecretKeyRing(new SecurityKit.Keys.SecretKeyRingOptions().AddKey(SecurityKit.Keys.KeyPurposes.Root, "r1", root));
        rootOnly.TryGetActiveKey(TokenKeyPurposes.Signing, out var derived).Should().BeTrue();
        var issuerOptions = new JwtIssuerOptions { Issuer = "https://id.example" };
        issuerOptions.Audiences.Add("securitykit");
        var forger = new JwtIssuer(new SigningKeySet(SigningKey.FromSecretKey(derived!)), issuerOptions);
        var forged = forger.CreateToken(new JwtDescriptor { Subject = "admin" });

        var result = await provider.GetRequiredService<AccessTokenService>().ValidateAsync(forged);
        result.IsValid.Should().BeFalse();
        result.FailureReason.Should().Be(JwtFailureReason.UnknownKeyId);
    }

    [Fact]
    public void AddTokens_MoreRingKeysThanASigningKeySetHolds_StartupErrorSaysWhatToDo()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k =>
        {
            for (var i = 0; i < 17; i++)
            {
                k.AddKey(SecurityKit.Keys.KeyPurposes.Root, $"r{i:D2}", RandomNumberGenerator.GetBytes(32), active: i == 16);
            }
        }).AddTokens(o => o.Issuer = "https://id.example");
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*17 keys for access-token signing*at most 16*");
    }

    [Fact]
    public async Task Refresh_SignOutEverywhereBetweenRotationAndIssue_CaughtByTheFamilyCheck()
    {
        // The race: a refresh rotates, then the user signs out everywhere (families revoked, then the version bumped),
        // then the refresh's access token is issued: it carries the new version and validates. The documented flow
        // checks the family after issuing and discards the token.
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddTokens(o => o.Issuer = "https://id.example");
        using var provider = services.BuildServiceProvider();
        var access = provider.GetRequiredService<AccessTokenService>();
        var refresh = provider.GetRequiredService<RefreshTokenService>();
        var issued = await refresh.IssueAsync("u");

        var rotated = await refresh.RefreshAsync(issued.Token);
        rotated.Status.Should().Be(RefreshStatus.Refreshed);
        (await refresh.IsActiveAsync(rotated.Family!.FamilyId)).Should().BeTrue();

        (await refresh.RevokeUserAsync("u")).Should().Be(1);
        await access.SignOutEverywhereAsync("u");
        var late = await access.IssueAsync(new JwtDescriptor { Subject = "u" });

        (await access.ValidateAsync(late)).IsValid.Should().BeTrue("the version was read after the bump: this is the race");
        (await refresh.IsActiveAsync(rotated.Family.FamilyId)).Should().BeFalse("so the host discards the token it just issued");
        (await refresh.IsActiveAsync("no-such-family")).Should().BeFalse();
    }

    [Fact]
    public async Task AddTokens_DescriptorLifetimeLongerThanTheValidatorAccepts_RefusedWhenIssued()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddTokens(o => o.Issuer = "https://id.example");
        using var provider = services.BuildServiceProvider();
        var access = provider.GetRequiredService<AccessTokenService>();

        await access.Invoking(a => a.IssueAsync(new JwtDescriptor { Subject = "u", Lifetime = TimeSpan.FromHours(2) }).AsTask())
            .Should().ThrowAsync<ArgumentException>().WithMessage("*MaxLifetime*lifetime_too_long*");
        var shorter = await access.IssueAsync(new JwtDescriptor { Subject = "u", Lifetime = TimeSpan.FromMinutes(5) });
        (await access.ValidateAsync(shorter)).IsValid.Should().BeTrue();
    }

    [Fact]
    public void AddTokens_NoKeysAtAll_FailsAtStartupSayingWhatToSet()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddTokens();
        using var provider = services.BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>().WithMessage("*signing key*root key*TokenOptions.SigningKeys*");
    }

    [Fact]
    public void AddTokens_ShortHmacKey_FailsAtStartup()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddTokens(o => o.SigningKeys.Add(new SigningKeyEntry { KeyId = "k1", Value = Convert.ToBase64String(new byte[16]) }));
        using var provider = services.BuildServiceProvider();
        provider.Invoking(p => p.GetRequiredService<IStartupValidator>().Validate()).Should().Throw<OptionsValidationException>().WithMessage("*256 bits*");
    }

    [Fact]
    public void AddTokens_SmallRsaKey_FailsAtStartup()
    {
        using var rsa = RSA.Create(1024);
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddTokens(o => o.SigningKeys.Add(new SigningKeyEntry { KeyId = "r", Algorithm = JwsAlgorithm.RS256, Value = rsa.ExportPkcs8PrivateKeyPem() }));
        using var provider = services.BuildServiceProvider();
        provider.Invoking(p => p.GetRequiredService<IStartupValidator>().Validate()).Should().Throw<OptionsValidationException>().WithMessage("*2048*");
    }

    [Fact]
    public void AddTokens_PemKeysWithRotation_ActiveSignsOthersValidate()
    {
        using var current = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var previous = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddTokens(o =>
        {
            o.SigningKeys.Add(new SigningKeyEntry { KeyId = "2026-02", Algorithm = JwsAlgorithm.ES256, Value = current.ExportPkcs8PrivateKeyPem(), Active = true });
            o.SigningKeys.Add(new SigningKeyEntry { KeyId = "2026-01", Algorithm = JwsAlgorithm.ES256, Value = previous.ExportSubjectPublicKeyInfoPem() });
        });
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var keys = provider.GetRequiredService<SigningKeySet>();
        keys.ActiveKey.KeyId.Should().Be("2026-02");
        keys.Keys.Select(k => k.KeyId).Should().Equal("2026-02", "2026-01");
        keys.ExportJwks().Should().Contain("2026-01").And.Contain("2026-02");
    }

    [Fact]
    public void AddTokens_PemKeysWithRotation_ATokenSignedWithThePreviousKeyValidates_AnUnknownKeysDoesNot()
    {
        using var current = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var previous = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddTokens(o =>
        {
            o.Issuer = "https://id.example";
            o.SigningKeys.Add(new SigningKeyEntry { KeyId = "2026-02", Algorithm = JwsAlgorithm.ES256, Value = current.ExportPkcs8PrivateKeyPem(), Active = true });
            o.SigningKeys.Add(new SigningKeyEntry { KeyId = "2026-01", Algorithm = JwsAlgorithm.ES256, Value = previous.ExportSubjectPublicKeyInfoPem() });
        });
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var validator = provider.GetRequiredService<JwtValidator>();
        var options = new JwtIssuerOptions { Issuer = "https://id.example" };
        options.Audiences.Add("securitykit");

        // Issued before the rotation, by the instance that still held the previous private key.
        var old = new JwtIssuer(new SigningKeySet(SigningKey.FromEcdsa("2026-01", previous)), options).CreateToken(new JwtDescriptor { Subject = "alice" });
        validator.Validate(old).IsValid.Should().BeTrue("the previous key still validates");
        validator.Validate(provider.GetRequiredService<JwtIssuer>().CreateToken(new JwtDescriptor { Subject = "alice" })).IsValid.Should().BeTrue();

        // The same key id with another key pair: the signature is checked against the configured public key.
        var impostor = new JwtIssuer(new SigningKeySet(SigningKey.FromEcdsa("2026-01", stranger)), options).CreateToken(new JwtDescriptor { Subject = "alice" });
        validator.Validate(impostor).FailureReason.Should().Be(JwtFailureReason.InvalidSignature);
    }

    [Fact]
    public void AddTokens_ValidatorCapsTheLifetimeAtAccessTokenLifetimePlusClockSkew()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddTokens(o =>
        {
            o.Issuer = "https://id.example";
            o.AccessTokenLifetime = TimeSpan.FromMinutes(10);
            o.ClockSkew = TimeSpan.FromSeconds(30);
        });
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var keys = provider.GetRequiredService<SigningKeySet>();
        var validator = provider.GetRequiredService<JwtValidator>();
        string Issued(TimeSpan lifetime)
        {
            var options = new JwtIssuerOptions { Issuer = "https://id.example", Lifetime = lifetime, MaxLifetime = TimeSpan.FromDays(1) };
            options.Audiences.Add("securitykit");
            return new JwtIssuer(keys, options).CreateToken(new JwtDescriptor { Subject = "alice" });
        }

        validator.Validate(Issued(TimeSpan.FromSeconds(630))).IsValid.Should().BeTrue("10 min + 30 s is the cap");
        validator.Validate(Issued(TimeSpan.FromSeconds(631))).FailureReason.Should().Be(JwtFailureReason.LifetimeTooLong);
        validator.Validate(Issued(TimeSpan.FromDays(1))).FailureReason.Should().Be(JwtFailureReason.LifetimeTooLong, "not the validator's own default of a day");
    }

    [Fact]
    public void AddTokens_TwoActiveKeys_FailsAtStartup()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore().AddTokens(o =>
        {
            o.SigningKeys.Add(new SigningKeyEntry { KeyId = "a", Value = Convert.ToBase64String(new byte[32]), Active = true });
            o.SigningKeys.Add(new SigningKeyEntry { KeyId = "b", Value = Convert.ToBase64String(new byte[32]), Active = true });
        });
        using var provider = services.BuildServiceProvider();
        provider.Invoking(p => p.GetRequiredService<IStartupValidator>().Validate()).Should().Throw<OptionsValidationException>().WithMessage("*exactly one*");
    }

    [Fact]
    public void AddTokens_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        var builder = services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddTokens();
        var count = services.Count;
        builder.AddTokens();
        services.Count.Should().Be(count);
    }

    [Fact]
    public void AddTokens_BadOptions_FailsWithMessages()
    {
        var services = new ServiceCollection();
        services.AddSecurityKitCore(k => k.AddEphemeralRootKey()).AddTokens(o =>
        {
            o.Issuer = "";
            o.ClockSkew = TimeSpan.FromMinutes(10);
            o.Refresh.GraceWindow = TimeSpan.FromMinutes(10);
        });
        using var provider = services.BuildServiceProvider();
        provider.Invoking(p => p.GetRequiredService<IStartupValidator>().Validate()).Should().Throw<OptionsValidationException>()
            .WithMessage("*Issuer*").And.Message.Should().Contain("ClockSkew").And.Contain("GraceWindow");
    }
}
