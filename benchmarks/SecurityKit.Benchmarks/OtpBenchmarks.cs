using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using SecurityKit.Keys;
using SecurityKit.Otp;
using SecurityKit.Otp.DangerZone;
using SecurityKit.Otp.Stores;

namespace SecurityKit.Benchmarks;

/// <summary>
/// TOTP verification with a ±1 step window: SecurityKit's span-based core vs the floor (three bare
/// HMAC-SHA1 computations over the same 8-byte counters) vs Otp.NET 1.4.1's VerifyTotp.
/// Goal (DESIGN.md): ≤ 1.5× the floor, 0 B allocated.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class OtpBenchmarks
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_015);
    private byte[] _secret = [];
    private string _code = "";
    private string _wrongCode = "";
    private OtpNet.Totp _otpNet = null!;
    private OtpNet.VerificationWindow _window = null!;
    private DateTime _now;
    private TotpService _service = null!;
    private string _protected = "";

    [GlobalSetup]
    public void Setup()
    {
        _secret = RandomNumberGenerator.GetBytes(20);
        _code = SecurityKit.Otp.Totp.ComputeCode(_secret, Now);
        _wrongCode = _code == "000000" ? "000001" : "000000";
        _otpNet = new OtpNet.Totp(_secret);
        _window = new OtpNet.VerificationWindow(previous: 1, future: 1);
        _now = Now.UtcDateTime;

        var time = new FixedTimeProvider(Now);
        var ring = SecretKeyRing.FromRootKey("k1", RandomNumberGenerator.GetBytes(32));
        var store = new InMemoryOtpStateStore(time);
        var options = new TotpOptions { Issuer = "Bench", AllowedStepsAhead = 1 }.DisableReplayProtection();
        _service = new TotpService(options, ring, store, new StoreOtpFailureLimiter(store, new OtpLockoutOptions()), time);
        var enrollment = _service.BeginEnrollment("user", "user@example.com");
        var uriSecret = OtpAuthUri.TryParse(enrollment.KeyUri, out var parts) ? parts.Secret : throw new InvalidOperationException();
        var confirm = _service.ConfirmEnrollmentAsync("user", enrollment.ProtectedSecret, SecurityKit.Otp.Totp.ComputeCode(uriSecret, Now)).AsTask().GetAwaiter().GetResult();
        _protected = confirm.ProtectedSecret ?? throw new InvalidOperationException(confirm.ToString());
        _secretForService = uriSecret;
    }

    private byte[] _secretForService = [];

    [Benchmark(Baseline = true, Description = "Floor: 3 × HMACSHA1.HashData")]
    public int ThreeBareHmacSha1()
    {
        Span<byte> message = stackalloc byte[8];
        Span<byte> mac = stackalloc byte[20];
        var step = SecurityKit.Otp.Totp.GetTimeStep(Now);
        var acc = 0;
        for (var s = step - 1; s <= step + 1; s++)
        {
            BinaryPrimitives.WriteInt64BigEndian(message, s);
#pragma warning disable CA5350
            HMACSHA1.HashData(_secret, message, mac);
#pragma warning restore CA5350
            acc ^= mac[19];
        }

        return acc;
    }

    [Benchmark(Description = "SecurityKit Totp.VerifyCode ±1 (match)")]
    public bool SecurityKitVerify() => SecurityKit.Otp.Totp.VerifyCode(_secret, _code, Now, 1, 1, out _);

    [Benchmark(Description = "SecurityKit Totp.VerifyCode ±1 (no match)")]
    public bool SecurityKitVerifyWrong() => SecurityKit.Otp.Totp.VerifyCode(_secret, _wrongCode, Now, 1, 1, out _);

    [Benchmark(Description = "Otp.NET VerifyTotp ±1 (match)")]
    public bool OtpNetVerify() => _otpNet.VerifyTotp(_now, _code, out _, _window);

    [Benchmark(Description = "Otp.NET VerifyTotp ±1 (no match)")]
    public bool OtpNetVerifyWrong() => _otpNet.VerifyTotp(_now, _wrongCode, out _, _window);

    [Benchmark(Description = "TotpService.VerifyAsync ±1 (AES-GCM + in-memory store, replay guard off)")]
    public bool ServiceVerify() =>
        _service.VerifyAsync("user", _protected, SecurityKit.Otp.Totp.ComputeCode(_secretForService, Now)).AsTask().GetAwaiter().GetResult().Succeeded;
}

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
