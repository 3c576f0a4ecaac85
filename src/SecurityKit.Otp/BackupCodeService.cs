/*
 * Backup (recovery) codes.
 *
 *   code      = Length characters drawn uniformly (RandomNumberGenerator.GetItems) from the Crockford-style
 *               alphabet "0123456789ABCDEFGHJKMNPQRSTVWXYZ" (5 bits each; 12 characters = 60 bits),
 *               shown grouped by GroupSize with '-', e.g. "K7QF-2M9X-PD4T"
 *   normalise = drop ' ', '-', tab; upper-case; read O as 0 and I, L as 1 (Crockford); anything else
 *               outside the alphabet is malformed; 10–32 characters; raw input at most 64 characters
 *   stored    = BASE64URL(HMAC-SHA256(K, "SecurityKit.BackupCode.v1" 0x00 UTF-8(userId) 0x00 ASCII(normalised)))
 *               43 characters, one per code, in IBackupCodeStore together with the id of K
 *   K         = the key ring's active key for purpose "otp-backup-codes" (KeyPurposes.BackupCodes)
 *
 * The user id inside the MAC ties a hash to its user, so hashes moved between rows do not verify.
 */
using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Otp.Stores;
using SecurityKit.Primitives;
using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp;

/// <summary>Generates, verifies (once) and revokes backup codes, stored only as keyed hashes.</summary>
/// <remarks>
/// <para><b>Security:</b> <see cref="GenerateAsync"/> returns the only plain-text copy of the codes: show it once
/// and never log or store it. A code is consumed atomically, so the same code used from many requests at once
/// succeeds exactly once. Attempts share the user's failure limit with TOTP/HOTP.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class BackupCodeService
{
    /// <summary>The longest input <see cref="VerifyAsync"/> looks at, in characters.</summary>
    public const int MaxInputLength = 64;

    private const string Alphabet = SecureRandom.UnambiguousAlphabet;

    private readonly BackupCodeOptions _options;
    private readonly ISecretKeyRing _keyRing;
    private readonly IBackupCodeStore _store;
    private readonly IOtpFailureLimiter _limiter;
    private readonly TimeProvider _timeProvider;
    private readonly SecurityEventPublisher _events;

    /// <summary>Initializes the service (also usable without DI).</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="keyRing">The key ring holding the <see cref="KeyPurposes.BackupCodes"/> key.</param>
    /// <param name="store">The hash store.</param>
    /// <param name="failureLimiter">The failure limiter shared with TOTP/HOTP.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="events">The event publisher, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public BackupCodeService(BackupCodeOptions options, ISecretKeyRing keyRing, IBackupCodeStore store, IOtpFailureLimiter failureLimiter, TimeProvider timeProvider, SecurityEventPublisher? events = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keyRing);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(failureLimiter);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options = options.Clone(); // validated and kept: later changes to the host's instance cannot bypass the check
        OtpOptionsValidator.ThrowIfInvalid(OtpOptionsValidator.Check(options), nameof(options));
        _options = options;
        _keyRing = keyRing;
        _store = store;
        _limiter = failureLimiter;
        _timeProvider = timeProvider;
        _events = events ?? SecurityEventPublisher.None;
    }

    internal BackupCodeService(IOptions<BackupCodeOptions> options, ISecretKeyRing keyRing, IBackupCodeStore store, IOtpFailureLimiter failureLimiter, TimeProvider timeProvider, SecurityEventPublisher events)
        : this(options.Value, keyRing, store, failureLimiter, timeProvider, events)
    {
    }

    /// <summary>Generates a new set of codes for the user, replacing (invalidating) every previous code.</summary>
    /// <param name="userId">The user id, 1 to 256 characters.</param>
    /// <param name="cancellationToken">Cancels the store operation.</param>
    /// <returns>The codes, to show once.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    /// <exception cref="InvalidOperationException">The key ring has no <see cref="KeyPurposes.BackupCodes"/> key.</exception>
    public async ValueTask<GeneratedBackupCodes> GenerateAsync(string userId, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        var key = _keyRing.GetActiveKey(KeyPurposes.BackupCodes);
        var codes = new List<string>(_options.Count);
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        Span<char> raw = stackalloc char[_options.Length];
        while (codes.Count < _options.Count)
        {
            RandomNumberGenerator.GetItems(Alphabet, raw);
            if (hashes.Add(Hash(key, userId, raw)))
            {
                codes.Add(Format(raw, _options.GroupSize));
            }
        }

        raw.Clear();
        await _store.ReplaceAsync(userId, key.KeyId, hashes, cancellationToken).ConfigureAwait(false);
        _events.Publish(OtpEventNames.BackupCodesGenerated, SecurityEventSeverity.Information, userId: userId,
            properties: [new("count", codes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return new GeneratedBackupCodes(codes, _timeProvider.GetUtcNow());
    }

    /// <summary>Verifies and consumes a backup code.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="code">The code as typed (case, spaces and hyphens do not matter); malformed input is a failed result.</param>
    /// <param name="cancellationToken">Cancels the store operations.</param>
    /// <returns>The result; never throws for bad input.</returns>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is empty or too long.</exception>
    public async ValueTask<BackupCodeVerificationResult> VerifyAsync(string userId, string? code, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        var normalized = new char[MaxInputLength];
        if (!TryNormalize(code, normalized, out var length))
        {
            return new BackupCodeVerificationResult(BackupCodeVerificationStatus.MalformedCode);
        }

        try
        {
            return await VerifyNormalizedAsync(userId, normalized.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Array.Clear(normalized);
        }
    }

    private async ValueTask<BackupCodeVerificationResult> VerifyNormalizedAsync(string userId, ReadOnlyMemory<char> normalized, CancellationToken cancellationToken)
    {

        var attempt = await _limiter.BeginAttemptAsync(userId, cancellationToken).ConfigureAwait(false);
        if (!attempt.Allowed)
        {
            _events.Publish(OtpEventNames.LockedOut, SecurityEventSeverity.Warning, userId: userId, reason: "locked_out");
            return new BackupCodeVerificationResult(BackupCodeVerificationStatus.LockedOut, ConsecutiveFailures: attempt.PreviousFailures) { RetryAfter = attempt.RetryAfter };
        }

        var key = _keyRing.GetActiveKey(KeyPurposes.BackupCodes);
        var hash = Hash(key, userId, normalized.Span);
        var outcome = await _store.TryConsumeAsync(userId, key.KeyId, hash, cancellationToken).ConfigureAwait(false);
        if (!outcome.Consumed && outcome.StoredKeyId is { } storedKeyId && !string.Equals(storedKeyId, key.KeyId, StringComparison.Ordinal))
        {
            // The set was made before a key rotation: hash again with the key it was made with.
            if (_keyRing.TryGetKey(KeyPurposes.BackupCodes, storedKeyId, out var oldKey))
            {
                hash = Hash(oldKey, userId, normalized.Span);
                outcome = await _store.TryConsumeAsync(userId, storedKeyId, hash, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _events.Publish(OtpEventNames.BackupCodeRejected, SecurityEventSeverity.Warning, userId: userId, reason: "unknown_key");
            }
        }

        if (!outcome.Consumed)
        {
            _events.Publish(OtpEventNames.BackupCodeRejected, SecurityEventSeverity.Warning, userId: userId, reason: "invalid_code");
            return new BackupCodeVerificationResult(BackupCodeVerificationStatus.InvalidCode, outcome.Remaining, attempt.PreviousFailures);
        }

        await _limiter.RecordSuccessAsync(userId, cancellationToken).ConfigureAwait(false);
        _events.Publish(OtpEventNames.BackupCodeUsed, SecurityEventSeverity.Information, userId: userId,
            properties: [new("remaining", outcome.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return new BackupCodeVerificationResult(BackupCodeVerificationStatus.Success, outcome.Remaining, attempt.PreviousFailures);
    }

    /// <summary>Gets how many unused codes the user has.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the store operation.</param>
    /// <returns>The number of unused codes.</returns>
    public ValueTask<int> GetRemainingCountAsync(string userId, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        return _store.GetRemainingCountAsync(userId, cancellationToken);
    }

    /// <summary>Deletes every backup code of the user (second factor disabled).</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the store operation.</param>
    /// <returns>A task that completes when the codes are gone.</returns>
    public async ValueTask RevokeAllAsync(string userId, CancellationToken cancellationToken = default)
    {
        StoreArguments.UserId(userId);
        await _store.DeleteAsync(userId, cancellationToken).ConfigureAwait(false);
        _events.Publish(OtpEventNames.BackupCodesRevoked, SecurityEventSeverity.Information, userId: userId);
    }

    internal static bool TryNormalize(ReadOnlySpan<char> input, Span<char> destination, out int length)
    {
        length = 0;
        if (input.IsEmpty || input.Length > MaxInputLength)
        {
            return false;
        }

        foreach (var c in input)
        {
            if (c is ' ' or '-' or '\t')
            {
                continue;
            }

            var u = c switch
            {
                'o' or 'O' => '0',
                'i' or 'I' or 'l' or 'L' => '1',
                _ => Base32.UpperAscii(c),
            };
            if (!Alphabet.Contains(u, StringComparison.Ordinal))
            {
                length = 0;
                return false;
            }

            destination[length++] = u;
        }

        return length is >= 10 and <= 32;
    }

    private static string Hash(SecretKey key, string userId, ReadOnlySpan<char> normalizedCode)
    {
        var prefix = "SecurityKit.BackupCode.v1"u8;
        var userBytes = Encoding.UTF8.GetMaxByteCount(userId.Length);
        var size = prefix.Length + 1 + userBytes + 1 + normalizedCode.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        Span<byte> mac = stackalloc byte[32];
        try
        {
            prefix.CopyTo(buffer);
            var o = prefix.Length;
            buffer[o++] = 0;
            o += Encoding.UTF8.GetBytes(userId, buffer.AsSpan(o));
            buffer[o++] = 0;
            o += Encoding.ASCII.GetBytes(normalizedCode, buffer.AsSpan(o));
            HMACSHA256.HashData(key.Material, buffer.AsSpan(0, o), mac);
            return Base64Url.Encode(mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, size));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string Format(ReadOnlySpan<char> raw, int groupSize)
    {
        if (groupSize == 0)
        {
            return new string(raw);
        }

        var sb = new StringBuilder(raw.Length + (raw.Length / groupSize));
        for (var i = 0; i < raw.Length; i++)
        {
            if (i > 0 && i % groupSize == 0)
            {
                sb.Append('-');
            }

            sb.Append(raw[i]);
        }

        return sb.ToString();
    }
}

/// <summary>A freshly generated set of backup codes: the only plain-text copy.</summary>
/// <remarks><b>Security:</b> show <see cref="Codes"/> once; never log or store them. <see cref="ToString"/> leaves them out.</remarks>
public sealed class GeneratedBackupCodes
{
    internal GeneratedBackupCodes(IReadOnlyList<string> codes, DateTimeOffset createdAt)
    {
        Codes = codes;
        CreatedAt = createdAt;
    }

    /// <summary>Gets the codes, grouped for reading (e.g. <c>K7QF-2M9X-PD4T</c>).</summary>
    public IReadOnlyList<string> Codes { get; }

    /// <summary>Gets when the set was generated.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Describes the set without its codes.</summary>
    /// <returns>A description safe to log.</returns>
    public override string ToString() => $"GeneratedBackupCodes(count={Codes.Count})";
}

/// <summary>The outcome of a backup-code verification. The zero value is a failure.</summary>
public enum BackupCodeVerificationStatus
{
    /// <summary>The code is not one of the user's unused codes (counted as a failure).</summary>
    InvalidCode = 0,

    /// <summary>The code was accepted and consumed.</summary>
    Success = 1,

    /// <summary>The input was not a code (null, too long, characters outside the alphabet). Not counted.</summary>
    MalformedCode = 2,

    /// <summary>The user reached the consecutive-failure limit; the code was not checked.</summary>
    LockedOut = 3,
}

/// <summary>The result of <see cref="BackupCodeService.VerifyAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="RemainingCount">The unused codes left (after consumption on success).</param>
/// <param name="ConsecutiveFailures">The user's consecutive failures before this attempt.</param>
public readonly record struct BackupCodeVerificationResult(BackupCodeVerificationStatus Status, int RemainingCount = 0, int ConsecutiveFailures = 0)
{
    /// <summary>Gets, for <see cref="BackupCodeVerificationStatus.LockedOut"/>, how long until the limiter accepts the next attempt when it knows (zero otherwise).</summary>
    public TimeSpan RetryAfter { get; init; }

    /// <summary>Gets whether the code was accepted.</summary>
    public bool Succeeded => Status == BackupCodeVerificationStatus.Success;

    /// <summary>Gets the stable reason code, e.g. <c>invalid_code</c>.</summary>
    public string ReasonCode => Status switch
    {
        BackupCodeVerificationStatus.Success => "success",
        BackupCodeVerificationStatus.MalformedCode => "malformed_code",
        BackupCodeVerificationStatus.LockedOut => "locked_out",
        _ => "invalid_code",
    };
}
