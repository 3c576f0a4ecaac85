using System.Security.Cryptography;
using System.Text;
using SecurityKit.Events;
using SecurityKit.Keys;
using SecurityKit.Passwords.Argon2;
using SecurityKit.Passwords.BCrypt;
using SecurityKit.Passwords.Pbkdf2;

namespace SecurityKit.Passwords;

/// <summary>
/// The default <see cref="IPasswordHasher"/>: hashes with Argon2id (or BCrypt) and verifies Argon2id PHC
/// strings, BCrypt <c>$2a$/$2b$/$2y$</c> strings and ASP.NET Core Identity V2/V3 PBKDF2 hashes.
/// </summary>
/// <remarks>
/// <para>Passwords are normalised to Unicode NFKC (NIST SP 800-63B §5.1.1.2) and encoded as UTF-8 before
/// hashing. With <see cref="PasswordHasherOptions.VerifyRawFormFallback"/>, a password that fails in its
/// NFKC form is tried in its raw form (hashes imported from systems that did not normalise); such a
/// match asks for a rehash.</para>
/// <para>Every hash, sync or async, runs through one concurrency gate of
/// <see cref="PasswordHasherOptions.MaxConcurrentHashes"/> slots and <see cref="PasswordHasherOptions.MaxQueuedHashes"/>
/// waiting places. Prefer the async methods in servers: the sync ones block a thread while queued.</para>
/// <para>A <see langword="null"/> stored hash (unknown user) is verified against a dummy hash of a random password,
/// made once on first use with the current algorithm, costs and pepper, so it costs what a real verification costs.</para>
/// <para><b>Security:</b> the password never appears in events, exceptions or logs. This type is thread-safe.</para>
/// </remarks>
public sealed class PasswordHasher : IPasswordHasher
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, true);

    private readonly PasswordHasherOptions _options;
    private readonly ISecretKeyRing? _keyRing;
    private readonly SecurityEventPublisher _events;
    private readonly PasswordHashingGate _gate;
    private readonly Lazy<string> _dummyHash;

    /// <summary>Initializes a hasher.</summary>
    /// <param name="options">The options; copied, so later changes have no effect.</param>
    /// <param name="keyRing">The key ring holding the pepper (<see cref="KeyPurposes.PasswordPepper"/>); needed when <see cref="PasswordHasherOptions.UsePepper"/> is set or stored hashes carry a key id.</param>
    /// <param name="timeProvider">The clock for events; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="events">The event publisher; <see cref="SecurityEventPublisher.None"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are not valid; the message says what to set.</exception>
    public PasswordHasher(PasswordHasherOptions options, ISecretKeyRing? keyRing = null, TimeProvider? timeProvider = null, SecurityEventPublisher? events = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = PasswordHasherOptionsValidator.GetErrors(options, keyRing);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _options = options.Clone();
        _keyRing = keyRing;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _events = events ?? SecurityEventPublisher.None;
        _gate = new PasswordHashingGate(_options.MaxConcurrentHashes, _options.MaxQueuedHashes, _events);
        // PublicationOnly: a failed creation (a key ring that fails once) is retried, never cached forever.
        _dummyHash = new Lazy<string>(CreateDummyHash, LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>Gets the clock used for events.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Called around each Argon2/BCrypt/PBKDF2 computation; a test seam to observe concurrency.</summary>
    internal Action? BeforeHash { get; set; }

    /// <summary>Called after each computation; a test seam.</summary>
    internal Action? AfterHash { get; set; }

    /// <summary>Gets the dummy hash verified for unknown users (created on first use).</summary>
    internal string DummyHash => _dummyHash.Value;

    /// <summary>Gets the number of hashes running or waiting for the gate.</summary>
    internal int PendingHashes => _gate.Pending;

    /// <inheritdoc/>
    public string Hash(string password)
    {
        var prepared = PrepareForHash(password);
        try
        {
            _gate.Enter();
            try
            {
                return HashCore(prepared);
            }
            finally
            {
                _gate.Exit();
            }
        }
        finally
        {
            prepared.Clear();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<string> HashAsync(string password, CancellationToken cancellationToken = default)
    {
        var prepared = PrepareForHash(password);
        try
        {
            await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return HashCore(prepared);
            }
            finally
            {
                _gate.Exit();
            }
        }
        finally
        {
            prepared.Clear();
        }
    }

    /// <inheritdoc/>
    public PasswordVerificationResult Verify(string password, string? storedHash)
    {
        if (!TryPrepareForVerify(password, out var prepared))
        {
            return PasswordVerificationResult.Failed;
        }

        try
        {
            _gate.Enter();
            try
            {
                return VerifyCore(prepared, storedHash);
            }
            finally
            {
                _gate.Exit();
            }
        }
        finally
        {
            prepared.Clear();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<PasswordVerificationResult> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken = default)
    {
        if (!TryPrepareForVerify(password, out var prepared))
        {
            return PasswordVerificationResult.Failed;
        }

        try
        {
            await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return VerifyCore(prepared, storedHash);
            }
            finally
            {
                _gate.Exit();
            }
        }
        finally
        {
            prepared.Clear();
        }
    }

    /// <summary>Tells, without the password, whether a stored hash is below the current policy.</summary>
    /// <param name="storedHash">The stored hash.</param>
    /// <returns><see langword="true"/> when the hash uses another algorithm, a lower cost, another pepper key id, or cannot be read.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="storedHash"/> is <see langword="null"/>.</exception>
    public bool IsRehashNeeded(string storedHash)
    {
        ArgumentNullException.ThrowIfNull(storedHash);
        if (storedHash.StartsWith(Argon2idPhc.Prefix, StringComparison.Ordinal))
        {
            // The verification caps too: a hash that Verify refuses (cost_above_limit) can never log in, so it "cannot be read".
            return !Argon2idPhc.TryParse(storedHash, _options.MaxVerificationMemoryKiB, _options.MaxVerificationIterations, out var phc, out _) || GetArgon2RehashReason(phc!) is not null;
        }

        if (BCryptFormat.LooksLikeBCrypt(storedHash))
        {
            return !BCryptFormat.TryParse(storedHash, _options.MaxVerificationBCryptWorkFactor, out var cost, out _) || GetBCryptRehashReason(cost) is not null;
        }

        return true;
    }

    private string HashCore(PreparedPassword prepared)
    {
        BeforeHash?.Invoke();
        try
        {
            return _options.Algorithm == PasswordHashAlgorithm.BCrypt ? HashBCrypt(prepared) : HashArgon2(prepared.NormalizedUtf8);
        }
        finally
        {
            AfterHash?.Invoke();
        }
    }

    private string HashArgon2(ReadOnlySpan<byte> passwordUtf8)
    {
        SecretKey? pepper = null;
        if (_options.UsePepper)
        {
            pepper = _keyRing!.GetActiveKey(KeyPurposes.PasswordPepper);
        }

        Span<byte> salt = stackalloc byte[_options.Argon2SaltLength];
        Span<byte> tag = stackalloc byte[_options.Argon2HashLength];
        RandomNumberGenerator.Fill(salt);
        try
        {
            Argon2Engine.Hash(passwordUtf8, salt, pepper is null ? default : pepper.Material, default, _options.Argon2MemoryKiB, _options.Argon2Iterations, _options.Argon2Parallelism, tag);
            return Argon2idPhc.Format(_options.Argon2MemoryKiB, _options.Argon2Iterations, _options.Argon2Parallelism, pepper?.KeyId, salt, tag);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(tag);
        }
    }

    private string HashBCrypt(PreparedPassword prepared) => BCryptFormat.Hash(prepared.Normalized, _options.BCryptWorkFactor);

    private PasswordVerificationResult VerifyCore(PreparedPassword prepared, string? storedHash)
    {
        if (storedHash is null)
        {
            // No such user: spend the same work as a real verification, then fail.
            _ = VerifyStored(prepared, _dummyHash.Value, publish: false);
            return PasswordVerificationResult.Failed;
        }

        return VerifyStored(prepared, storedHash, publish: true);
    }

    private PasswordVerificationResult VerifyStored(PreparedPassword prepared, string storedHash, bool publish)
    {
        if (storedHash.Length > IdentityPbkdf2.MaxTextLength)
        {
            return Malformed(prepared, PasswordReasonCodes.MalformedHash, "unknown", publish);
        }

        if (storedHash.StartsWith(Argon2idPhc.Prefix, StringComparison.Ordinal))
        {
            return VerifyArgon2(prepared, storedHash, publish);
        }

        if (BCryptFormat.LooksLikeBCrypt(storedHash))
        {
            return publish && _options.RequirePepperedHashes ? Unpeppered(prepared, "bcrypt") : VerifyBCrypt(prepared, storedHash, publish);
        }

        if (storedHash.StartsWith('$'))
        {
            return Malformed(prepared, PasswordReasonCodes.UnsupportedAlgorithm, "unknown", publish);
        }

        if (IdentityPbkdf2.LooksLikeIdentity(storedHash))
        {
            return publish && _options.RequirePepperedHashes ? Unpeppered(prepared, "pbkdf2") : VerifyPbkdf2(prepared, storedHash, publish);
        }

        return Malformed(prepared, PasswordReasonCodes.MalformedHash, "unknown", publish);
    }

    private PasswordVerificationResult VerifyArgon2(PreparedPassword prepared, string storedHash, bool publish)
    {
        if (!Argon2idPhc.TryParse(storedHash, _options.MaxVerificationMemoryKiB, _options.MaxVerificationIterations, out var phc, out var reason))
        {
            return Malformed(prepared, reason!, "argon2id", publish);
        }

        if (phc!.KeyId is null && publish && _options.RequirePepperedHashes)
        {
            return Unpeppered(prepared, "argon2id");
        }

        SecretKey? pepper = null;
        if (phc.KeyId is not null && (_keyRing is null || !_keyRing.TryGetKey(KeyPurposes.PasswordPepper, phc.KeyId, out pepper)))
        {
            if (publish)
            {
                _events.Publish(PasswordEventNames.UnknownPepperKey, SecurityEventSeverity.Warning, reason: PasswordReasonCodes.UnknownPepperKey,
                    properties: [new("keyId", phc.KeyId)]);
            }

            // Same work as a real verification, so timing does not reveal which accounts hold a retired-pepper hash: one
            // computation, and a second where a wrong password with a distinct raw form would get its raw-form retry.
            _ = CheckArgon2(phc, null, prepared.NormalizedUtf8);
            if (prepared.HasDistinctRawForm && _options.VerifyRawFormFallback)
            {
                _ = CheckArgon2(phc, null, prepared.RawUtf8);
            }

            return PasswordVerificationResult.Failed;
        }

        var matchedRaw = false;
        var match = CheckArgon2(phc, pepper, prepared.NormalizedUtf8);
        if (!match && prepared.HasDistinctRawForm && _options.VerifyRawFormFallback)
        {
            match = matchedRaw = CheckArgon2(phc, pepper, prepared.RawUtf8);
        }

        if (!match)
        {
            return PasswordVerificationResult.Failed;
        }

        return Matched(StorableOrNull(prepared, matchedRaw ? PasswordReasonCodes.NotNormalized : GetArgon2RehashReason(phc)), "argon2id", publish);
    }

    /// <summary>The rehash reason, or <see langword="null"/> when <see cref="Hash"/> could not store this password (BCrypt
    /// configured and the normalised password over 72 bytes): asking for a rehash that throws made every sign-in of such a
    /// user fail after a switch to BCrypt (found in review; the BCrypt raw-form path already did this).</summary>
    private string? StorableOrNull(PreparedPassword prepared, string? reason) =>
        reason is not null && _options.Algorithm == PasswordHashAlgorithm.BCrypt && prepared.NormalizedUtf8.Length > BCryptFormat.MaxPasswordBytes ? null : reason;

    private bool CheckArgon2(Argon2idPhcHash phc, SecretKey? pepper, ReadOnlySpan<byte> passwordUtf8)
    {
        Span<byte> actual = stackalloc byte[phc.Hash.Length];
        BeforeHash?.Invoke();
        try
        {
            Argon2Engine.Hash(passwordUtf8, phc.Salt, pepper is null ? default : pepper.Material, default, phc.MemoryKiB, phc.Iterations, phc.Parallelism, actual);
            return CryptographicOperations.FixedTimeEquals(actual, phc.Hash);
        }
        finally
        {
            AfterHash?.Invoke();
            CryptographicOperations.ZeroMemory(actual);
        }
    }

    private string? GetArgon2RehashReason(Argon2idPhcHash phc)
    {
        if (_options.Algorithm != PasswordHashAlgorithm.Argon2id)
        {
            return PasswordReasonCodes.AlgorithmChanged;
        }

        if (phc.MemoryKiB < _options.Argon2MemoryKiB || phc.Iterations < _options.Argon2Iterations || phc.Parallelism < _options.Argon2Parallelism
            || phc.Salt.Length < _options.Argon2SaltLength || phc.Hash.Length < _options.Argon2HashLength)
        {
            return PasswordReasonCodes.CostBelowPolicy;
        }

        string? activeKeyId = null;
        if (_options.UsePepper)
        {
            activeKeyId = _keyRing is not null && _keyRing.TryGetActiveKey(KeyPurposes.PasswordPepper, out var active) ? active.KeyId : null;
        }

        return string.Equals(phc.KeyId, activeKeyId, StringComparison.Ordinal) ? null : PasswordReasonCodes.PepperKeyChanged;
    }

    private PasswordVerificationResult VerifyBCrypt(PreparedPassword prepared, string storedHash, bool publish)
    {
        if (!BCryptFormat.TryParse(storedHash, _options.MaxVerificationBCryptWorkFactor, out var cost, out var reason))
        {
            return Malformed(prepared, reason!, "bcrypt", publish);
        }

        bool? match = null;
        var matchedRaw = false;
        if (prepared.NormalizedUtf8.Length <= BCryptFormat.MaxPasswordBytes)
        {
            match = CheckBCrypt(prepared.Normalized, storedHash);
        }

        if (match != true && prepared.HasDistinctRawForm && _options.VerifyRawFormFallback && prepared.RawUtf8.Length <= BCryptFormat.MaxPasswordBytes)
        {
            match = CheckBCrypt(prepared.Raw, storedHash);
            matchedRaw = match == true;
        }

        if (match is null && prepared.NormalizedUtf8.Length > BCryptFormat.MaxPasswordBytes)
        {
            // Too long for BCrypt: never compare a truncated password.
            if (publish)
            {
                _events.Publish(PasswordEventNames.PasswordRejected, SecurityEventSeverity.Information, reason: PasswordReasonCodes.PasswordTooLong,
                    properties: [new("algorithm", "bcrypt")]);
                SpendDummyWork(prepared);
            }
            else
            {
                // The unknown-user path with a BCrypt dummy hash (Algorithm = BCrypt): spend one computation at the stored
                // cost on a stand-in of legal length, result unused. It used to spend none, so under BCrypt a 73-byte password
                // answered at once for unknown users and BCrypt accounts but took a full verification for accounts holding
                // an imported PBKDF2 or Argon2id hash (found in review).
                _ = CheckBCrypt(TooLongStandIn, storedHash);
            }

            return PasswordVerificationResult.Failed;
        }

        if (match is null)
        {
            return Malformed(prepared, PasswordReasonCodes.MalformedHash, "bcrypt", publish);
        }

        if (match == false)
        {
            return PasswordVerificationResult.Failed;
        }

        if (matchedRaw && _options.Algorithm == PasswordHashAlgorithm.BCrypt && prepared.NormalizedUtf8.Length > BCryptFormat.MaxPasswordBytes)
        {
            // Only the raw form fits BCrypt: a rehash (which stores the normalised form) would refuse this password, so
            // the login succeeds without asking for one. Switching to Argon2id upgrades it.
            return Matched(null, "bcrypt", publish);
        }

        return Matched(matchedRaw ? PasswordReasonCodes.NotNormalized : GetBCryptRehashReason(cost), "bcrypt", publish);
    }

    /// <summary>What the unknown-user path hashes in place of a password too long for BCrypt (its result is never used).</summary>
    private const string TooLongStandIn = "securitykit: stand-in for a password over 72 bytes";

    private bool? CheckBCrypt(string password, string storedHash)
    {
        BeforeHash?.Invoke();
        try
        {
            return BCryptFormat.Verify(password, storedHash);
        }
        finally
        {
            AfterHash?.Invoke();
        }
    }

    private string? GetBCryptRehashReason(int cost)
    {
        if (_options.Algorithm != PasswordHashAlgorithm.BCrypt)
        {
            return PasswordReasonCodes.AlgorithmChanged;
        }

        return cost < _options.BCryptWorkFactor ? PasswordReasonCodes.CostBelowPolicy : null;
    }

    private PasswordVerificationResult VerifyPbkdf2(PreparedPassword prepared, string storedHash, bool publish)
    {
        bool? match;
        string? reason;
        BeforeHash?.Invoke();
        try
        {
            match = IdentityPbkdf2.Verify(prepared.NormalizedUtf8, storedHash, _options.MaxVerificationPbkdf2Iterations, out reason);
            if (match == false && prepared.HasDistinctRawForm && _options.VerifyRawFormFallback)
            {
                // Identity never normalised: the raw form is the one it hashed.
                match = IdentityPbkdf2.Verify(prepared.RawUtf8, storedHash, _options.MaxVerificationPbkdf2Iterations, out reason);
            }
        }
        finally
        {
            AfterHash?.Invoke();
        }

        if (match is null)
        {
            return Malformed(prepared, reason ?? PasswordReasonCodes.MalformedHash, "pbkdf2", publish);
        }

        return match.Value ? Matched(StorableOrNull(prepared, PasswordReasonCodes.AlgorithmChanged), "pbkdf2", publish) : PasswordVerificationResult.Failed;
    }

    private PasswordVerificationResult Matched(string? rehashReason, string algorithm, bool publish)
    {
        if (rehashReason is null)
        {
            return PasswordVerificationResult.Success;
        }

        if (publish)
        {
            _events.Publish(PasswordEventNames.RehashNeeded, SecurityEventSeverity.Information, reason: rehashReason, properties: [new("algorithm", algorithm)]);
        }

        return PasswordVerificationResult.SuccessRehashNeeded;
    }

    private PasswordVerificationResult Malformed(PreparedPassword prepared, string reason, string algorithm, bool publish)
    {
        if (publish)
        {
            _events.Publish(PasswordEventNames.MalformedHash, SecurityEventSeverity.Warning, reason: reason, properties: [new("algorithm", algorithm)]);
            SpendDummyWork(prepared);
        }

        return PasswordVerificationResult.Failed;
    }

    /// <summary>A stored hash without a pepper under <see cref="PasswordHasherOptions.RequirePepperedHashes"/>: refused after
    /// the unknown-user work (someone who can write to the database must not be able to plant a hash of their own).</summary>
    private PasswordVerificationResult Unpeppered(PreparedPassword prepared, string algorithm)
    {
        _events.Publish(PasswordEventNames.UnpepperedHashRefused, SecurityEventSeverity.Warning, reason: PasswordReasonCodes.UnpepperedHash, properties: [new("algorithm", algorithm)]);
        SpendDummyWork(prepared);
        return PasswordVerificationResult.Failed;
    }

    /// <summary>
    /// Spends the work of verifying against the dummy hash, as for an unknown user, on a path that refuses at once (a
    /// malformed, unsupported or over-cap stored hash; a password too long for a stored BCrypt hash): answering in ~0 ms
    /// there would tell an attacker which accounts exist (e.g. SSO-only accounts with a "!" sentinel) or hold legacy
    /// hashes (found in review).
    /// </summary>
    private void SpendDummyWork(PreparedPassword prepared) => _ = VerifyStored(prepared, _dummyHash.Value, publish: false);

    private string CreateDummyHash()
    {
        Span<byte> random = stackalloc byte[24];
        RandomNumberGenerator.Fill(random);
        var password = Convert.ToBase64String(random);
        CryptographicOperations.ZeroMemory(random);
        var prepared = PreparedPassword.Create(password, password, StrictUtf8);
        try
        {
            return HashCore(prepared);
        }
        finally
        {
            prepared.Clear();
        }
    }

    private PreparedPassword PrepareForHash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var reason = TryPrepare(password, out var prepared);
        if (reason is null && _options.Algorithm == PasswordHashAlgorithm.BCrypt && prepared!.NormalizedUtf8.Length > BCryptFormat.MaxPasswordBytes)
        {
            prepared.Clear();
            throw new ArgumentException(
                $"BCrypt reads at most {BCryptFormat.MaxPasswordBytes} UTF-8 bytes and this password is longer; SecurityKit refuses it rather than truncate. Use Argon2id (PasswordHasherOptions.Algorithm) for long passwords.",
                nameof(password));
        }

        return reason switch
        {
            null => prepared!,
            PasswordReasonCodes.PasswordEmpty => throw new ArgumentException("The password is empty.", nameof(password)),
            PasswordReasonCodes.PasswordTooLong => throw new ArgumentException($"The password is longer than {_options.MaxPasswordBytes} UTF-8 bytes (PasswordHasherOptions.MaxPasswordBytes).", nameof(password)),
            _ => throw new ArgumentException("The password is not valid Unicode (it contains a lone surrogate).", nameof(password)),
        };
    }

    private bool TryPrepareForVerify(string password, out PreparedPassword prepared)
    {
        ArgumentNullException.ThrowIfNull(password);
        var reason = TryPrepare(password, out var result);
        if (reason is not null)
        {
            _events.Publish(PasswordEventNames.PasswordRejected, SecurityEventSeverity.Information, reason: reason);
            prepared = null!;
            return false;
        }

        prepared = result!;
        return true;
    }

    private string? TryPrepare(string password, out PreparedPassword? prepared)
    {
        prepared = null;
        if (password.Length == 0)
        {
            return PasswordReasonCodes.PasswordEmpty;
        }

        // Every UTF-16 code unit is at least one UTF-8 byte: reject before normalising.
        if (password.Length > _options.MaxPasswordBytes)
        {
            return PasswordReasonCodes.PasswordTooLong;
        }

        // U+0000: BCrypt.Net-Next NUL-terminates and cycles the key, so "a" and "a\0a" would share a hash.
        // No real password contains it; reject it for every algorithm.
        if (password.Contains('\0', StringComparison.Ordinal))
        {
            return PasswordReasonCodes.PasswordInvalidUnicode;
        }

        string normalized;
        try
        {
            normalized = password.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return PasswordReasonCodes.PasswordInvalidUnicode;
        }

        int byteCount;
        try
        {
            byteCount = StrictUtf8.GetByteCount(normalized);
        }
        catch (EncoderFallbackException)
        {
            return PasswordReasonCodes.PasswordInvalidUnicode;
        }

        if (byteCount > _options.MaxPasswordBytes)
        {
            return PasswordReasonCodes.PasswordTooLong;
        }

        prepared = PreparedPassword.Create(password, normalized, StrictUtf8);
        return null;
    }

    /// <summary>A password in its NFKC and raw forms, as text and UTF-8; buffers are zeroed after use.</summary>
    private sealed class PreparedPassword
    {
        private PreparedPassword(string raw, string normalized, byte[] rawUtf8, byte[] normalizedUtf8)
        {
            Raw = raw;
            Normalized = normalized;
            RawUtf8 = rawUtf8;
            NormalizedUtf8 = normalizedUtf8;
        }

        public string Raw { get; }

        public string Normalized { get; }

        public byte[] RawUtf8 { get; }

        public byte[] NormalizedUtf8 { get; }

        public bool HasDistinctRawForm => !ReferenceEquals(RawUtf8, NormalizedUtf8);

        public static PreparedPassword Create(string raw, string normalized, Encoding encoding)
        {
            var normalizedUtf8 = encoding.GetBytes(normalized);
            var rawUtf8 = string.Equals(raw, normalized, StringComparison.Ordinal) ? normalizedUtf8 : encoding.GetBytes(raw);
            return new PreparedPassword(raw, normalized, rawUtf8, normalizedUtf8);
        }

        public void Clear()
        {
            CryptographicOperations.ZeroMemory(NormalizedUtf8);
            CryptographicOperations.ZeroMemory(RawUtf8);
        }
    }
}
