using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Otp;
using SecurityKit.RateLimiting.Login;
using SecurityKit.Sessions;
using SecurityKit.Tokens;
using SecurityKit.Tokens.RefreshTokens;

namespace SecurityKit.Redis.Tests;

/// <summary>
/// One pass over every Redis store through the public services: refresh-token families, sessions (at their limit, so
/// create evicts), TOTP with its replay guard, backup codes and login protection. The host must apply
/// <see cref="Configure"/> (three sessions per user, no refresh grace window so a replayed token is reuse).
/// </summary>
internal static class RedisStoreScenario
{
    public const int SessionsPerUser = 3;

    /// <summary>The whole stack on Redis at <paramref name="configuration"/> (keys under <paramref name="keyPrefix"/>),
    /// configured for <see cref="RunAsync"/>.</summary>
    public static ServiceProvider Provider(string configuration, string keyPrefix)
    {
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o =>
        {
            o.Configuration = configuration;
            o.KeyPrefix = keyPrefix;
        });
        Configure(services);
        return services.BuildServiceProvider();
    }

    public static void Configure(IServiceCollection services)
    {
        services.Configure<SessionOptions>(o => o.MaxSessionsPerUser = SessionsPerUser);
        services.Configure<TokenOptions>(o => o.Refresh.GraceWindow = TimeSpan.Zero);
    }

    public static async Task RunAsync(IServiceProvider provider, string user)
    {
        // Refresh tokens: families, rotation, reuse detection, revoke-all.
        var refresh = provider.GetRequiredService<RefreshTokenService>();
        var first = await refresh.IssueAsync(user);
        var second = await refresh.IssueAsync(user);
        var rotated = await refresh.RefreshAsync(first.Token);
        rotated.Status.Should().Be(RefreshStatus.Refreshed);
        (await refresh.RefreshAsync(first.Token)).Status.Should().Be(RefreshStatus.ReuseDetected);
        (await refresh.ListFamiliesAsync(user)).Should().HaveCount(1, "reuse revoked the first family");
        (await refresh.RevokeUserAsync(user)).Should().Be(1);
        (await refresh.RefreshAsync(second.Token)).Status.Should().NotBe(RefreshStatus.Refreshed);

        // Sessions: create up to the limit and one more (evicts the oldest), validate, rotate, list, revoke one, revoke
        // all others, revoke all.
        var sessions = provider.GetRequiredService<SessionManager>();
        var created = new List<SessionIssueResult>();
        for (var i = 0; i <= SessionsPerUser; i++)
        {
            var session = await sessions.CreateAsync(user);
            session.Succeeded.Should().BeTrue();
            created.Add(session);
        }

        (await sessions.ValidateAsync(created[0].Token)).IsValid.Should().BeFalse("the fourth create evicted the oldest");
        (await sessions.ValidateAsync(created[1].Token)).IsValid.Should().BeTrue();
        var rotatedSession = await sessions.RotateAsync(created[1].Token);
        rotatedSession.Succeeded.Should().BeTrue();
        (await sessions.ListAsync(user)).Should().HaveCount(SessionsPerUser);
        (await sessions.RevokeAsync(created[2].Token)).Should().BeTrue();
        (await sessions.RevokeAllOthersAsync(rotatedSession.Token)).Should().Be(1);
        (await sessions.RevokeAllAsync(user)).Should().Be(1);
        (await sessions.ValidateAsync(rotatedSession.Token)).IsValid.Should().BeFalse();

        // TOTP with the replay guard, and backup codes.
        var totp = provider.GetRequiredService<TotpService>();
        var enrollment = totp.BeginEnrollment(user, "alice@example.com");
        OtpAuthUri.TryParse(enrollment.KeyUri, out var app).Should().BeTrue();
        var code = Totp.ComputeCode(app!.Secret, TimeProvider.System.GetUtcNow());
        var confirmed = await totp.ConfirmEnrollmentAsync(user, enrollment.ProtectedSecret, code);
        confirmed.Succeeded.Should().BeTrue();
        (await totp.VerifyAsync(user, confirmed.ProtectedSecret!, code)).Status.Should().Be(OtpVerificationStatus.Replayed);
        var backup = provider.GetRequiredService<BackupCodeService>();
        var codes = await backup.GenerateAsync(user);
        (await backup.VerifyAsync(user, codes.Codes[0])).Status.Should().Be(BackupCodeVerificationStatus.Success);
        (await backup.VerifyAsync(user, codes.Codes[0])).Status.Should().NotBe(BackupCodeVerificationStatus.Success, "single use");

        // Login protection: lockout counters and IP token buckets.
        var login = provider.GetRequiredService<LoginProtector>();
        var attempt = new LoginAttempt(user + "@example.com", IPAddress.Parse("203.0.113.7"));
        (await login.AttemptAsync(attempt, _ => ValueTask.FromResult(false))).Status.Should().Be(LoginAttemptStatus.Failed);
        (await login.AttemptAsync(attempt, _ => ValueTask.FromResult(true))).Succeeded.Should().BeTrue();
    }
}
