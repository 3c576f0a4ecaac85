using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Otp.Stores;

namespace SecurityKit.Otp.Tests;

internal sealed class RecordingSink : ISecurityEventSink
{
    public ConcurrentQueue<SecurityEvent> Events { get; } = new();

    public void Handle(SecurityEvent securityEvent) => Events.Enqueue(securityEvent);

    public IEnumerable<string> Names => Events.Select(e => e.Name);
}

/// <summary>Everything a service needs, on a fake clock.</summary>
internal sealed class OtpTestContext
{
    public static readonly byte[] RootKey1 = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    public static readonly byte[] RootKey2 = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    public OtpTestContext(ISecretKeyRing? keyRing = null, TotpOptions? totp = null, HotpOptions? hotp = null, OtpLockoutOptions? lockout = null, BackupCodeOptions? backup = null)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        KeyRing = keyRing ?? SecretKeyRing.FromRootKey("k1", RootKey1);
        Store = new InMemoryOtpStateStore(Time);
        BackupStore = new InMemoryBackupCodeStore();
        Lockout = lockout ?? new OtpLockoutOptions();
        Limiter = new StoreOtpFailureLimiter(Store, Lockout);
        Events = new SecurityEventPublisher([Sink], Time);
        TotpOptions = totp ?? new TotpOptions { Issuer = "Example" };
        HotpOptions = hotp ?? new HotpOptions { Issuer = "Example" };
        BackupOptions = backup ?? new BackupCodeOptions();
    }

    public FakeTimeProvider Time { get; }

    public ISecretKeyRing KeyRing { get; set; }

    public InMemoryOtpStateStore Store { get; }

    public InMemoryBackupCodeStore BackupStore { get; }

    public OtpLockoutOptions Lockout { get; }

    public StoreOtpFailureLimiter Limiter { get; }

    public RecordingSink Sink { get; } = new();

    public SecurityEventPublisher Events { get; }

    public TotpOptions TotpOptions { get; }

    public HotpOptions HotpOptions { get; }

    public BackupCodeOptions BackupOptions { get; }

    public TotpService Totp() => new(TotpOptions, KeyRing, Store, Limiter, Time, Events);

    public HotpService Hotp() => new(HotpOptions, KeyRing, Store, Limiter, Time, Events);

    public BackupCodeService Backup() => new(BackupOptions, KeyRing, BackupStore, Limiter, Time, Events);

    public static ISecretKeyRing RotatedRing() =>
        new SecretKeyRing(new SecretKeyRingOptions().AddKey(KeyPurposes.Root, "k1", RootKey1, active: false).AddKey(KeyPurposes.Root, "k2", RootKey2));

    public static byte[] SecretOf(OtpEnrollment enrollment) =>
        OtpAuthUri.TryParse(enrollment.KeyUri, out var parts) ? parts.Secret : throw new InvalidOperationException("bad uri");
}
