using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SecurityKit.Events;
using SecurityKit.RateLimiting.Adapters;
using SecurityKit.RateLimiting.Stores;
using SecurityKit.Stores.RateLimiting;

namespace SecurityKit.RateLimiting;

/// <summary>
/// Checks named rate-limit policies against the configured <see cref="IRateLimitStore"/> (in-memory or Redis),
/// with a timeout and each policy's <see cref="StoreFailurePolicy"/>; adapts them to
/// <see cref="System.Threading.RateLimiting"/> for ASP.NET Core's <c>AddRateLimiter</c> and Polly.
/// </summary>
/// <remarks>
/// <para>The store key of a check is <c>policyName + ":" + partitionKey</c>. Denied checks publish
/// <see cref="RateLimitingEventNames.Throttled"/>; store failures publish
/// <see cref="RateLimitingEventNames.StoreUnavailable"/>.</para>
/// <para><b>Security:</b> partition keys reach the store as given: pass an id or an HMAC, not an e-mail address.
/// This type is thread-safe.</para>
/// </remarks>
public sealed class SecurityRateLimiter
{
    private readonly Dictionary<string, RateLimitPolicy> _policies;

    /// <summary>Initializes a limiter over a store, for use without DI.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The policies and store timeout.</param>
    /// <param name="timeProvider">The clock (timeouts).</param>
    /// <param name="events">The event publisher, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are not valid; the message says what to set (the checks DI runs at startup).</exception>
    public SecurityRateLimiter(IRateLimitStore store, RateLimitingOptions options, TimeProvider timeProvider, SecurityEventPublisher? events = null)
        : this(store, Validated(options), timeProvider, events, fallback: null)
    {
    }

    /// <summary>Initializes a limiter from DI.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="events">The event publisher.</param>
    /// <param name="fallback">The in-memory store used by <see cref="StoreFailurePolicy.FallbackToMemory"/>.</param>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public SecurityRateLimiter(IRateLimitStore store, IOptions<RateLimitingOptions> options, TimeProvider timeProvider, SecurityEventPublisher events, InMemoryRateLimitStore fallback)
        : this(store, options?.Value!, timeProvider, events, fallback)
    {
    }

    private SecurityRateLimiter(IRateLimitStore store, RateLimitingOptions options, TimeProvider timeProvider, SecurityEventPublisher? events, InMemoryRateLimitStore? fallback)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _policies = new Dictionary<string, RateLimitPolicy>(options.Policies, StringComparer.Ordinal);
        fallback ??= store as InMemoryRateLimitStore ?? new InMemoryRateLimitStore(options.InMemory, timeProvider);
        Guard = new StoreGuard(store, fallback, options.StoreTimeout, timeProvider, events ?? SecurityEventPublisher.None);
        Time = timeProvider;
    }

    internal StoreGuard Guard { get; }

    internal TimeProvider Time { get; }

    private static RateLimitingOptions Validated(RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new RateLimitingOptionsValidator().Validate(null, options);
        return result.Failed ? throw new ArgumentException(result.FailureMessage, nameof(options)) : options;
    }

    /// <summary>Gets the policy named <paramref name="policyName"/>.</summary>
    /// <param name="policyName">The name.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentException">No such policy is configured.</exception>
    public RateLimitPolicy GetPolicy(string policyName)
    {
        ArgumentNullException.ThrowIfNull(policyName);
        return _policies.TryGetValue(policyName, out var policy)
            ? policy
            : throw new ArgumentException($"No rate-limit policy named '{policyName}'. Add it with AddRateLimiting(o => o.AddPolicy(\"{policyName}\", rule)).", nameof(policyName));
    }

    /// <summary>Checks and consumes <paramref name="permits"/> of the policy's limit for <paramref name="partitionKey"/>.</summary>
    /// <param name="policyName">The policy name.</param>
    /// <param name="partitionKey">The partition (user id, API key id, IP…), 1 to 256 characters; with the Redis store also
    /// valid UTF-16 (no unpaired surrogate: Redis would merge such keys; <see cref="ArgumentException"/>).</param>
    /// <param name="permits">The permits, 0 (report only) to the rule's limit.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The decision; <see cref="RateLimitDecision.IsDegraded"/> when the failure policy decided.</returns>
    /// <exception cref="ArgumentException">Unknown policy, or an invalid key or permit count.</exception>
    public ValueTask<RateLimitDecision> AcquireAsync(string policyName, string partitionKey, int permits = 1, CancellationToken cancellationToken = default)
    {
        var policy = GetPolicy(policyName);
        ValidatePartition(partitionKey, nameof(partitionKey));
        return AcquirePartitionAsync(policyName, policy, partitionKey, permits, cancellationToken);
    }

    /// <summary>Creates a <see cref="RateLimiter"/> for one partition of a policy (a fixed key).</summary>
    /// <param name="policyName">The policy name.</param>
    /// <param name="partitionKey">The partition key.</param>
    /// <returns>The limiter. It does not queue: <c>AcquireAsync</c> answers at once, with <c>RetryAfter</c> metadata when refused.
    /// Disposing it frees nothing (the state lives in the store); a disposed limiter keeps working.</returns>
    /// <exception cref="ArgumentException">Unknown policy or invalid key.</exception>
    public RateLimiter CreateLimiter(string policyName, string partitionKey)
    {
        var policy = GetPolicy(policyName);
        ValidatePartition(partitionKey, nameof(partitionKey));
        return new StoreRateLimiter(this, policyName, policy, string.Concat(policyName, ":", partitionKey));
    }

    /// <summary>Creates a <see cref="PartitionedRateLimiter{TResource}"/> over a policy, e.g. for ASP.NET Core's <c>AddRateLimiter(o => o.GlobalLimiter = …)</c>.</summary>
    /// <typeparam name="TResource">The resource type, e.g. <c>HttpContext</c>.</typeparam>
    /// <param name="policyName">The policy name.</param>
    /// <param name="partitionKeySelector">Selects the partition key of a resource. Request data is fine: a null or empty key
    /// is one shared partition, and a key longer than 256 characters is hashed (never an exception per request).</param>
    /// <returns>The limiter. Disposing it frees nothing (the state lives in the store); a disposed limiter keeps working.</returns>
    /// <exception cref="ArgumentException">Unknown policy.</exception>
    public PartitionedRateLimiter<TResource> CreatePartitionedLimiter<TResource>(string policyName, Func<TResource, string> partitionKeySelector)
    {
        ArgumentNullException.ThrowIfNull(partitionKeySelector);
        return new StorePartitionedRateLimiter<TResource>(this, policyName, GetPolicy(policyName), partitionKeySelector);
    }

    /// <summary>The longest partition key.</summary>
    internal const int MaxPartitionLength = 256;

    /// <summary>Throws unless <paramref name="partition"/> is 1 to <see cref="MaxPartitionLength"/> characters.</summary>
    internal static void ValidatePartition(string partition, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(partition, paramName);
        if (partition.Length > MaxPartitionLength)
        {
            throw new ArgumentException("Partition keys are at most 256 characters.", paramName);
        }
    }

    /// <summary>Checks <c>policyName:partition</c> (the partition already validated). With the in-memory store the key is
    /// composed on the stack and an existing key is checked without allocating.</summary>
    internal ValueTask<RateLimitDecision> AcquirePartitionAsync(string policyName, RateLimitPolicy policy, string partition, int permits, CancellationToken cancellationToken)
    {
        if (Guard.Store is not InMemoryRateLimitStore memory)
        {
            return AcquireCoreAsync(policyName, policy, string.Concat(policyName, ":", partition), permits, cancellationToken);
        }

        ValidatePermits(policy, permits);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitDecision>(cancellationToken);
        }

        // Policy names are at most 64 characters and partitions 256 (both validated): at most 321 characters.
        Span<char> key = stackalloc char[policyName.Length + 1 + partition.Length];
        policyName.CopyTo(key);
        key[policyName.Length] = ':';
        partition.CopyTo(key[(policyName.Length + 1)..]);
        return new(Decided(policyName, memory.TryAcquire(key, policy.Rule, permits), permits));
    }

    internal ValueTask<RateLimitDecision> AcquireCoreAsync(string policyName, RateLimitPolicy policy, string key, int permits, CancellationToken cancellationToken)
    {
        ValidatePermits(policy, permits);
        var pending = Guard.AcquireAsync(policyName, key, policy.Rule, policy.FallbackRule, policy.FailurePolicy, permits, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(Decided(policyName, pending.Result, permits)) : AwaitAsync(pending, policyName, permits);
    }

    private static void ValidatePermits(RateLimitPolicy policy, int permits)
    {
        if ((uint)permits > (uint)policy.Rule.Limit)
        {
            throw new ArgumentOutOfRangeException(nameof(permits), permits, "Permits must be between 0 and the rule's limit.");
        }
    }

    private async ValueTask<RateLimitDecision> AwaitAsync(ValueTask<RateLimitDecision> pending, string policyName, int permits) =>
        Decided(policyName, await pending.ConfigureAwait(false), permits);

    /// <summary>Publishes <see cref="RateLimitingEventNames.Throttled"/> for a refused request (not a report-only check).</summary>
    private RateLimitDecision Decided(string policyName, RateLimitDecision decision, int permits)
    {
        if (!decision.IsAllowed && permits > 0)
        {
            PublishThrottled(policyName, decision);
        }

        return decision;
    }

    private void PublishThrottled(string policyName, RateLimitDecision decision)
    {
        if (Guard.Events.IsEnabled)
        {
            Guard.Events.Publish(
                RateLimitingEventNames.Throttled,
                SecurityEventSeverity.Information,
                reason: decision.IsDegraded ? "store_unavailable" : "rate_limited",
                properties:
                [
                    new("policy", policyName),
                    new("retry_after_ms", ((long)decision.RetryAfter.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ]);
        }
    }
}
