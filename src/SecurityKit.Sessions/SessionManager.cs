using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SecurityKit.Events;
using SecurityKit.Fingerprinting.ClientIp;
using SecurityKit.Fingerprinting.Devices;
using SecurityKit.Keys;
using SecurityKit.Primitives;
using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions;

/// <summary>
/// Server-side sessions: create, validate (idle and absolute expiry, revocation, per-user token
/// version), throttled last-used updates, id rotation, revocation (one, all, all but current), listing
/// and anomaly warnings (IP network and device changes).
/// </summary>
/// <remarks>
/// <para><b>Security:</b> session tokens carry 256 bits from <see cref="RandomNumberGenerator"/>; the
/// store holds only an HMAC-SHA256 of each (key <see cref="KeyPurposes.TokenHashing"/>), so a leaked
/// store or backup yields no usable token, and without the key not even a way to test guesses. Rotate
/// the token (<see cref="RotateAsync"/>) after sign-in elevation or any privilege change. Warnings are
/// risk signals; the host decides (step-up MFA, notify, revoke).</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class SessionManager
{
    /// <summary>How many rotations a sign-out with a rotated-out token follows to the current session.</summary>
    public const int MaxReplacementsFollowed = 8;

    /// <summary>How long after a rotation a sign-out with the rotated-out token still ends the session that replaced it
    /// (30 seconds: requests that were in flight together); later, a rotated-out token revokes nothing.</summary>
    public static readonly TimeSpan ReplacementFollowWindow = TimeSpan.FromSeconds(30);

    /// <summary>How many (session, anomaly kind) pairs one instance remembers to publish each anomaly at most once per
    /// <see cref="SessionOptions.TouchInterval"/>; beyond it, only the validations that record a use publish.</summary>
    public const int MaxTrackedAnomalies = 10_000;

    private readonly SessionOptions _options;
    private readonly ISessionStore _store;
    private readonly ISecretKeyRing _keyRing;
    private readonly DeviceFingerprinter _fingerprinter;
    private readonly TimeProvider _timeProvider;
    private readonly SecurityEventPublisher _events;

    // When an anomaly of a session (key: id hash, kind) was last published by this instance, in UTC ticks. Bounded by
    // MaxTrackedAnomalies; entries older than TouchInterval are pruned (at most once a second) when it is full.
    private readonly ConcurrentDictionary<(string IdHash, char Kind), long> _reported = new();
    private long _lastUntrackedReportTicks;
    private long _lastUntrackedInformationTicks;
    private long _nextPruneTicks;

    /// <summary>Initializes a session manager.</summary>
    /// <param name="options">The options.</param>
    /// <param name="store">The session store.</param>
    /// <param name="keyRing">The key ring (<see cref="KeyPurposes.TokenHashing"/> and, for device fingerprints, <see cref="KeyPurposes.Fingerprint"/>).</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="events">The event publisher, or <see langword="null"/> for none.</param>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public SessionManager(SessionOptions options, ISessionStore store, ISecretKeyRing keyRing, TimeProvider timeProvider, SecurityEventPublisher? events = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options = options.Clone(); // validated and kept: later changes to the host's instance cannot bypass the check
        var errors = SessionOptionsValidator.Check(options);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SessionOptions), errors);
        }

        _options = options;
        _store = store;
        _keyRing = keyRing;
        _fingerprinter = new DeviceFingerprinter(keyRing);
        _timeProvider = timeProvider;
        _events = events ?? SecurityEventPublisher.None;
    }

    /// <summary>Initializes a session manager from DI.</summary>
    /// <param name="options">The options.</param>
    /// <param name="store">The session store.</param>
    /// <param name="keyRing">The key ring.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="events">The event publisher.</param>
    public SessionManager(IOptions<SessionOptions> options, ISessionStore store, ISecretKeyRing keyRing, TimeProvider timeProvider, SecurityEventPublisher events)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value, store, keyRing, timeProvider, events)
    {
    }

    /// <summary>Creates a session for a user who just signed in.</summary>
    /// <param name="userId">The user id (1 to 256 characters).</param>
    /// <param name="context">The request context (IP, device), for listing and anomaly checks.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token to give to the client, or why none was issued.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    /// <exception cref="InvalidOperationException">The key ring has no token-hashing key.</exception>
    public async ValueTask<SessionIssueResult> CreateAsync(string userId, SessionContext? context = null, CancellationToken cancellationToken = default)
    {
        RequireUserId(userId);

        var key = _keyRing.GetActiveKey(KeyPurposes.TokenHashing);
        var partition = SessionToken.Partition(userId);
        var (token, idHash) = SessionToken.Create(key, partition);
        var now = _timeProvider.GetUtcNow();
        var (ip, fingerprint, summary) = Describe(context);
        var record = new SessionRecord
        {
            Partition = partition,
            IdHash = idHash,
            UserId = userId,
            CreatedAt = now,
            LastUsedAt = now,
            IdleTimeout = _options.IdleTimeout,
            AbsoluteExpiresAt = now + _options.AbsoluteLifetime,
            IpAddress = ip,
            Fingerprint = fingerprint,
            DeviceSummary = summary,
        };
        var result = await _store.CreateAsync(record, _options.MaxSessionsPerUser, _options.LimitMode, now, cancellationToken).ConfigureAwait(false);
        switch (result.Status)
        {
            case SessionStoreStatus.Succeeded:
                if (result.EvictedIdHashes.Count > 0)
                {
                    _events.Publish(SessionEventNames.Evicted, SecurityEventSeverity.Information, userId, ip, "session_limit", Count(result.EvictedIdHashes.Count));
                }

                _events.Publish(SessionEventNames.Created, SecurityEventSeverity.Information, userId, ip);
                return new(SessionIssueStatus.Issued, token, SessionInfo.From(record with { TokenVersion = result.TokenVersion }, isCurrent: true), result.EvictedIdHashes);
            case SessionStoreStatus.LimitReached:
                _events.Publish(SessionEventNames.LimitReached, SecurityEventSeverity.Warning, userId, ip, "session_limit");
                return new(SessionIssueStatus.LimitReached, null, null, null);
            case SessionStoreStatus.StoreFull:
                _events.Publish(SessionEventNames.StoreFull, SecurityEventSeverity.Warning, userId, ip, "store_full");
                return new(SessionIssueStatus.StoreFull, null, null, null);
            default:
                return new(SessionIssueStatus.Failed, null, null, null);
        }
    }

    /// <summary>
    /// Validates a session token: known, not revoked (itself or by revoke-all), within its idle and
    /// absolute lifetime; records the use (at most once per <see cref="SessionOptions.TouchInterval"/>)
    /// and compares the request with the session's IP network and device.
    /// </summary>
    /// <param name="token">The token from the client; malformed input gives <see cref="SessionValidationStatus.Malformed"/>.</param>
    /// <param name="context">The request context, for anomaly warnings.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The result with the session and any warnings. Each anomaly event of a session is published at most once per <see cref="SessionOptions.TouchInterval"/> by an instance (whichever request carries it), so a moved session does not flood the event sinks and a token holder cannot avoid it by timing requests.</returns>
    public async ValueTask<SessionValidationResult> ValidateAsync(string? token, SessionContext? context = null, CancellationToken cancellationToken = default)
    {
        var (status, record, partition, _) = await LookupAsync(token, cancellationToken).ConfigureAwait(false);
        if (status != SessionValidationStatus.Valid)
        {
            return new(status, record is null ? null : SessionInfo.From(record), SessionWarnings.None, default);
        }

        var now = _timeProvider.GetUtcNow();
        var (warnings, comparison) = Compare(record!, context);
        var touched = false;
        if (now - record!.LastUsedAt >= _options.TouchInterval)
        {
            if (await _store.TouchIfUnchangedAsync(partition!, record.IdHash, record.LastUsedAt, now, cancellationToken).ConfigureAwait(false))
            {
                record = record with { LastUsedAt = now };
                touched = true;
            }
            else
            {
                // Not updated: a concurrent touch got there first, or the session was revoked (revoke-all,
                // rotation) after our lookup. Look again so a revoked session never reports Valid.
                var (again, againRecord, _, _) = await LookupAsync(token, cancellationToken, warnIfRevoked: false).ConfigureAwait(false);
                if (again != SessionValidationStatus.Valid)
                {
                    return new(again, againRecord is null ? null : SessionInfo.From(againRecord), SessionWarnings.None, default);
                }

                record = againRecord!;
            }
        }

        // Each anomaly of a session is published at most once per TouchInterval by this instance, whichever request
        // carries it: of N requests arriving together one publishes (found in review: every one did, so a token holder
        // could flood the sinks). It used to be published only by the request that recorded a use, so a token holder
        // whose requests always followed the owner's (who records the uses) was never reported (found in review).
        if ((warnings & (SessionWarnings.IpChanged | SessionWarnings.DeviceChanged)) != 0)
        {
            var report = warnings;
            if ((report & SessionWarnings.IpChanged) != 0 && !ShouldReport(record.IdHash, 'i', now, touched))
            {
                report &= ~SessionWarnings.IpChanged;
            }

            if ((report & SessionWarnings.DeviceChanged) != 0 && !ShouldReport(record.IdHash, 'd', now, touched))
            {
                report &= ~SessionWarnings.DeviceChanged;
            }

            PublishWarnings(record, context, report, comparison);
        }

        return new(SessionValidationStatus.Valid, SessionInfo.From(record, isCurrent: true), warnings, comparison);
    }

    /// <summary>
    /// Replaces a valid session's token with a new one (after sign-in elevation or a privilege change);
    /// the old token stops working at once. Creation time and absolute expiry are kept.
    /// </summary>
    /// <param name="token">The current token.</param>
    /// <param name="context">The request context: when given, the session's IP and device are updated.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new token; <see cref="SessionIssueStatus.NotValid"/>; or <see cref="SessionIssueStatus.StoreFull"/> (with
    /// <c>session.store_full</c> published) when the store has no room for the new record, the old session unchanged.</returns>
    public async ValueTask<SessionIssueResult> RotateAsync(string? token, SessionContext? context = null, CancellationToken cancellationToken = default)
    {
        var (status, record, partition, _) = await LookupAsync(token, cancellationToken).ConfigureAwait(false);
        if (status != SessionValidationStatus.Valid)
        {
            return new(SessionIssueStatus.NotValid, null, null, null);
        }

        var key = _keyRing.GetActiveKey(KeyPurposes.TokenHashing);
        var (newToken, newIdHash) = SessionToken.Create(key, partition!);
        var now = _timeProvider.GetUtcNow();
        var (ip, fingerprint, summary) = Describe(context);
        var result = await _store.RotateAsync(partition!, record!.IdHash, newIdHash, now, ip, fingerprint, summary, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            if (result.Status == SessionStoreStatus.StoreFull)
            {
                // As for a creation: operators watch session.store_full, and a full store refuses rotations too.
                _events.Publish(SessionEventNames.StoreFull, SecurityEventSeverity.Warning, record.UserId, ip ?? record.IpAddress, "store_full");
                return new(SessionIssueStatus.StoreFull, null, null, null);
            }

            return new(SessionIssueStatus.NotValid, null, null, null);
        }

        _events.Publish(SessionEventNames.Rotated, SecurityEventSeverity.Information, record.UserId, ip ?? record.IpAddress);

        // Rotation moved the anomaly baseline to this request's network and device: publish the change (compared with the
        // old record), so a stolen token that reaches a rotating endpoint leaves the same audit trace as a validation.
        if (context is not null)
        {
            var (warnings, comparison) = Compare(record, context);
            PublishWarnings(record, context, warnings, comparison);
        }

        var rotated = record with
        {
            IdHash = newIdHash,
            LastUsedAt = now,
            IpAddress = ip ?? record.IpAddress,
            Fingerprint = fingerprint ?? record.Fingerprint,
            DeviceSummary = summary ?? record.DeviceSummary,
        };
        return new(SessionIssueStatus.Issued, newToken, SessionInfo.From(rotated, isCurrent: true), null);
    }

    /// <summary>Revokes the session of a token (sign-out); a token rotated out less than
    /// <see cref="ReplacementFollowWindow"/> ago also revokes the sessions that replaced it (up to
    /// <see cref="MaxReplacementsFollowed"/> rotations), so a rotation racing the sign-out cannot keep the user signed in.</summary>
    /// <param name="token">The token.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an active session was revoked.</returns>
    public async ValueTask<bool> RevokeAsync(string? token, CancellationToken cancellationToken = default)
    {
        var (status, record, partition, _) = await LookupAsync(token, cancellationToken, warnIfRevoked: false).ConfigureAwait(false);
        if (record is null || status is SessionValidationStatus.Malformed or SessionValidationStatus.UnknownKey)
        {
            return false;
        }

        var revoked = await RevokeRecordAsync(partition!, record, cancellationToken).ConfigureAwait(false);

        // A token rotated out moments ago (a sign-out that raced a rotation) also ends the sessions that replaced it:
        // otherwise the rotation's response could set the new token after the user signed out, and the session would live
        // on (found in review). Only within ReplacementFollowWindow of the rotation: an older rotated-out token (one stolen
        // before a step-up, say) must not sign the user out of the session that replaced it.
        var current = record;
        var revokedCurrent = revoked;
        for (var hop = 0; hop < MaxReplacementsFollowed; hop++)
        {
            var next = current.ReplacedBy;
            if (next is null && !revokedCurrent)
            {
                // Read before a rotation that then revoked it: look again for the session that replaced it.
                if ((await _store.GetAsync(partition!, current.IdHash, cancellationToken).ConfigureAwait(false)).Session is not { } again)
                {
                    break;
                }

                current = again;
                next = again.ReplacedBy;
            }

            if (next is null || current.RevokedAt is not { } rotatedAt || _timeProvider.GetUtcNow() - rotatedAt > ReplacementFollowWindow)
            {
                break;
            }

            var lookup = await _store.GetAsync(partition!, next, cancellationToken).ConfigureAwait(false);
            if (lookup.Session is not { } successor || !string.Equals(successor.UserId, record.UserId, StringComparison.Ordinal))
            {
                break;
            }

            revokedCurrent = await RevokeRecordAsync(partition!, successor, cancellationToken).ConfigureAwait(false);
            revoked |= revokedCurrent;
            current = successor;
        }

        return revoked;
    }

    /// <summary>Revokes one of a user's sessions by its <see cref="SessionInfo.SessionId"/> (from <see cref="ListAsync"/>),
    /// following rotations made since (up to <see cref="MaxReplacementsFollowed"/>), so a device listed before a step-up is
    /// still signed out.</summary>
    /// <param name="userId">The user id; the session must belong to this user.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an active session of that user was revoked.</returns>
    public async ValueTask<bool> RevokeAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        RequireUserId(userId);
        ArgumentNullException.ThrowIfNull(sessionId);
        if (sessionId.Length != 43)
        {
            return false;
        }

        var partition = SessionToken.Partition(userId);
        var lookup = await _store.GetAsync(partition, sessionId, cancellationToken).ConfigureAwait(false);
        if (lookup.Session is not { } record || !string.Equals(record.UserId, userId, StringComparison.Ordinal))
        {
            return false;
        }

        // The id listed on a devices page names the device's session as it was then; a rotation since (a step-up, a
        // privilege change) replaced it. The owner asked to end that device's session, so the one that replaced it ends:
        // before, the call found the rotated-out record, revoked nothing and the device stayed signed in (found in review).
        for (var hop = 0; hop < MaxReplacementsFollowed && record.RevokedAt is not null && record.ReplacedBy is { } next; hop++)
        {
            var successor = await _store.GetAsync(partition, next, cancellationToken).ConfigureAwait(false);
            if (successor.Session is not { } replacement || !string.Equals(replacement.UserId, userId, StringComparison.Ordinal))
            {
                break;
            }

            record = replacement;
        }

        return await RevokeRecordAsync(partition, record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes every session of a user (password reset, "sign out everywhere", account compromise). Once this returns, no earlier session validates.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number of active sessions revoked.</returns>
    public async ValueTask<int> RevokeAllAsync(string userId, CancellationToken cancellationToken = default)
    {
        RequireUserId(userId);
        var count = await _store.RevokeAllAsync(SessionToken.Partition(userId), userId, null, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _events.Publish(SessionEventNames.RevokedAll, SecurityEventSeverity.Information, userId, null, "all", Count(count));
        return count;
    }

    /// <summary>Revokes every session of the token's user except the token's own ("sign out other devices").</summary>
    /// <param name="token">The current, valid token.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The number of sessions revoked, or <see langword="null"/> when the token is not valid.</returns>
    public async ValueTask<int?> RevokeAllOthersAsync(string? token, CancellationToken cancellationToken = default)
    {
        var (status, record, partition, _) = await LookupAsync(token, cancellationToken).ConfigureAwait(false);
        if (status != SessionValidationStatus.Valid)
        {
            return null;
        }

        var count = await _store.RevokeAllAsync(partition!, record!.UserId, record.IdHash, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _events.Publish(SessionEventNames.RevokedAll, SecurityEventSeverity.Information, record.UserId, record.IpAddress, "all_but_current", Count(count));
        return count;
    }

    /// <summary>Lists a user's active sessions, oldest first (for a "your devices" page).</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="currentToken">The token of the request, to flag its session with <see cref="SessionInfo.IsCurrent"/>; optional.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The sessions.</returns>
    public async ValueTask<IReadOnlyList<SessionInfo>> ListAsync(string userId, string? currentToken = null, CancellationToken cancellationToken = default)
    {
        RequireUserId(userId);
        string? currentIdHash = null;
        Span<byte> secret = stackalloc byte[SessionToken.SecretSize + 1];
        if (SessionToken.TryParse(currentToken, out var keyId, out var tokenPartition, secret) && _keyRing.TryGetKey(KeyPurposes.TokenHashing, keyId, out var key))
        {
            currentIdHash = SessionToken.Hash(key, tokenPartition, secret[..SessionToken.SecretSize]);
        }

        CryptographicOperations.ZeroMemory(secret);
        var records = await _store.ListAsync(SessionToken.Partition(userId), userId, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return records.Select(r => SessionInfo.From(r, string.Equals(r.IdHash, currentIdHash, StringComparison.Ordinal))).ToList();
    }

    private async ValueTask<bool> RevokeRecordAsync(string partition, SessionRecord record, CancellationToken cancellationToken)
    {
        var revoked = await _store.RevokeAsync(partition, record.IdHash, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (revoked)
        {
            _events.Publish(SessionEventNames.Revoked, SecurityEventSeverity.Information, record.UserId, record.IpAddress);
        }

        return revoked;
    }

    private async ValueTask<(SessionValidationStatus Status, SessionRecord? Record, string? Partition, long UserVersion)> LookupAsync(string? token, CancellationToken cancellationToken, bool warnIfRevoked = true)
    {
        string idHash;
        string? partition;
        var secret = new byte[SessionToken.SecretSize + 1];
        try
        {
            if (!SessionToken.TryParse(token, out var keyId, out partition, secret))
            {
                return (SessionValidationStatus.Malformed, null, null, 0);
            }

            if (!_keyRing.TryGetKey(KeyPurposes.TokenHashing, keyId, out var key))
            {
                return (SessionValidationStatus.UnknownKey, null, null, 0);
            }

            idHash = SessionToken.Hash(key, partition, secret.AsSpan(0, SessionToken.SecretSize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        var lookup = await _store.GetAsync(partition, idHash, cancellationToken).ConfigureAwait(false);
        if (lookup.Session is not { } record)
        {
            return (SessionValidationStatus.NotFound, null, partition, lookup.UserTokenVersion);
        }

        var now = _timeProvider.GetUtcNow();
        if (record.RevokedAt is not null || record.TokenVersion < lookup.UserTokenVersion)
        {
            // Not for a sign-out of an already revoked token, nor the re-read after a racing sign-out: no one is
            // reusing a stolen token there. At most once per session and TouchInterval, like the anomaly warnings: a tab
            // of an evicted device polling every few seconds, or anyone replaying a revoked token, raised one Warning per
            // request (found in review).
            // A token rotated out moments ago is what a browser's in-flight requests still carry after a step-up rotated
            // it (or a double-submitted form): Information, not the "may be stolen" Warning that each step-up with a
            // parallel request raised (found in review). Later presentations are the Warning as before. Each kind is
            // throttled on its own, so the first Warning after the window is never held back by the Information.
            var rotatedMomentsAgo = warnIfRevoked && record.ReplacedBy is not null && record.TokenVersion >= lookup.UserTokenVersion
                && record.RevokedAt is { } rotatedAt && now - rotatedAt <= ReplacementFollowWindow;
            if (warnIfRevoked && ShouldReport(record.IdHash, rotatedMomentsAgo ? 'q' : 'r', now, touched: null))
            {
                _events.Publish(SessionEventNames.RevokedSessionUsed, rotatedMomentsAgo ? SecurityEventSeverity.Information : SecurityEventSeverity.Warning,
                    record.UserId, null, rotatedMomentsAgo ? "rotated_recently" : record.RevokedAt is null ? "revoked_all" : "revoked");
            }

            return (SessionValidationStatus.Revoked, record, partition, lookup.UserTokenVersion);
        }

        if (now >= record.AbsoluteExpiresAt)
        {
            return (SessionValidationStatus.AbsoluteExpired, record, partition, lookup.UserTokenVersion);
        }

        if (now >= record.LastUsedAt + record.IdleTimeout)
        {
            return (SessionValidationStatus.IdleExpired, record, partition, lookup.UserTokenVersion);
        }

        return (SessionValidationStatus.Valid, record, partition, lookup.UserTokenVersion);
    }

    private (string? Ip, string? Fingerprint, string? Summary) Describe(SessionContext? context)
    {
        if (context is null)
        {
            return (null, null, null);
        }

        // Stored without a scope id (fe80::1%4): the comparison reads it back strictly, which refuses zone ids.
        var ip = context.IpAddress is null ? null : WithoutScope(StrictIpAddress.Normalize(context.IpAddress)).ToString();
        if (context.Device is null)
        {
            return (ip, null, null);
        }

        var signals = DeviceSignals.From(context.Device);
        return (ip, _fingerprinter.Compute(context.Device).ToString(), signals.Summary);
    }

    private static System.Net.IPAddress WithoutScope(System.Net.IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new System.Net.IPAddress(address.GetAddressBytes()) : address;

    private (SessionWarnings Warnings, FingerprintComparison Comparison) Compare(SessionRecord record, SessionContext? context)
    {
        var warnings = SessionWarnings.None;
        FingerprintComparison comparison = default;
        if (context is null)
        {
            return (warnings, comparison);
        }

        if (context.IpAddress is { } current && StrictIpAddress.TryParse(record.IpAddress, out var previous) &&
            !IpBucket.AreInSameNetwork(previous, WithoutScope(current), _options.IPv4AnomalyPrefix, _options.IPv6AnomalyPrefix))
        {
            warnings |= SessionWarnings.IpChanged;
        }

        if (context.Device is { } device && record.Fingerprint is not null)
        {
            comparison = _fingerprinter.Compare(record.Fingerprint, device);
            warnings |= comparison.Change switch
            {
                FingerprintChange.DifferentDevice => SessionWarnings.DeviceChanged,
                FingerprintChange.BrowserUpdated => SessionWarnings.BrowserUpdated,
                FingerprintChange.SettingsChanged => SessionWarnings.DeviceSettingsChanged,
                _ => SessionWarnings.None,
            };
        }

        return (warnings, comparison);
    }

    /// <summary>Whether this validation publishes the session's anomaly of <paramref name="kind"/>: the first to claim it
    /// in a <see cref="SessionOptions.TouchInterval"/> does. When the table is full (and cannot be pruned), only the
    /// validation that recorded the use publishes, as before the table existed; with no such validation
    /// (<paramref name="touched"/> null: a revoked token presented again), one report a second for the whole manager, so a
    /// table filled by a mass revoke-all does not turn every replay back into an event (found in review).</summary>
    private bool ShouldReport(string idHash, char kind, DateTimeOffset now, bool? touched)
    {
        var key = (idHash, kind);
        var ticks = now.UtcTicks;
        var interval = _options.TouchInterval.Ticks;
        if (_reported.TryGetValue(key, out var last))
        {
            return IsStale(ticks, last, interval) && _reported.TryUpdate(key, ticks, last);
        }

        if (_reported.Count >= MaxTrackedAnomalies)
        {
            PruneReported(ticks, interval);
            if (_reported.Count >= MaxTrackedAnomalies)
            {
                return touched ?? TakeUntrackedReport(ref kind == 'q' ? ref _lastUntrackedInformationTicks : ref _lastUntrackedReportTicks, ticks);
            }
        }

        return _reported.TryAdd(key, ticks);
    }

    // One budget per severity: the Information of a recent rotation must not use up the slot of a Warning (found in
    // review). A reading more than a second earlier than the last report is a clock step back, not a late request.
    private static bool TakeUntrackedReport(ref long lastReport, long ticks)
    {
        var last = Volatile.Read(ref lastReport);
        return (ticks - last >= TimeSpan.TicksPerSecond || last - ticks > TimeSpan.TicksPerSecond) && Interlocked.CompareExchange(ref lastReport, ticks, last) == last;
    }

    /// <summary>Whether a report made at <paramref name="last"/> no longer silences the anomaly: one interval has passed, or
    /// the clock stepped back (the entry must not silence it until the clock catches up).</summary>
    private static bool IsStale(long ticks, long last, long interval) => ticks - last >= interval || ticks < last;

    private void PruneReported(long ticks, long interval)
    {
        var next = Volatile.Read(ref _nextPruneTicks);
        if ((ticks < next && next - ticks <= TimeSpan.TicksPerSecond) || Interlocked.CompareExchange(ref _nextPruneTicks, ticks + TimeSpan.TicksPerSecond, next) != next)
        {
            return;
        }

        foreach (var (key, last) in _reported)
        {
            if (IsStale(ticks, last, interval))
            {
                _reported.TryRemove(new KeyValuePair<(string, char), long>(key, last));
            }
        }
    }

    private void PublishWarnings(SessionRecord record, SessionContext? context, SessionWarnings warnings, FingerprintComparison comparison)
    {
        var ip = context?.IpAddress is { } address ? StrictIpAddress.Normalize(address).ToString() : null;
        if ((warnings & SessionWarnings.IpChanged) != 0)
        {
            _events.Publish(SessionEventNames.IpChanged, SecurityEventSeverity.Warning, record.UserId, ip, "ip_network_changed",
                [new("previous_ip", record.IpAddress)]);
        }

        if ((warnings & SessionWarnings.DeviceChanged) != 0)
        {
            _events.Publish(SessionEventNames.DeviceChanged, SecurityEventSeverity.Warning, record.UserId, ip, "device_changed",
                [new("components", comparison.ChangedComponents.ToString())]);
        }
    }

    private static KeyValuePair<string, string?>[] Count(int count) => [new("count", count.ToString(CultureInfo.InvariantCulture))];

    /// <summary>Throws unless <paramref name="userId"/> is 1 to <see cref="SessionRecord.MaxUserIdLength"/> characters
    /// (every call that derives a partition from it, not only creation).</summary>
    private static void RequireUserId(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (userId.Length > SessionRecord.MaxUserIdLength)
        {
            throw new ArgumentException($"The user id is longer than {SessionRecord.MaxUserIdLength} characters.", nameof(userId));
        }

        // A lone surrogate would become U+FFFD in the partition's UTF-8 (and in Redis), so "a\uD800" and "a\uDC00"
        // would share a partition: one user's revoke-all or list could reach the other's sessions.
        WellFormedText.ThrowIfNotWellFormed(userId, nameof(userId));
    }
}
