using System.Net;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.RateLimiting.Login;
using SecurityKit.RateLimiting.Stores;

namespace SecurityKit.RateLimiting.Tests.Login;

/// <summary>What every login-protection test needs: a fake clock, an in-memory store behind a switchable
/// <see cref="FlakyStore"/>, captured events, and an attempt helper that counts credential checks.</summary>
public abstract class LoginProtectorTestBase
{
    private int _verifications;

    protected LoginProtectorTestBase()
    {
        Store = new FlakyStore(new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), Time));
        (Publisher, Sink) = CapturingSink.Create(Time);
    }

    protected FakeTimeProvider Time { get; } = TestKeys.Clock();

    internal FlakyStore Store { get; }

    internal CapturingSink Sink { get; }

    protected Events.SecurityEventPublisher Publisher { get; }

    /// <summary>Gets how many times an attempt reached the credential check.</summary>
    protected int Verifications => Volatile.Read(ref _verifications);

    /// <summary>Counts one credential check (for tests that pass their own check).</summary>
    protected void CountVerification() => Interlocked.Increment(ref _verifications);

    protected LoginProtector Create(Action<LoginProtectionOptions>? configure = null)
    {
        var options = new LoginProtectionOptions();
        configure?.Invoke(options);
        return new LoginProtector(Store, options, TestKeys.Ring(), Time, Publisher, TimeSpan.FromMilliseconds(200));
    }

    /// <summary>A protector whose account curve reaches the 100-failure hard stop in 100 attempts 4 ms apart, with the
    /// address buckets too wide to interfere.</summary>
    protected LoginProtector CreateHundredFailureRun() => Create(o =>
    {
        o.InitialDelay = TimeSpan.FromMilliseconds(1);
        o.MaxLockoutDuration = TimeSpan.FromMilliseconds(4);
        o.IpFailureLimit = 100_000;
        o.NetworkFailureLimit = 100_000;
        o.WideNetworkFailureLimit = 100_000;
    });

    protected ValueTask<LoginAttemptResult> Attempt(LoginProtector protector, string account, string ip, bool correct = false, string? device = null) =>
        protector.AttemptAsync(new LoginAttempt(account, IPAddress.Parse(ip)) { TrustedDeviceToken = device }, _ =>
        {
            CountVerification();
            return ValueTask.FromResult(correct);
        });
}
