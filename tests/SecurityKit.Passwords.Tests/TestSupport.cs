using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Passwords.DangerZone;

namespace SecurityKit.Passwords.Tests;

/// <summary>Collects published events.</summary>
internal sealed class RecordingSink : ISecurityEventSink
{
    public ConcurrentQueue<SecurityEvent> Events { get; } = new();

    public void Handle(SecurityEvent securityEvent) => Events.Enqueue(securityEvent);

    public SecurityEvent[] Named(string name) => Events.Where(e => e.Name == name).ToArray();
}

/// <summary>Cheap hashers for unit tests (weak parameters through the DangerZone switch).</summary>
internal static class TestHashers
{
    public const int CheapMemoryKiB = 256;

    public static PasswordHasherOptions CheapOptions(Action<PasswordHasherOptions>? configure = null)
    {
        var options = new PasswordHasherOptions
        {
            Argon2MemoryKiB = CheapMemoryKiB,
            Argon2Iterations = 1,
            Argon2Parallelism = 1,
            BCryptWorkFactor = 4,
            MaxVerificationBCryptWorkFactor = 12,
            MaxConcurrentHashes = 4,
        }.AllowWeakParameters();
        configure?.Invoke(options);
        return options;
    }

    public static (PasswordHasher Hasher, RecordingSink Sink) Create(Action<PasswordHasherOptions>? configure = null, ISecretKeyRing? keyRing = null)
    {
        var sink = new RecordingSink();
        var time = new FakeTimeProvider();
        var hasher = new PasswordHasher(CheapOptions(configure), keyRing, time, new SecurityEventPublisher([sink], time));
        return (hasher, sink);
    }

    public static byte[] Key(byte fill) => Enumerable.Repeat(fill, 32).ToArray();

    public static SecretKeyRing PepperRing(params (string Id, byte Fill, bool Active)[] keys)
    {
        var options = new SecretKeyRingOptions();
        foreach (var (id, fill, active) in keys)
        {
            options.AddKey(KeyPurposes.PasswordPepper, id, Key(fill), active);
        }

        return new SecretKeyRing(options);
    }

    public static string RandomPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
}
