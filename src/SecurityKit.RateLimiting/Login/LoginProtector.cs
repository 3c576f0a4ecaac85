/*
 * Store keys of the login protector (each then prefixed by the store, e.g. Redis "sk:rl:{...}"):
 *
 *   login:a:<kid>:<mac>   account counter        (LockoutRule, permanent only with PermanentLockout)
 *   login:p:<kid>:<mac>   account + client IP     (LockoutRule, never permanent)
 *   login:d:<kid>:<mac>   account + trusted device (LockoutRule, never permanent); the device is the random id inside a
 *                         verified trusted-device token
 *   login:i:<kid>:<mac>   client IP failures      (token bucket IpFailureLimit / IpWindow)
 *   login:n:<kid>:<mac>   IPv6 /64 failures       (token bucket NetworkFailureLimit / IpWindow)
 *   login:w:<kid>:<mac>   IPv6 /48 failures       (token bucket WideNetworkFailureLimit / IpWindow)
 *
 * <kid> is the id of the active rate-limit-keys key; <mac> is base64url (no padding, 22 chars) of the first
 * 16 bytes of HMAC-SHA256(key, UTF-8(tag || 0x1F || part1 [|| 0x1F || part2])) where the account part is the
 * normalised account id (trimmed, NFKC, lower-case invariant), the IP part the canonical address text
 * (IPv4-mapped IPv6 as IPv4, scope id dropped), the network part the first 8 address bytes in hex, the
 * device part the random device id (base64url) inside a verified trusted-device token. Raw identifiers never
 * reach the store. Rotating the key starts fresh counters.
 */
using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Primitives;
using SecurityKit.RateLimiting.Stores;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting.Login;

/// <summary>
/// Brute-force and credential-stuffing protection for sign-in: one call per attempt that checks the account,
/// account + IP (or trusted device), client IP, IPv6 /64 and /48 counters, runs the credential check only when allowed,
/// and records the outcome.
/// </summary>
/// <remarks>
/// <para>Progressive response per account: free attempts → delay required (<see cref="LoginAttemptStatus.Throttled"/>) →
/// temporarily locked with exponential backoff and a cap (<see cref="LoginAttemptStatus.Locked"/>) → hard stop at
/// <see cref="LoginProtectionOptions.MaxConsecutiveFailures"/> (≤ 100). A success resets the counters it went through
/// (a trusted device's success below the lockout threshold resets only its device counter).</para>
/// <para>Lockout-DoS resistance: failures from one IP against many accounts block that IP (and its /64 and /48; an IPv4
/// client behind NAT64, <c>64:ff9b::a.b.c.d</c>, counts as its IPv4 address); attempts from a
/// trusted device (<see cref="LoginAttempt.TrustedDeviceToken"/>, issued by <see cref="IssueTrustedDeviceToken"/> after a
/// successful sign-in and verified here) are judged on their own account + device counter, so an attacker elsewhere
/// cannot lock the owner out of it.</para>
/// <para>Every attempt is registered as a failure before the credentials are checked and reset on success, so parallel
/// attempts cannot slip past a threshold. Counters are individually atomic and checked in steps: the IP bucket, then
/// (IPv6, if it admitted the attempt) the /64 bucket, then (if both admitted it) the /48 bucket, then the account and
/// account + IP (or account + device) counters together. An attempt refused by one account counter may still have been
/// counted by the other (and can take it to the lockout threshold: <c>ratelimit.locked</c> judges each counter).</para>
/// <para>Without <see cref="LoginAttempt.ClientIp"/> no address bucket is charged: only the account counters limit the
/// attempt, so credential stuffing (one guess each against many accounts) is not slowed. Pass the resolved address
/// whenever there is one (behind a proxy on a Unix socket the transport peer is unknown: resolve it from the trusted
/// forwarding header).</para>
/// <para><b>Security:</b> keys are HMAC'd with the <see cref="KeyPurposes.RateLimitKeys"/> key. Refusals skip the
/// credential check, so they answer faster; they depend on attempts already made, never on whether the account exists.
/// The account counter is shared by everyone who signs in to the account, so its state (e.g. a wait that comes back to
/// zero after the owner signed in) can tell an attacker that an account is in use: show the same message for every
/// refusal. This type is thread-safe.</para>
/// </remarks>
public sealed class LoginProtector
{
    private const string Limiter = "login";
    private const int MaxDeviceTokenLength = 256;

    private const int DeviceIdBytes = 16;
    private const int DeviceMacBytes = 16;
    private const int DeviceTokenBytes = 8 + DeviceIdBytes + DeviceMacBytes;
    private static readonly TimeSpan DeviceClockSkew = TimeSpan.FromMinutes(5);
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The decision of an address bucket that does not apply (no IP, IPv4 for the network buckets, a trusted device).</summary>
    private static readonly RateLimitDecision NotCharged = new(true, 1, TimeSpan.Zero);

    private readonly LoginProtectionOptions _options;
    private readonly ISecretKeyRing _keyRing;
    private readonly TimeProvider _time;
    private long _lastDeviceRejectionEvent = long.MinValue;
    private readonly StoreGuard _guard;
    private readonly LockoutRule _accountRule;
    private readonly LockoutRule _pairRule;
    private readonly LockoutRule _accountFallbackRule;
    private readonly LockoutRule _pairFallbackRule;
    private readonly LockoutRule _deviceRule;
    private readonly LockoutRule _deviceFallbackRule;
    private readonly RateLimitRule _ipRule;
    private readonly RateLimitRule _ipFallbackRule;
    private readonly RateLimitRule _networkRule;
    private readonly RateLimitRule _wideNetworkRule;
    private readonly RateLimitRule _wideNetworkFallbackRule;
    private readonly RateLimitRule _networkFallbackRule;

    /// <summary>Initializes a protector for use without DI.</summary>
    /// <param name="store">The store (in-memory or Redis).</param>
    /// <param name="options">The options.</param>
    /// <param name="keyRing">The key ring holding a <see cref="KeyPurposes.RateLimitKeys"/> (or root) key.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="events">The event publisher, or <see langword="null"/> for none.</param>
    /// <param name="storeTimeout">The store timeout; <see langword="null"/> for 1 second.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are not valid; the message says what to set.</exception>
    public LoginProtector(IRateLimitStore store, LoginProtectionOptions options, ISecretKeyRing keyRing, TimeProvider timeProvider, SecurityEventPublisher? events = null, TimeSpan? storeTimeout = null)
        : this(store, options, keyRing, timeProvider, events, storeTimeout ?? TimeSpan.FromSeconds(1), null)
    {
    }

    /// <summary>Initializes a protector from DI.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options.</param>
    /// <param name="rateLimitingOptions">The rate-limiting options (store timeout).</param>
    /// <param name="keyRing">The key ring.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="events">The event publisher.</param>
    /// <param name="fallback">The in-memory fallback store.</param>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public LoginProtector(IRateLimitStore store, IOptions<LoginProtectionOptions> options, IOptions<RateLimitingOptions> rateLimitingOptions, ISecretKeyRing keyRing, TimeProvider timeProvider, SecurityEventPublisher events, InMemoryRateLimitStore fallback)
        : this(store, options?.Value!, keyRing, timeProvider, events, rateLimitingOptions?.Value.StoreTimeout ?? TimeSpan.FromSeconds(1), fallback)
    {
    }

    private LoginProtector(IRateLimitStore store, LoginProtectionOptions options, ISecretKeyRing keyRing, TimeProvider timeProvider, SecurityEventPublisher? events, TimeSpan storeTimeout, InMemoryRateLimitStore? fallback)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (storeTimeout <= TimeSpan.Zero || storeTimeout > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(storeTimeout), storeTimeout, "The store timeout must be greater than 0 and at most 1 minute (e.g. 00:00:01).");
        }

        options = options.Clone(); // validated and kept: later changes to the host's instance cannot bypass the check
        var errors = Check(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _keyRing = keyRing;
        _time = timeProvider;
        fallback ??= store as InMemoryRateLimitStore ?? new InMemoryRateLimitStore(new InMemoryRateLimitStoreOptions(), timeProvider);
        _guard = new StoreGuard(store, fallback, storeTimeout, timeProvider, events ?? SecurityEventPublisher.None);

        _accountRule = Curve(options, 1, options.PermanentLockout);
        _pairRule = Curve(options, 1, permanent: false);
        _accountFallbackRule = Curve(options, options.FallbackLimitFactor, options.PermanentLockout);
        _pairFallbackRule = Curve(options, options.FallbackLimitFactor, permanent: false);

        // A trusted device's counter remembers its failures for as long as its token can be used: once it has passed
        // the lockout threshold it keeps counting on the account, so a stolen token cannot earn new guesses by waiting.
        var deviceWindow = options.TrustedDeviceLifetime > options.FailureWindow ? options.TrustedDeviceLifetime : options.FailureWindow;
        deviceWindow = TimeSpan.FromTicks((deviceWindow.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond); // whole ms, as a rule needs
        _deviceRule = Curve(options, 1, permanent: false, deviceWindow);
        _deviceFallbackRule = Curve(options, options.FallbackLimitFactor, permanent: false, deviceWindow);
        _ipRule = RateLimitRule.TokenBucket(options.IpFailureLimit, options.IpWindow);
        _ipFallbackRule = _ipRule.WithLimitFactor(options.FallbackLimitFactor);
        _networkRule = RateLimitRule.TokenBucket(options.NetworkFailureLimit, options.IpWindow);
        _networkFallbackRule = _networkRule.WithLimitFactor(options.FallbackLimitFactor);
        _wideNetworkRule = RateLimitRule.TokenBucket(options.WideNetworkFailureLimit, options.IpWindow);
        _wideNetworkFallbackRule = _wideNetworkRule.WithLimitFactor(options.FallbackLimitFactor);
    }

    /// <summary>
    /// Runs one sign-in attempt: refuses it when a counter says so, otherwise calls <paramref name="verifyCredentials"/>
    /// and records the outcome (reset on success, failure counted otherwise).
    /// </summary>
    /// <param name="attempt">The attempt.</param>
    /// <param name="verifyCredentials">Checks the credentials (e.g. the password hash); return <see langword="false"/> for unknown accounts too. Not called when the attempt is refused.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The result; the same shape whatever the reason of a refusal.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="verifyCredentials"/> or the account id is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The account security stamp is longer than <see cref="MaxSecurityStampLength"/>.</exception>
    /// <exception cref="InvalidOperationException">The key ring has no rate-limit key.</exception>
    public async ValueTask<LoginAttemptResult> AttemptAsync(LoginAttempt attempt, Func<CancellationToken, ValueTask<bool>> verifyCredentials, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt.AccountId, nameof(attempt));
        ArgumentNullException.ThrowIfNull(verifyCredentials);
        var account = NormalizeAccount(attempt.AccountId);
        if (account is null)
        {
            return new LoginAttemptResult(LoginAttemptStatus.InvalidInput, TimeSpan.Zero);
        }

        var stamp = attempt.AccountSecurityStamp;
        RequireStamp(stamp, nameof(attempt));
        var token = attempt.TrustedDeviceToken;

        var key = _keyRing.GetActiveKey(KeyPurposes.RateLimitKeys);
        var ip = attempt.ClientIp is null ? null : NormalizeIp(attempt.ClientIp);
        string? clientIp = ip?.ToString();
        var events = new EventContext(this, key, account, clientIp);
        string? device = null;
        if (token is not null && !TryReadDeviceToken(token, account, stamp, out device, out var rejection))
        {
            // Whatever the client sent (empty, oversized, forged, expired), the attempt goes on as from an unknown device.
            PublishDeviceTokenRejected(events, rejection);
        }

        bool trusted = device is not null;
        string accountKey = MakeKey(key, 'a', account, null);
        string pairKey = trusted ? MakeKey(key, 'd', account, device) : MakeKey(key, 'p', account, ip?.ToString() ?? "-");
        string? ipKey = ip is null || trusted ? null : MakeKey(key, 'i', ip.ToString(), null);
        string? networkKey = ip is null || trusted || ip.AddressFamily != AddressFamily.InterNetworkV6 ? null : MakeKey(key, 'n', NetworkOf(ip, 8), null);
        string? wideKey = networkKey is null ? null : MakeKey(key, 'w', NetworkOf(ip!, 6), null);

        // Phase 1a: the address buckets, charged before the credential check. Charging only after the check (on failure)
        // let every request in flight pass a peek at the last token: with many concurrent attempts the per-IP limit was
        // exceeded many times over. Charging up front makes the limit count attempts from the address, so it holds under
        // any concurrency. Each wider bucket is charged only with attempts the narrower ones admitted (for IPv6, up to two
        // more round trips): charged in parallel, one host's refused flood drained the bucket of every network in its /48,
        // and one address with an empty bucket drained its /64 for every neighbour (both found in review). One address can
        // then spend at most IpFailureLimit of its /64 per window, and one /64 at most NetworkFailureLimit of its /48.
        var ipDecision = ipKey is null ? NotCharged : await _guard.AcquireAsync(Limiter, ipKey, _ipRule, _ipFallbackRule, _options.FailurePolicy, 1, cancellationToken).ConfigureAwait(false);
        var networkDecision = networkKey is not null && ipDecision.IsAllowed
            ? await _guard.AcquireAsync(Limiter, networkKey, _networkRule, _networkFallbackRule, _options.FailurePolicy, 1, cancellationToken).ConfigureAwait(false)
            : NotCharged;
        var wideDecision = wideKey is not null && ipDecision.IsAllowed && networkDecision.IsAllowed
            ? await _guard.AcquireAsync(Limiter, wideKey, _wideNetworkRule, _wideNetworkFallbackRule, _options.FailurePolicy, 1, cancellationToken).ConfigureAwait(false)
            : NotCharged;
        ReportEmptied(events, ipKey, ipDecision, "ip");
        ReportEmptied(events, networkKey, networkDecision, "network");
        ReportEmptied(events, wideKey, wideDecision, "wide_network");

        if (!ipDecision.IsAllowed || !networkDecision.IsAllowed || !wideDecision.IsAllowed)
        {
            // A blocked address must not drive account lockouts: the account counters are not touched.
            bool ipDegraded = ipDecision.IsDegraded || networkDecision.IsDegraded || wideDecision.IsDegraded;
            var retry = Max(
                Max(ipDecision.IsAllowed ? TimeSpan.Zero : ipDecision.RetryAfter, networkDecision.IsAllowed ? TimeSpan.Zero : networkDecision.RetryAfter),
                wideDecision.IsAllowed ? TimeSpan.Zero : wideDecision.RetryAfter);
            return Refuse(ipDegraded && _options.FailurePolicy == StoreFailurePolicy.FailClosed ? LoginAttemptStatus.Unavailable : LoginAttemptStatus.IpBlocked, retry, events, ipDegraded);
        }

        // Phase 1b: the account counters (pipelined on Redis), registered before the credential check.
        var pairPending = trusted
            ? _guard.RegisterAttemptAsync(Limiter, pairKey, _deviceRule, _deviceFallbackRule, _options.FailurePolicy, cancellationToken)
            : _guard.RegisterAttemptAsync(Limiter, pairKey, _pairRule, _pairFallbackRule, _options.FailurePolicy, cancellationToken);
        var accountPending = trusted ? default : _guard.RegisterAttemptAsync(Limiter, accountKey, _accountRule, _accountFallbackRule, _options.FailurePolicy, cancellationToken);
        var pairDecision = await pairPending.ConfigureAwait(false);
        LockoutDecision accountDecision;
        var accountCounted = true;
        if (!trusted)
        {
            accountDecision = await accountPending.ConfigureAwait(false);
        }
        else if (pairDecision.Failures > _options.LockoutThreshold)
        {
            // A trusted device past the lockout threshold is being guessed from (a stolen token?): from here its attempts
            // also count on, and are refused by, the account counter, so a token adds at most LockoutThreshold guesses
            // past the account's stop.
            accountDecision = await _guard.RegisterAttemptAsync(Limiter, accountKey, _accountRule, _accountFallbackRule, _options.FailurePolicy, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            accountDecision = new LockoutDecision(true, 0, TimeSpan.Zero);
            accountCounted = false;
        }
        bool degraded = ipDecision.IsDegraded || networkDecision.IsDegraded || wideDecision.IsDegraded || pairDecision.IsDegraded || accountDecision.IsDegraded;

        if (!accountDecision.IsAllowed || !pairDecision.IsAllowed)
        {
            // A counter that admitted this attempt still counted it, and may have reached the threshold with it.
            PublishLocked(events, accountCounted ? accountDecision : default, pairDecision);
            var failures = Math.Max(accountDecision.Failures, pairDecision.Failures);
            var retry = Max(accountDecision.IsAllowed ? TimeSpan.Zero : accountDecision.RetryAfter, pairDecision.IsAllowed ? TimeSpan.Zero : pairDecision.RetryAfter);
            var status = failures == 0 && degraded ? LoginAttemptStatus.Unavailable
                : failures >= _options.LockoutThreshold ? LoginAttemptStatus.Locked : LoginAttemptStatus.Throttled;
            return Refuse(status, retry, events, degraded);
        }

        // Phase 2: the credential check, then the outcome.
        if (await verifyCredentials(cancellationToken).ConfigureAwait(false))
        {
            // A trusted device that did not go through the account counter leaves it alone: the owner signing in on a
            // known device must neither lift a lock (a permanent one needs UnlockAsync) nor hand whoever is guessing
            // from elsewhere a fresh budget of MaxConsecutiveFailures.
            var resetPair = _guard.ResetAsync(Limiter, pairKey, _options.FailurePolicy, cancellationToken);
            var resetAccount = accountCounted ? _guard.ResetAsync(Limiter, accountKey, _options.FailurePolicy, cancellationToken) : ValueTask.FromResult(true);
            await resetPair.ConfigureAwait(false);
            await resetAccount.ConfigureAwait(false);
            if (Math.Max(accountDecision.Failures, pairDecision.Failures) - 1 >= _options.LockoutThreshold)
            {
                events.Publish(RateLimitingEventNames.Unlocked, SecurityEventSeverity.Information, "success");
            }

            return new LoginAttemptResult(LoginAttemptStatus.Succeeded, TimeSpan.Zero) { IsDegraded = degraded };
        }

        PublishLocked(events, accountCounted ? accountDecision : default, pairDecision);

        return new LoginAttemptResult(LoginAttemptStatus.Failed, Max(accountDecision.RetryAfter, pairDecision.RetryAfter)) { IsDegraded = degraded };
    }

    /// <summary>Clears the account counter (e.g. after identity proofing or a password reset) and publishes <see cref="RateLimitingEventNames.Unlocked"/>.</summary>
    /// <param name="accountId">The account identifier as typed at sign-in.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the counter is cleared.</returns>
    /// <exception cref="ArgumentException">The account id is empty, too long or not valid UTF-16.</exception>
    /// <exception cref="InvalidOperationException">The store could not be reached within the timeout: the account is still locked.</exception>
    /// <remarks>Also clears the counter of attempts made without an address. Account + IP counters are keyed by IP and
    /// cannot be listed; they expire on their own (they are never permanent). An owner who failed to the stop from one address stays refused there until that counter expires: when the unlock
    /// comes from the owner's own request (e.g. a password-reset link), use <see cref="UnlockAsync(string, IPAddress, CancellationToken)"/>
    /// with the request's address.</remarks>
    public ValueTask UnlockAsync(string accountId, CancellationToken cancellationToken = default) => UnlockAsync(accountId, null, cancellationToken);

    /// <summary>Clears the account counter and the account + IP counter of <paramref name="clientIp"/> (e.g. when the owner
    /// completes a password reset from that address), and publishes <see cref="RateLimitingEventNames.Unlocked"/>.</summary>
    /// <param name="accountId">The account identifier as typed at sign-in.</param>
    /// <param name="clientIp">The address whose account + IP counter is cleared too, as passed in <see cref="LoginAttempt.ClientIp"/>;
    /// <see langword="null"/> clears the counter of attempts made without an address.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the counters are cleared.</returns>
    /// <exception cref="ArgumentException">The account id is empty, too long or not valid UTF-16.</exception>
    /// <exception cref="InvalidOperationException">The store could not be reached within the timeout: the account is still locked.</exception>
    /// <remarks>The address buckets (per IP, /64, /48) are not cleared: they count attempts from the address, whatever
    /// the account.</remarks>
    public async ValueTask UnlockAsync(string accountId, IPAddress? clientIp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var account = RequireAccount(accountId);
        var key = _keyRing.GetActiveKey(KeyPurposes.RateLimitKeys);
        var ip = clientIp is null ? null : NormalizeIp(clientIp);

        // The account + IP counter first: if the account counter's reset then fails, the caller is told the unlock failed.
        // Before, UnlockAsync cleared only the account counter, and the owner who had failed to the stop from home was
        // still refused there for up to FailureWindow after the helpdesk unlocked the account (found in review).
        var pairCleared = await _guard.ResetAsync(Limiter, MakeKey(key, 'p', account, ip?.ToString() ?? "-"), _options.FailurePolicy, cancellationToken).ConfigureAwait(false);
        if (!pairCleared || !await _guard.ResetAsync(Limiter, MakeKey(key, 'a', account, null), _options.FailurePolicy, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The rate-limit store could not be reached, so the account was not unlocked; try again.");
        }

        new EventContext(this, key, account, null).Publish(RateLimitingEventNames.Unlocked, SecurityEventSeverity.Information, "explicit");
    }

    /// <summary>
    /// Gets the pseudonymous reference that this protector's events carry in <see cref="SecurityEvent.UserId"/> for an
    /// account, so a host can find an account's events without the logs holding what was typed at sign-in.
    /// </summary>
    /// <param name="accountId">The account identifier as typed at sign-in.</param>
    /// <returns><c>acct:&lt;key id&gt;:&lt;22 base64url characters&gt;</c>: an HMAC of the normalised account id under the
    /// active <see cref="KeyPurposes.RateLimitKeys"/> key, unrelated to any store key. It changes when that key rotates.</returns>
    /// <exception cref="ArgumentException">The account id is empty, too long or not valid UTF-16.</exception>
    /// <exception cref="InvalidOperationException">The key ring has no rate-limit key.</exception>
    /// <remarks>Events never carry the identifier as typed: people type passwords into the user-name field, and an e-mail
    /// address is personal data that logs keep for a long time.</remarks>
    public string AccountReference(string accountId)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var account = RequireAccount(accountId);
        return Reference(_keyRing.GetActiveKey(KeyPurposes.RateLimitKeys), account);
    }

    /// <summary>The longest accepted <see cref="LoginAttempt.AccountSecurityStamp"/> (ASP.NET Core Identity's is 32).</summary>
    public const int MaxSecurityStampLength = 1024;

    private static void RequireStamp(string? stamp, string paramName)
    {
        if (stamp is { Length: > MaxSecurityStampLength })
        {
            throw new ArgumentException($"The account security stamp is longer than {MaxSecurityStampLength} characters.", paramName);
        }
    }

    /// <summary>
    /// Issues a trusted-device token for <paramref name="accountId"/>: call it after a successful sign-in and keep the
    /// token on that browser or device (a long-lived HttpOnly, Secure cookie); pass it back in
    /// <see cref="LoginAttempt.TrustedDeviceToken"/>. Reissue it at each successful sign-in to keep the device trusted.
    /// </summary>
    /// <param name="accountId">The account identifier as typed at sign-in (normalised like every attempt's).</param>
    /// <param name="accountSecurityStamp">The account's security stamp, if the host keeps one (e.g. ASP.NET Core Identity's
    /// <c>SecurityStamp</c>; at most <see cref="MaxSecurityStampLength"/> characters, hashed into the MAC): the token is bound to it, so changing it (password reset, "sign out
    /// everywhere") revokes every device token of the account. Pass the same value in
    /// <see cref="LoginAttempt.AccountSecurityStamp"/>.</param>
    /// <returns><c>&lt;key id&gt;.&lt;54 base64url characters&gt;</c>: the issue time, a random 128-bit device id and an
    /// HMAC-SHA256 (truncated to 128 bits) binding both to the account, under the active <see cref="KeyPurposes.RateLimitKeys"/>
    /// key. Accepted for <see cref="LoginProtectionOptions.TrustedDeviceLifetime"/>, and while its key stays in the ring.</returns>
    /// <exception cref="ArgumentException">The account id is empty, too long or not valid UTF-16, or the stamp is longer than
    /// <see cref="MaxSecurityStampLength"/>.</exception>
    /// <exception cref="InvalidOperationException">The key ring has no rate-limit key.</exception>
    /// <remarks><b>Security:</b> the token is a bearer credential for the account's device counter (not for the account):
    /// whoever holds it gets that device's own attempts, still under the lockout curve and the 100-failure stop. It names
    /// no account and holds no personal data.</remarks>
    public string IssueTrustedDeviceToken(string accountId, string? accountSecurityStamp = null)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var account = RequireAccount(accountId);
        RequireStamp(accountSecurityStamp, nameof(accountSecurityStamp));

        var key = _keyRing.GetActiveKey(KeyPurposes.RateLimitKeys);
        Span<byte> body = stackalloc byte[DeviceTokenBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(body, _time.GetUtcNow().ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(body.Slice(8, DeviceIdBytes));
        DeviceMac(key, account, accountSecurityStamp, body[..(8 + DeviceIdBytes)], body[(8 + DeviceIdBytes)..]);
        return key.KeyId + "." + Base64Url.Encode(body);
    }

    // Key ids are public (the token's prefix): an ordinary comparison. Indexed, not foreach: the list is an interface, and
    // its enumerator would be allocated on every attempt that carries a device token.
    private bool IsDeviceKeyId(ReadOnlySpan<char> keyId)
    {
        var ids = _keyRing.GetKeyIds(KeyPurposes.RateLimitKeys);
        for (var i = 0; i < ids.Count; i++)
        {
            if (keyId.SequenceEqual(ids[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Verifies a trusted-device token for <paramref name="account"/> (normalised) and reads its device id.</summary>
    private bool TryReadDeviceToken(string token, string account, string? stamp, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? device, out string rejection)
    {
        device = null;
        rejection = "invalid";
        var dot = token.Length > MaxDeviceTokenLength ? -1 : token.LastIndexOf('.');
        Span<byte> body = stackalloc byte[DeviceTokenBytes];
        // Only under the ids the ring lists for the purpose: TryGetKey also derives a key from a root key of that id, so
        // after a (leaked) root key was replaced for this purpose by its own key, tokens minted under the old root id
        // still made the attempt "trusted", skipping the IP and account counters (found in review).
        if (dot <= 0
            || !IsDeviceKeyId(token.AsSpan(0, dot))
            || !_keyRing.TryGetKey(KeyPurposes.RateLimitKeys, token[..dot], out var key)
            || !Base64Url.TryDecode(token.AsSpan(dot + 1), body, out var written)
            || written != DeviceTokenBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[DeviceMacBytes];
        DeviceMac(key, account, stamp, body[..(8 + DeviceIdBytes)], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, body[(8 + DeviceIdBytes)..]))
        {
            return false;
        }

        var issued = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(body), 0, 253_402_300_799));
        var now = _time.GetUtcNow();
        if (issued > now + DeviceClockSkew || now - issued > _options.TrustedDeviceLifetime)
        {
            rejection = "expired";
            return false;
        }

        device = Base64Url.Encode(body.Slice(8, DeviceIdBytes));
        return true;
    }

    private void PublishDeviceTokenRejected(EventContext events, string reason)
    {
        // At most one event per 5 s: a client sending junk tokens on every request must not flood the logs.
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastDeviceRejectionEvent);
        if ((last == long.MinValue || now - last >= 5 * _time.TimestampFrequency) && Interlocked.CompareExchange(ref _lastDeviceRejectionEvent, now, last) == last)
        {
            events.Publish(RateLimitingEventNames.DeviceTokenRejected, SecurityEventSeverity.Warning, reason);
        }
    }

    private static void DeviceMac(SecretKey key, string account, string? stamp, ReadOnlySpan<byte> issuedAndId, Span<byte> destination)
    {
        // HMAC(key, "trusted-device" ‖ 0x1F ‖ len(account) ‖ UTF-8(account) ‖ stamp flag ‖ SHA-256(UTF-8(stamp)) ‖ issued
        // (8 bytes) ‖ device id (16 bytes)): the tag keeps it apart from the counter keys' HMACs under the same key, the
        // length and the fixed-size stamp part keep inputs from ever encoding alike (flag 0: no stamp, 1: a stamp, even "").
        var accountBytes = Encoding.UTF8.GetByteCount(account);
        var length = "trusted-device".Length + 1 + 4 + accountBytes + 1 + 32 + issuedAndId.Length;
        byte[]? rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> input = rented ?? stackalloc byte[1024];
        try
        {
            var at = Encoding.ASCII.GetBytes("trusted-device", input);
            input[at++] = 0x1F;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input[at..], accountBytes);
            at += 4;
            at += Encoding.UTF8.GetBytes(account, input[at..]);
            input[at++] = stamp is null ? (byte)0 : (byte)1;
            var stampHash = input.Slice(at, 32);
            if (stamp is null)
            {
                stampHash.Clear();
            }
            else
            {
                SHA256.HashData(Encoding.UTF8.GetBytes(stamp), stampHash);
            }

            at += 32;
            issuedAndId.CopyTo(input[at..]);
            at += issuedAndId.Length;
            Span<byte> mac = stackalloc byte[32];
            HMACSHA256.HashData(key.Material, input[..at], mac);
            mac[..DeviceMacBytes].CopyTo(destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    private static string Reference(SecretKey key, string account) => "acct:" + MakeKey(key, 'r', account, null)["login:r:".Length..];

    internal static List<string> Check(LoginProtectionOptions o)
    {
        var errors = new List<string>();
        const string P = "LoginProtectionOptions.";
        if (!SecurityKit.Primitives.UnicodeNormalization.IsAvailable)
        {
            // Account ids are NFKC-normalised before keying: without it "ｂｏｂ" and "bob" would count apart.
            errors.Add("LoginProtection: " + SecurityKit.Primitives.UnicodeNormalization.MissingMessage);
        }

        if (o.FreeAttempts is < 1 or > 50)
        {
            errors.Add(P + "FreeAttempts must be between 1 and 50 (e.g. 5).");
        }

        if (o.InitialDelay < TimeSpan.FromMilliseconds(1) || o.InitialDelay > TimeSpan.FromMinutes(10) || o.InitialDelay.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            errors.Add(P + "InitialDelay must be whole milliseconds between 1 ms and 10 minutes (e.g. 00:00:01).");
        }

        if (o.MaxLockoutDuration < o.InitialDelay || o.MaxLockoutDuration > TimeSpan.FromDays(30) || o.MaxLockoutDuration.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            errors.Add(P + "MaxLockoutDuration must be whole milliseconds between InitialDelay and 30 days (e.g. 01:00:00).");
        }

        if (o.MaxConsecutiveFailures <= o.FreeAttempts || o.MaxConsecutiveFailures > LoginProtectionOptions.NistMaxConsecutiveFailures)
        {
            errors.Add(P + "MaxConsecutiveFailures must be greater than FreeAttempts and at most 100 (NIST SP 800-63B).");
        }

        if (o.LockoutThreshold < o.FreeAttempts || o.LockoutThreshold > o.MaxConsecutiveFailures)
        {
            errors.Add(P + "LockoutThreshold must be between FreeAttempts and MaxConsecutiveFailures (e.g. 10).");
        }

        if (o.FailureWindow < o.MaxLockoutDuration || o.FailureWindow > TimeSpan.FromDays(366) || o.FailureWindow.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            errors.Add(P + "FailureWindow must be whole milliseconds between MaxLockoutDuration and 366 days (e.g. 1.00:00:00).");
        }
        else if (errors.Count == 0 && Curve(o, 1, permanent: false).SustainedAttemptsPerDay is var rate && rate > LockoutRule.SafeAttemptsPerDay)
        {
            // Each value in range, together too weak: e.g. 1 ms delays and a 1 ms window forget every failure at once.
            errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{P}FreeAttempts, InitialDelay, MaxLockoutDuration, MaxConsecutiveFailures and FailureWindow together let an attacker keep up {rate:N0} password guesses a day against one account; at most {LockoutRule.SafeAttemptsPerDay:N0} (one a minute) are accepted. Lengthen FailureWindow (e.g. 1.00:00:00) or the delays."));
        }

        if (o.IpFailureLimit is < 1 or > 100_000 || o.NetworkFailureLimit < o.IpFailureLimit || o.NetworkFailureLimit > 1_000_000)
        {
            errors.Add(P + "IpFailureLimit must be between 1 and 100,000 and NetworkFailureLimit between IpFailureLimit and 1,000,000.");
        }

        if (o.WideNetworkFailureLimit < o.NetworkFailureLimit || o.WideNetworkFailureLimit > 10_000_000)
        {
            errors.Add(P + "WideNetworkFailureLimit (per IPv6 /48) must be between NetworkFailureLimit and 10,000,000 (default 1000).");
        }

        if (o.IpWindow < TimeSpan.FromSeconds(1) || o.IpWindow > TimeSpan.FromDays(1) || o.IpWindow.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            errors.Add(P + "IpWindow must be whole milliseconds between 1 second and 1 day (e.g. 00:15:00).");
        }
        else if (o.WideNetworkFailureLimit <= 10_000_000 && o.IpWindow.Ticks < 10L * o.WideNetworkFailureLimit)
        {
            // The address buckets are token buckets; the Redis store refuses one of more than a permit per microsecond, and
            // that refusal reached the host as an exception on every IPv6 sign-in (found in review).
            errors.Add(P + "IpWindow / WideNetworkFailureLimit must be at least 1 microsecond (at most one permit per microsecond, which the Redis store needs); lengthen IpWindow or lower WideNetworkFailureLimit.");
        }

        if (!Enum.IsDefined(o.FailurePolicy))
        {
            errors.Add(P + "FailurePolicy must be FallbackToMemory, FailClosed or FailOpen.");
        }

        if (!(o.FallbackLimitFactor > 0 && o.FallbackLimitFactor <= 1))
        {
            errors.Add(P + "FallbackLimitFactor must be greater than 0 and at most 1 (e.g. 0.5).");
        }

        if (o.MaxAccountIdLength is < 1 or > 1024)
        {
            errors.Add(P + "MaxAccountIdLength must be between 1 and 1024.");
        }

        // At most 366 days: the device counter remembers failures for the token's lifetime, and a lockout window is at
        // most 366 days (400 passed validation and then every sign-in failed when the protector was built).
        if (o.TrustedDeviceLifetime < TimeSpan.FromHours(1) || o.TrustedDeviceLifetime > TimeSpan.FromDays(366))
        {
            errors.Add(P + "TrustedDeviceLifetime must be between 1 hour and 366 days (e.g. 90.00:00:00).");
        }

        return errors;
    }

    // The fallback (factor < 1) is stricter in every step, the hard stop included: its counters start at zero on each
    // instance during an outage, so each instance stops at MaxConsecutiveFailures × factor (50 by default), not 100.
    private static LockoutRule Curve(LoginProtectionOptions o, double factor, bool permanent, TimeSpan? window = null)
    {
        var free = Math.Max(1, (int)(o.FreeAttempts * factor));
        return new(free, o.InitialDelay, o.MaxLockoutDuration, MaxFailures(o, factor, free), window ?? o.FailureWindow, permanent);
    }

    private static int MaxFailures(LoginProtectionOptions o, double factor, int free) =>
        factor >= 1 ? o.MaxConsecutiveFailures : Math.Max(free + 1, (int)(o.MaxConsecutiveFailures * factor));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;


    /// <summary>Publishes <c>ratelimit.ip_blocked</c> when this attempt took an address bucket's last permit. Fail-open answers
    /// "allowed, 0 left" without counting anything, which says nothing about the address; the in-memory fallback's counts
    /// are real, so its exhausted buckets are reported.</summary>
    private void ReportEmptied(EventContext events, string? key, RateLimitDecision decision, string reason)
    {
        if (key is not null && decision is { IsAllowed: true, Remaining: 0 } && !(decision.IsDegraded && _options.FailurePolicy == StoreFailurePolicy.FailOpen))
        {
            events.Publish(RateLimitingEventNames.IpBlocked, SecurityEventSeverity.Critical, reason, withAccount: false);
        }
    }

    /// <summary>Publishes <c>ratelimit.locked</c> when this attempt took a counter to the lockout threshold or the hard stop.
    /// Each counter is judged on its own: taking the larger of the two missed an account reaching the threshold while an
    /// account + IP counter left over from before an unlock stood higher (found in review).</summary>
    private void PublishLocked(EventContext events, LockoutDecision account, LockoutDecision pair)
    {
        bool Reached(LockoutDecision d, int n) => d.IsAllowed && d.Failures == n;
        int Stop(LockoutDecision d) => d.IsDegraded ? _accountFallbackRule.MaxConsecutiveFailures : _options.MaxConsecutiveFailures;
        if (Reached(account, Stop(account)) || Reached(pair, Stop(pair)))
        {
            events.Publish(RateLimitingEventNames.Locked, SecurityEventSeverity.Warning, "max_failures");
        }
        else if (Reached(account, _options.LockoutThreshold) || Reached(pair, _options.LockoutThreshold))
        {
            events.Publish(RateLimitingEventNames.Locked, SecurityEventSeverity.Warning, "threshold");
        }
    }

    private static LoginAttemptResult Refuse(LoginAttemptStatus status, TimeSpan retry, EventContext events, bool degraded)
    {
        events.Publish(RateLimitingEventNames.Throttled, SecurityEventSeverity.Warning, status switch
        {
            LoginAttemptStatus.Locked => "locked",
            LoginAttemptStatus.IpBlocked => "ip_blocked",
            LoginAttemptStatus.Unavailable => "store_unavailable",
            _ => "delay_required",
        });
        return new LoginAttemptResult(status, retry) { IsDegraded = degraded };
    }

    /// <summary>What one attempt's events carry: the account as a pseudonymous reference (computed only when an event is
    /// published) and the resolved IP; never the identifier as typed or a store key.</summary>
    private readonly struct EventContext(LoginProtector protector, SecretKey key, string account, string? clientIp)
    {
        public void Publish(string name, SecurityEventSeverity severity, string reason, bool withAccount = true)
        {
            var events = protector._guard.Events;
            if (events.IsEnabled)
            {
                events.Publish(name, severity, userId: withAccount ? Reference(key, account) : null, clientIp: clientIp, reason: reason);
            }
        }
    }

    /// <summary>The normalised account id of a host call (not an attempt): invalid input throws.</summary>
    private string RequireAccount(string accountId, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(accountId))] string? paramName = null) =>
        NormalizeAccount(accountId) ?? throw new ArgumentException("The account id is empty, too long or not valid UTF-16.", paramName);

    private string? NormalizeAccount(string accountId)
    {
        var trimmed = accountId.AsSpan().Trim();
        if (trimmed.IsEmpty || trimmed.Length > _options.MaxAccountIdLength)
        {
            return null;
        }

        try
        {
            StrictUtf8.GetByteCount(trimmed);
        }
        catch (ArgumentException)
        {
            // Invalid UTF-16 (a lone surrogate): not an identifier anyone can own.
            return null;
        }

        // NFKC, default-ignorable characters removed (soft hyphen, zero-width and bidi marks, variation selectors: user
        // lookups and collations commonly ignore them), then a case fold: upper then lower case, so forms that only an
        // upper-casing lookup (ASP.NET Core Identity's normaliser) merges share one counter too (σ/ς, ᲀ/в, K/k).
        // Trimmed again at the end: white space behind an ignorable character ("alice \u200B") or produced by NFKC
        // (U+2000..U+200A, U+3000 become spaces) was kept, and each form had its own counter (found in review).
        var folded = RemoveIgnorable(trimmed.ToString().Normalize(NormalizationForm.FormKC)).ToUpperInvariant().ToLowerInvariant()
            .Normalize(NormalizationForm.FormKC).Trim();
        return folded.Length == 0 ? null : folded;
    }

    private static string RemoveIgnorable(string text)
    {
        // By code point: the supplementary-plane ignorables (tag characters, variation selectors 17-256, ...) are
        // surrogate pairs that a per-char check never saw (found in review: "alice" + U+E0100 got its own counter while
        // collations such as MySQL's utf8mb4_0900_* find "alice").
        System.Text.StringBuilder? builder = null;
        var i = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsDefaultIgnorable(rune.Value))
            {
                builder ??= new System.Text.StringBuilder(text, 0, i, text.Length);
            }
            else
            {
                builder?.Append(rune.ToString());
            }

            i += rune.Utf16SequenceLength;
        }

        return builder?.ToString() ?? text;
    }

    // Unicode Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1), minus the Hangul fillers that NFKC
    // keeps as letters of a name (U+115F, U+1160, U+3164, U+FFA0).
    internal static bool IsDefaultIgnorable(int c) => c switch
    {
        0x00AD or 0x034F or 0x061C => true,
        >= 0x17B4 and <= 0x17B5 => true,
        >= 0x180B and <= 0x180F => true,
        >= 0x200B and <= 0x200F => true,
        >= 0x202A and <= 0x202E => true,
        >= 0x2060 and <= 0x206F => true,
        >= 0xFE00 and <= 0xFE0F => true,
        0xFEFF => true,
        >= 0xFFF0 and <= 0xFFF8 => true,
        >= 0x1BCA0 and <= 0x1BCA3 => true,
        >= 0x1D173 and <= 0x1D17A => true,
        >= 0xE0000 and <= 0xE0FFF => true,
        _ => false,
    };

    private static IPAddress NormalizeIp(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            return ip.MapToIPv4();
        }

        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip;
        }

        // An IPv4 client behind NAT64 arrives as 64:ff9b::a.b.c.d (RFC 6052 well-known prefix): as IPv6, every IPv4 client
        // shared one /64 and /48 bucket, so one of them could block sign-in for all (found in review). The same rule as
        // IpBucket's (Fingerprinting), which this package does not reference. A scope id is dropped.
        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out _);
        return bytes[..12].SequenceEqual(WellKnownNat64Prefix) ? new IPAddress(bytes[12..])
            : ip.ScopeId != 0 ? new IPAddress(bytes) : ip;
    }

    private static ReadOnlySpan<byte> WellKnownNat64Prefix => [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The first <paramref name="bytes"/> bytes of an IPv6 address in hex (8: the /64, 6: the /48).</summary>
    private static string NetworkOf(IPAddress ipv6, int bytes)
    {
        Span<byte> address = stackalloc byte[16];
        ipv6.TryWriteBytes(address, out _);
        return Convert.ToHexStringLower(address[..bytes]);
    }

    private static string MakeKey(SecretKey key, char tag, string part1, string? part2)
    {
        int max = 2 + Encoding.UTF8.GetMaxByteCount(part1.Length) + (part2 is null ? 0 : 1 + Encoding.UTF8.GetMaxByteCount(part2.Length));
        byte[]? rented = max > 1024 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        try
        {
            buffer[0] = (byte)tag;
            buffer[1] = 0x1F;
            int length = 2 + Encoding.UTF8.GetBytes(part1, buffer[2..]);
            if (part2 is not null)
            {
                buffer[length++] = 0x1F;
                length += Encoding.UTF8.GetBytes(part2, buffer[length..]);
            }

            Span<byte> mac = stackalloc byte[32];
            HMACSHA256.HashData(key.Material, buffer[..length], mac);
            return string.Create(CultureInfo.InvariantCulture, $"login:{tag}:{key.KeyId}:{Base64Url.Encode(mac[..16])}");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }
}
