namespace SecurityKit.RateLimiting.Stores;

/// <summary>Bounds of the <see cref="InMemoryRateLimitStore"/>.</summary>
public sealed class InMemoryRateLimitStoreOptions
{
    /// <summary>The smallest accepted <see cref="MaxEntries"/>.</summary>
    public const int MinMaxEntries = 1_000;

    /// <summary>The largest accepted <see cref="MaxEntries"/>.</summary>
    public const int MaxMaxEntries = 50_000_000;

    /// <summary>
    /// Gets or sets the number of keys the store holds before it evicts (about 200 bytes each). When full, a
    /// new key first triggers removal of expired entries, then of the 10% of entries holding the least of their limit
    /// (see <see cref="InMemoryRateLimitStore"/>).
    /// </summary>
    /// <value>The default value is 100,000.</value>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>The shortest <see cref="SweepInterval"/>: 1 second (a sweep scans every entry, and new keys trigger it).</summary>
    public static readonly TimeSpan MinSweepInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest <see cref="SweepInterval"/>: 1 day.</summary>
    public static readonly TimeSpan MaxSweepInterval = TimeSpan.FromDays(1);

    /// <summary>Gets or sets how often inserting new keys also sweeps expired entries; 1 second to 1 day.</summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
