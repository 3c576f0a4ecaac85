using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SecurityKit.Otp;
using SecurityKit.Sessions;
using SecurityKit.Tokens.RefreshTokens;

namespace SecurityKit.Redis.Tests;

/// <summary>
/// The whole stack on Redis (<c>AddSecurityKit().UseRedis(…)</c>) with the server stopped mid-test: refresh-token
/// rotation, session validation and TOTP verification fail closed (an exception, never a success) within the
/// timeouts, and work again once the server is back. A private redis-server, so the shared one is not disturbed.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStoreFaultTests : IAsyncLifetime
{
    private readonly RedisServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [SkippableFact]
    public async Task ServerDown_RefreshSessionAndOtp_FailClosedWithinTheTimeouts_ThenWorkAgain()
    {
        _server.EnsureAvailable();
        var services = new ServiceCollection();
        services.AddSecurityKit().ConfigureKeys(k => k.AddEphemeralRootKey()).UseRedis(o =>
        {
            o.Configuration = _server.ConnectionString;
            o.KeyPrefix = "fault:";
            o.OperationTimeout = TimeSpan.FromMilliseconds(500);
        });
        await using var provider = services.BuildServiceProvider();
        var refresh = provider.GetRequiredService<RefreshTokenService>();
        var sessions = provider.GetRequiredService<SessionManager>();
        var totp = provider.GetRequiredService<TotpService>();

        var issued = await refresh.IssueAsync("user-1");
        var session = await sessions.CreateAsync("user-1");
        session.Succeeded.Should().BeTrue();
        var enrollment = totp.BeginEnrollment("user-1", "alice@example.com");
        OtpAuthUri.TryParse(enrollment.KeyUri, out var app).Should().BeTrue();
        var confirmed = await totp.ConfirmEnrollmentAsync("user-1", enrollment.ProtectedSecret, Totp.ComputeCode(app!.Secret, TimeProvider.System.GetUtcNow()));
        confirmed.Succeeded.Should().BeTrue();

        _server.StopServer();
        var clock = Stopwatch.StartNew();

        await FluentActions.Awaiting(() => refresh.RefreshAsync(issued.Token).AsTask()).Should().ThrowAsync<Exception>("no token is rotated without the store");
        await FluentActions.Awaiting(() => sessions.ValidateAsync(session.Token).AsTask()).Should().ThrowAsync<Exception>("no session is valid without the store");
        await FluentActions.Awaiting(() => totp.VerifyAsync("user-1", confirmed.ProtectedSecret!, Totp.ComputeCode(app.Secret, TimeProvider.System.GetUtcNow())).AsTask())
            .Should().ThrowAsync<Exception>("no code is accepted without the replay guard");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "each call is bounded by the connection's timeouts");

        await _server.RestartAsync();

        // The restarted server has no data (no persistence in the test): old credentials are refused, never accepted,
        // and new ones work once the client has reconnected.
        var recovery = Stopwatch.StartNew();
        IssuedRefreshToken? fresh = null;
        while (fresh is null && recovery.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                fresh = await refresh.IssueAsync("user-1");
            }
            catch (Exception) when (recovery.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }

        fresh.Should().NotBeNull("the client reconnects to the restarted server");
        (await refresh.RefreshAsync(issued.Token)).Status.Should().Be(RefreshStatus.Invalid);
        (await refresh.RefreshAsync(fresh!.Token)).Status.Should().Be(RefreshStatus.Refreshed);
        (await sessions.ValidateAsync(session.Token)).IsValid.Should().BeFalse();
        (await sessions.CreateAsync("user-1")).Succeeded.Should().BeTrue();
    }
}
