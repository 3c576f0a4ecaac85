namespace SecurityKit.Passwords;

/// <summary>Options of <see cref="PasswordHasher"/>: the policy for new hashes and the limits for verifying stored ones.</summary>
/// <remarks>
/// <para>The defaults are OWASP's Password Storage Cheat Sheet minimum for Argon2id (m = 19456 KiB,
/// t = 2, p = 1). Values below OWASP's floors fail validation at startup; tests can lower them with
/// <c>SecurityKit.Passwords.DangerZone.PasswordHasherDangerZone.AllowWeakParameters</c>.</para>
/// <para><b>Security:</b> raise the costs over time (the hasher reports <see cref="PasswordVerificationResult.SuccessRehashNeeded"/>
/// for older hashes); keep the verification limits tight so a hostile stored hash cannot make one
/// verification allocate gigabytes. Peak memory of hashing is about
/// <see cref="MaxConcurrentHashes"/> × <see cref="Argon2MemoryKiB"/> KiB.</para>
/// <para>This type is not thread-safe; <see cref="PasswordHasher"/> copies it when constructed.</para>
/// </remarks>
public sealed class PasswordHasherOptions
{
    /// <summary>The OWASP Argon2id configurations (memory KiB, passes), each considered equally strong; a configuration must reach one of them.</summary>
    internal static readonly (int MemoryKiB, int Iterations)[] OwaspArgon2idFloors = [(47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5)];

    /// <summary>OWASP's minimum BCrypt work factor.</summary>
    internal const int OwaspBCryptFloor = 10;

    /// <summary>Gets or sets the algorithm for new hashes.</summary>
    /// <value>The default value is <see cref="PasswordHashAlgorithm.Argon2id"/>.</value>
    public PasswordHashAlgorithm Algorithm { get; set; } = PasswordHashAlgorithm.Argon2id;

    /// <summary>Gets or sets the Argon2id memory cost m in KiB.</summary>
    /// <value>The default value is 19456 (19 MiB). With t = 2 the floor is 19456; see OWASP's table for other pairs.</value>
    public int Argon2MemoryKiB { get; set; } = 19456;

    /// <summary>Gets or sets the Argon2id passes t.</summary>
    /// <value>The default value is 2.</value>
    public int Argon2Iterations { get; set; } = 2;

    /// <summary>Gets or sets the Argon2id lanes p (1 to 16).</summary>
    /// <value>The default value is 1.</value>
    public int Argon2Parallelism { get; set; } = 1;

    /// <summary>Gets or sets the salt length in bytes for new Argon2id hashes (16 to 64).</summary>
    /// <value>The default value is 16.</value>
    public int Argon2SaltLength { get; set; } = 16;

    /// <summary>Gets or sets the tag length in bytes for new Argon2id hashes (16 to 64).</summary>
    /// <value>The default value is 32.</value>
    public int Argon2HashLength { get; set; } = 32;

    /// <summary>Gets or sets the BCrypt work factor (cost) for new BCrypt hashes (10 to 31).</summary>
    /// <value>The default value is 12.</value>
    public int BCryptWorkFactor { get; set; } = 12;

    /// <summary>Gets or sets whether new Argon2id hashes use the key ring's <c>password-pepper</c> key as the Argon2 secret.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>
    /// <b>Security:</b> a pepper keeps a stolen hash database useless without the key, but a lost key
    /// makes every peppered hash unverifiable: keep the key (and retired ones) in durable secret storage,
    /// never an ephemeral key (startup validation refuses one from <c>AddEphemeralRootKey()</c>). Requires <see cref="PasswordHashAlgorithm.Argon2id"/>; the key id is recorded
    /// in each hash so the pepper can rotate.
    /// </remarks>
    public bool UsePepper { get; set; }

    /// <summary>Gets or sets whether verification refuses every stored hash that carries no pepper: an Argon2id hash
    /// without a key id, and BCrypt and ASP.NET Core Identity imports.</summary>
    /// <value>The default value is <see langword="false"/>. Requires <see cref="UsePepper"/>.</value>
    /// <remarks>
    /// <b>Security:</b> a pepper keeps a stolen hash database useless, but while unpeppered hashes still verify, an
    /// attacker who can <i>write</i> to the database stores an unpeppered hash of a password of their choice and signs in
    /// with it. Turn this on once every user's hash has been re-peppered (verifications report
    /// <see cref="PasswordVerificationResult.SuccessRehashNeeded"/> until then): users whose hash is still unpeppered then
    /// fail to sign in and need a password reset. A refused hash costs the same work as an unknown user.
    /// </remarks>
    public bool RequirePepperedHashes { get; set; }

    /// <summary>Gets or sets the largest accepted password, in UTF-8 bytes after normalisation (256 to 65536: NIST SP 800-63B
    /// asks for at least 64 characters, up to 4 bytes each).</summary>
    /// <value>The default value is 4096.</value>
    public int MaxPasswordBytes { get; set; } = 4096;

    /// <summary>Gets or sets whether a password that fails in its NFKC form is tried again in its raw form (for hashes imported from systems that did not normalise).</summary>
    /// <value>The default value is <see langword="true"/>. A raw-form match reports <see cref="PasswordVerificationResult.SuccessRehashNeeded"/>.</value>
    public bool VerifyRawFormFallback { get; set; } = true;

    /// <summary>Gets or sets the largest Argon2 memory (KiB) a stored hash may ask for; larger ones fail without hashing.</summary>
    /// <value>The default value is 262144 (256 MiB). Must be at least <see cref="Argon2MemoryKiB"/>, at most 4194304 (4 GiB).</value>
    public int MaxVerificationMemoryKiB { get; set; } = 262144;

    /// <summary>Gets or sets the largest Argon2 passes a stored hash may ask for.</summary>
    /// <value>The default value is 16. Must be at least <see cref="Argon2Iterations"/>, at most 64.</value>
    public int MaxVerificationIterations { get; set; } = 16;

    /// <summary>Gets or sets the largest BCrypt cost a stored hash may ask for (each step doubles the time).</summary>
    /// <value>The default value is 16. Must be at least <see cref="BCryptWorkFactor"/>, at most 31.</value>
    public int MaxVerificationBCryptWorkFactor { get; set; } = 16;

    /// <summary>Gets or sets the largest PBKDF2 work an imported ASP.NET Core Identity V3 hash may ask for: its iteration count
    /// times the PRF output blocks of its subkey (one for Identity's SHA-256 and SHA-512 hashes, two for 32 bytes of SHA-1).</summary>
    /// <value>The default value is 1000000. Must be 100000 to 100000000.</value>
    public int MaxVerificationPbkdf2Iterations { get; set; } = 1_000_000;

    /// <summary>Gets or sets how many hashes run at once through the gate (1 to 1024).</summary>
    /// <value>The default value is <see cref="Environment.ProcessorCount"/>.</value>
    public int MaxConcurrentHashes { get; set; } = Environment.ProcessorCount;

    /// <summary>Gets or sets how many hashes may wait for the gate; one more is refused with <see cref="PasswordHasherBusyException"/> (0 to 100000).</summary>
    /// <value>The default value is 1024.</value>
    public int MaxQueuedHashes { get; set; } = 1024;

    /// <summary>Gets or sets whether values below OWASP's floors are accepted. Set only through the DangerZone.</summary>
    internal bool AllowWeakParameters { get; set; }

    internal PasswordHasherOptions Clone() => (PasswordHasherOptions)MemberwiseClone();
}
