using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SecurityKit.Keys;
using SecurityKit.Primitives;
using SecurityKit.Stores.Otp;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.Otp;

/// <summary>
/// Limits failed second-factor verifications per user with the progressive-lockout curve of SecurityKit's rate-limit
/// store (<see cref="IRateLimitStore.RegisterAttemptAsync"/>): a few free attempts, then delays that double up to a
/// cap, and a hard stop at <see cref="LockoutRule.MaxConsecutiveFailures"/> (NIST SP 800-63B §5.2.2: at most 100)
/// until the failure window passes. A success resets the count.
/// </summary>
/// <remarks>
/// <para>Counts live in whichever <see cref="IRateLimitStore"/> is registered: in memory by default, shared by every
/// instance after <c>UseRedis</c>. The store key is <c>otp-failures:</c> followed by an HMAC-SHA256 of the user id under
/// the key ring's <see cref="KeyPurposes.RateLimitKeys"/> key (its id included) when a key ring is given (as
/// <c>UseProgressiveOtpLockout</c> does), else a SHA-256 digest: user ids do not appear in the store, and with the key
/// nobody who reads it can test guessed ids; any length of id fits the store's key limit.</para>
/// <para>Like the built-in counter, an attempt is recorded before the code is checked, so concurrent guesses
/// cannot exceed the curve; a delay or lockout is reported as <see cref="OtpAttempt.RetryAfter"/>.</para>
/// <para><b>Security:</b> the count is per user, so anyone who knows a user id can slow that user's second factor
/// (and, after the hard stop, lock it for the failure window); rate-limit by client IP as well.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class ProgressiveOtpFailureLimiter : IOtpFailureLimiter
{
    /// <summary>The default curve: 5 free attempts, then 1 s doubling to 15 min, hard stop at 100 until a day without failures.</summary>
    public static readonly LockoutRule DefaultRule = new(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15), 100, TimeSpan.FromDays(1), permanent: false);

    private readonly IRateLimitStore _store;
    private readonly LockoutRule _rule;
    private readonly ISecretKeyRing? _keyRing;

    /// <summary>Initializes the limiter.</summary>
    /// <param name="store">The rate-limit store holding the counts.</param>
    /// <param name="rule">The curve, or <see langword="null"/> for <see cref="DefaultRule"/>. Its hard stop must be at most 100.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The rule allows more than 100 consecutive failures, locks permanently, or lets an
    /// attacker keep up more than <see cref="LockoutRule.SafeAttemptsPerDay"/> guesses a day (<see cref="LockoutRule.SustainedAttemptsPerDay"/>).</exception>
    public ProgressiveOtpFailureLimiter(IRateLimitStore store, LockoutRule? rule = null)
        : this(store, null, rule)
    {
    }

    /// <summary>Initializes the limiter with keyed store keys (what <c>UseProgressiveOtpLockout</c> registers).</summary>
    /// <param name="store">The rate-limit store holding the counts.</param>
    /// <param name="keyRing">The key ring: store keys are an HMAC of the user id under its <see cref="KeyPurposes.RateLimitKeys"/>
    /// key, so someone who reads the store cannot test guessed user ids (e-mail addresses) against it.</param>
    /// <param name="rule">The curve, or <see langword="null"/> for <see cref="DefaultRule"/>. Its hard stop must be at most 100.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The rule allows more than 100 consecutive failures, locks permanently, or lets an
    /// attacker keep up more than <see cref="LockoutRule.SafeAttemptsPerDay"/> guesses a day (<see cref="LockoutRule.SustainedAttemptsPerDay"/>).</exception>
    public ProgressiveOtpFailureLimiter(IRateLimitStore store, ISecretKeyRing? keyRing, LockoutRule? rule = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        rule ??= DefaultRule;
        ThrowIfUnsafe(rule);
        _store = store;
        _keyRing = keyRing;
        _rule = rule;
    }

    /// <summary>Gets the curve in force.</summary>
    public LockoutRule Rule => _rule;

    internal static void ThrowIfUnsafe(LockoutRule rule)
    {
        if (rule.MaxConsecutiveFailures > 100)
        {
            throw new ArgumentException("The OTP lockout rule must stop at 100 consecutive failures or fewer (NIST SP 800-63B §5.2.2); lower MaxConsecutiveFailures.", nameof(rule));
        }

        if (rule.Permanent)
        {
            throw new ArgumentException("A permanent OTP lockout lets anyone who knows a user id disable that user's second factor; use a failure window instead.", nameof(rule));
        }

        if (rule.SustainedAttemptsPerDay > LockoutRule.SafeAttemptsPerDay)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The OTP lockout rule lets an attacker keep up {rule.SustainedAttemptsPerDay:N0} guesses a day against one user (runs of attempts, then waiting out FailureWindow); at most {LockoutRule.SafeAttemptsPerDay:N0} are accepted. Lengthen FailureWindow or the delays (e.g. ProgressiveOtpFailureLimiter.DefaultRule)."),
                nameof(rule));
        }
    }

    /// <inheritdoc />
    public async ValueTask<OtpAttempt> BeginAttemptAsync(string userId, CancellationToken cancellationToken = default)
    {
        var decision = await _store.RegisterAttemptAsync(KeyOf(userId, _keyRing), _rule, cancellationToken).ConfigureAwait(false);
        return decision.IsAllowed
            ? new OtpAttempt(true, Math.Max(0, decision.Failures - 1))
            : new OtpAttempt(false, decision.Failures) { RetryAfter = decision.RetryAfter };
    }

    /// <inheritdoc />
    public ValueTask RecordSuccessAsync(string userId, CancellationToken cancellationToken = default) =>
        _store.ResetAsync(KeyOf(userId, _keyRing), cancellationToken);

    internal static string KeyOf(string userId, ISecretKeyRing? keyRing = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (userId.Length > IOtpStateStore.MaxUserIdLength)
        {
            throw new ArgumentException($"The user id must be at most {IOtpStateStore.MaxUserIdLength} characters.", nameof(userId));
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        if (keyRing is not null && keyRing.TryGetActiveKey(KeyPurposes.RateLimitKeys, out var key))
        {
            HMACSHA256.HashData(key.Material, Encoding.UTF8.GetBytes("SecurityKit.OtpFailures.v1\0" + userId), digest);
            return "otp-failures:" + key.KeyId + ":" + Base64Url.Encode(digest);
        }

        SHA256.HashData(Encoding.UTF8.GetBytes(userId), digest);
        return "otp-failures:" + Base64Url.Encode(digest);
    }
}
