namespace SecurityKit.Passwords.Strength;

/// <summary>Options of <see cref="HaveIBeenPwnedPasswordChecker"/>.</summary>
public sealed class HaveIBeenPwnedOptions
{
    /// <summary>The default <see cref="BaseAddress"/>: the public Pwned Passwords range API.</summary>
    public static readonly Uri DefaultBaseAddress = new("https://api.pwnedpasswords.com/range/");

    /// <summary>Gets or sets the range endpoint; the 5-character hash prefix is appended. Must end with '/'.</summary>
    /// <value>The default value is <c>https://api.pwnedpasswords.com/range/</c>.</value>
    public Uri BaseAddress { get; set; } = DefaultBaseAddress;

    /// <summary>Gets or sets how long one range request may take before the check counts as unavailable (100 ms to 30 s).</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets what happens when the service cannot be reached in time or answers malformed data.</summary>
    /// <value>The default value is <see cref="BreachCheckFailureMode.FailClosed"/>.</value>
    public BreachCheckFailureMode FailureMode { get; set; } = BreachCheckFailureMode.FailClosed;

    /// <summary>Gets or sets the number of breach occurrences from which a password is rejected (at least 1).</summary>
    /// <value>The default value is 1.</value>
    public long MinimumBreachCount { get; set; } = 1;

    /// <summary>Gets or sets whether the request asks for padded responses (<c>Add-Padding: true</c>), hiding the prefix from observers of response sizes. Padding entries (count 0) are ignored.</summary>
    /// <value>The default value is true.</value>
    public bool AddPadding { get; set; } = true;

    /// <summary>Gets or sets how long a range response is reused (zero disables the cache; at most 24 hours).</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many range responses the cache holds (about 35,000 characters each with padding); the oldest
    /// go first. 0 to 100,000. Whatever the count, the cache holds at most 20 Mi characters, and a body over 128 Ki
    /// characters is not cached.</summary>
    /// <value>The default value is 512.</value>
    public int CacheMaxEntries { get; set; } = 512;

    /// <summary>Gets or sets the largest response accepted, in bytes; a larger one counts as malformed.</summary>
    /// <value>The default value is 1 MiB.</value>
    public int MaxResponseBytes { get; set; } = 1 << 20;

    internal void Validate()
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri || !BaseAddress.AbsoluteUri.EndsWith('/'))
        {
            throw new ArgumentException("HaveIBeenPwnedOptions.BaseAddress must be an absolute URI ending with '/'.");
        }

        if (BaseAddress.Scheme != Uri.UriSchemeHttps && !BaseAddress.IsLoopback)
        {
            // Over plain HTTP anyone on the path could answer "not breached" for every password.
            throw new ArgumentException("HaveIBeenPwnedOptions.BaseAddress must use https (plain http only to a loopback address, e.g. a local mirror or test server).");
        }

        if (Timeout < TimeSpan.FromMilliseconds(100) || Timeout > TimeSpan.FromSeconds(30))
        {
            throw new ArgumentException("HaveIBeenPwnedOptions.Timeout must be between 100 ms and 30 s.");
        }

        if (MinimumBreachCount < 1)
        {
            throw new ArgumentException("HaveIBeenPwnedOptions.MinimumBreachCount must be at least 1.");
        }

        if (CacheDuration < TimeSpan.Zero || CacheDuration > TimeSpan.FromHours(24) || CacheMaxEntries is < 0 or > 100_000)
        {
            throw new ArgumentException("HaveIBeenPwnedOptions: CacheDuration must be 0 to 24 h and CacheMaxEntries 0 to 100,000.");
        }

        if (MaxResponseBytes is < 1024 or > 16 << 20)
        {
            throw new ArgumentException("HaveIBeenPwnedOptions.MaxResponseBytes must be between 1 KiB and 16 MiB.");
        }
    }

    /// <summary>Copies every setting, so a checker keeps what it validated.</summary>
    /// <returns>The copy.</returns>
    internal HaveIBeenPwnedOptions Clone() => (HaveIBeenPwnedOptions)MemberwiseClone();
}
