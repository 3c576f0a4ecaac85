/*
 * Have I Been Pwned "Pwned Passwords" range API (k-anonymity), wire format:
 *
 *   Request:  GET {BaseAddress}{PREFIX}            PREFIX = first 5 hex digits (upper case) of SHA-1(UTF-8(password))
 *             Add-Padding: true                    (optional) pads the response with fake entries of count 0
 *   Response: 200, text/plain, one entry per line:  SUFFIX ":" COUNT CRLF
 *             SUFFIX = the remaining 35 hex digits of a breached SHA-1, COUNT = decimal occurrences (0 = padding)
 *
 * Only the prefix leaves the process: the service sees one of 1,048,576 buckets, never the hash.
 */
using System.Globalization;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using SecurityKit.Events;

namespace SecurityKit.Passwords.Strength;

/// <summary>
/// An <see cref="IBreachedPasswordChecker"/> using the Have I Been Pwned Pwned Passwords range API with
/// k-anonymity: only the first 5 hex digits of the password's SHA-1 are sent.
/// </summary>
/// <remarks>
/// <para>Responses are cached per prefix (bounded by <see cref="HaveIBeenPwnedOptions.CacheMaxEntries"/> and by 20 Mi
/// characters in all, a body over 128 Ki characters never cached; expiring after
/// <see cref="HaveIBeenPwnedOptions.CacheDuration"/> on the injected <see cref="TimeProvider"/>). A timeout, a
/// transport error, a non-success status or a malformed or oversized body make the check
/// <see cref="BreachCheckStatus.Unavailable"/>, rejected or not according to <see cref="HaveIBeenPwnedOptions.FailureMode"/>.</para>
/// <para><b>Security:</b> the password and its full hash are never sent, logged or cached; the cache holds public range responses only.</para>
/// <para>This type is thread-safe.</para>
/// </remarks>
public sealed class HaveIBeenPwnedPasswordChecker : IBreachedPasswordChecker
{
    /// <summary>The name of the <see cref="HttpClient"/> this checker asks <see cref="IHttpClientFactory"/> for.</summary>
    public const string HttpClientName = "SecurityKit.HaveIBeenPwned";

    private readonly Func<HttpClient> clientFactory;
    private readonly HaveIBeenPwnedOptions options;
    private readonly TimeProvider timeProvider;
    private readonly SecurityEventPublisher events;
    private readonly Dictionary<string, CacheEntry> cache = new(StringComparer.Ordinal);

    // Characters of range bodies the cache holds (2 bytes each in memory). Real padded ranges are ~35,000 characters, so
    // 512 of them take ~36 MB; a misbehaving mirror or an intercepting proxy serving 1 MiB bodies used to fill the cache to
    // ~1 GiB (found in review): a body over MaxCachedBodyChars is not cached, and the cache stays under MaxCacheChars.
    internal const int MaxCachedBodyChars = 128 * 1024;
    internal const long MaxCacheChars = 20L * 1024 * 1024;
    private long cachedChars;
    private readonly Lock cacheLock = new();

    /// <summary>Initializes a new instance that takes its <see cref="HttpClient"/> from <paramref name="httpClientFactory"/> (named <see cref="HttpClientName"/>).</summary>
    /// <param name="httpClientFactory">The factory.</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="timeProvider">The clock for timeouts and cache expiry.</param>
    /// <param name="events">Where to publish events; null for none.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public HaveIBeenPwnedPasswordChecker(IHttpClientFactory httpClientFactory, HaveIBeenPwnedOptions options, TimeProvider timeProvider, SecurityEventPublisher? events = null)
        : this(CreateFactory(httpClientFactory), options, timeProvider, events)
    {
    }

    /// <summary>Initializes a new instance over a caller-owned <see cref="HttpClient"/> (without DI).</summary>
    /// <param name="httpClient">The client; its own timeout should be longer than <see cref="HaveIBeenPwnedOptions.Timeout"/>.</param>
    /// <param name="options">The options; validated here.</param>
    /// <param name="timeProvider">The clock for timeouts and cache expiry.</param>
    /// <param name="events">Where to publish events; null for none.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public HaveIBeenPwnedPasswordChecker(HttpClient httpClient, HaveIBeenPwnedOptions options, TimeProvider timeProvider, SecurityEventPublisher? events = null)
        : this(CreateFactory(httpClient), options, timeProvider, events)
    {
    }

    private HaveIBeenPwnedPasswordChecker(Func<HttpClient> clientFactory, HaveIBeenPwnedOptions options, TimeProvider timeProvider, SecurityEventPublisher? events)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options = options.Clone(); // validate and keep a private copy
        options.Validate();
        this.clientFactory = clientFactory;
        this.options = options;
        this.timeProvider = timeProvider;
        this.events = events ?? SecurityEventPublisher.None;
    }

    /// <summary>Gets the number of cached range responses.</summary>
    public int CachedRanges
    {
        get
        {
            lock (cacheLock)
            {
                return cache.Count;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<BreachCheckResult> CheckAsync(string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length > 2 * PasswordPolicyOptions.MaximumLengthCeiling)
        {
            // Not hashed (bounded work per call): longer than any policy accepts (the ceiling counts code points, each at
            // most two UTF-16 units), and no known breach.
            return new BreachCheckResult(BreachCheckStatus.NotBreached, 0, false);
        }

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        var utf8 = Encoding.UTF8.GetBytes(password);
        string hex;
        try
        {
#pragma warning disable CA5350 // SHA-1 is the index of the Pwned Passwords corpus, not a protection of the password.
            SHA1.HashData(utf8, hash);
#pragma warning restore CA5350
            hex = Convert.ToHexString(hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(utf8);
            CryptographicOperations.ZeroMemory(hash);
        }

        var prefix = hex[..5];
        var suffix = hex[5..];

        var body = TryGetCached(prefix);
        if (body is null)
        {
            var (fetched, reason) = await FetchAsync(prefix, cancellationToken).ConfigureAwait(false);
            if (fetched is null)
            {
                return Unavailable(reason);
            }

            body = fetched;
        }

        if (!TryFindCount(body, suffix, out var count))
        {
            return Unavailable("malformed_response");
        }

        Store(prefix, body);
        if (count >= options.MinimumBreachCount)
        {
            // The order of magnitude only: for a common password the exact count nearly names it in the public HIBP data,
            // and the log line sits next to the policy event that carries the user id (found in review).
            events.Publish(PasswordStrengthEventNames.BreachedPasswordFound, SecurityEventSeverity.Information,
                properties: [new("count_at_least", CountMagnitude(count).ToString(CultureInfo.InvariantCulture))]);
            return new BreachCheckResult(BreachCheckStatus.Breached, count, true);
        }

        return new BreachCheckResult(BreachCheckStatus.NotBreached, count, false);
    }

    /// <summary>Finds the count of <paramref name="suffix"/> in a range body; padding (count 0) counts as absent. False if a
    /// line is malformed or the body has no entry at all: a real range always lists hundreds of suffixes (and padding
    /// adds more), so an empty answer is a proxy or an outage, not "not breached".</summary>
    internal static bool TryFindCount(string body, string suffix, out long count)
    {
        count = 0;
        var entries = 0;
        foreach (var raw in body.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty)
            {
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon != 35 || !long.TryParse(line[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            entries++;
            if (n > 0 && line[..colon].Equals(suffix, StringComparison.OrdinalIgnoreCase))
            {
                count = n;
            }
        }

        return entries > 0;
    }

    private async ValueTask<(string? Body, string Reason)> FetchAsync(string prefix, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.BaseAddress, prefix));
            if (options.AddPadding)
            {
                request.Headers.TryAddWithoutValidation("Add-Padding", "true");
            }

            var client = clientFactory();

            // Have I Been Pwned asks every API client to identify itself; a host's own client keeps its User-Agent.
            if (!client.DefaultRequestHeaders.NonValidated.Contains("User-Agent"))
            {
                request.Headers.TryAddWithoutValidation("User-Agent", "SecurityKit.Passwords.Strength");
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.StatusCode != System.Net.HttpStatusCode.OK)
            {
                // Only 200 carries a range: 204 or another 2xx from a proxy is not an answer.
                return (null, "status_" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }

            if (response.Content.Headers.ContentLength > options.MaxResponseBytes)
            {
                return (null, "response_too_large");
            }

            var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[Math.Min(options.MaxResponseBytes + 1, 64 * 1024)];
                using var collected = new MemoryStream();
                int read;
                while ((read = await stream.ReadAsync(buffer, linked.Token).ConfigureAwait(false)) > 0)
                {
                    collected.Write(buffer, 0, read);
                    if (collected.Length > options.MaxResponseBytes)
                    {
                        return (null, "response_too_large");
                    }
                }

                return (Encoding.ASCII.GetString(collected.GetBuffer(), 0, (int)collected.Length), string.Empty);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "timeout");
        }
        catch (HttpRequestException)
        {
            return (null, "transport_error");
        }
        catch (IOException)
        {
            return (null, "transport_error");
        }
    }

    private BreachCheckResult Unavailable(string reason)
    {
        var failOpen = options.FailureMode == BreachCheckFailureMode.FailOpen;
        events.Publish(PasswordStrengthEventNames.BreachCheckUnavailable, SecurityEventSeverity.Warning, reason: reason,
            properties: [new("mode", failOpen ? "fail_open" : "fail_closed")]);
        return new BreachCheckResult(BreachCheckStatus.Unavailable, 0, !failOpen);
    }

    private string? TryGetCached(string prefix)
    {
        if (options.CacheDuration == TimeSpan.Zero || options.CacheMaxEntries == 0)
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        lock (cacheLock)
        {
            if (cache.TryGetValue(prefix, out var entry))
            {
                if (entry.Expires > now)
                {
                    return entry.Body;
                }

                Remove(prefix);
            }
        }

        return null;
    }

    private void Store(string prefix, string body)
    {
        if (options.CacheDuration == TimeSpan.Zero || options.CacheMaxEntries == 0)
        {
            return;
        }

        if (body.Length > MaxCachedBodyChars)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        lock (cacheLock)
        {
            if (cache.ContainsKey(prefix))
            {
                return;
            }

            if (cache.Count >= options.CacheMaxEntries || cachedChars + body.Length > MaxCacheChars)
            {
                // Drop expired entries; if still full, the ones that expire first (the oldest).
                var expired = cache.Where(kv => kv.Value.Expires <= now).Select(kv => kv.Key).ToList();
                foreach (var key in expired)
                {
                    Remove(key);
                }

                while (cache.Count > 0 && (cache.Count >= options.CacheMaxEntries || cachedChars + body.Length > MaxCacheChars))
                {
                    Remove(cache.MinBy(kv => kv.Value.Expires).Key);
                }
            }

            cache[prefix] = new CacheEntry(body, now + options.CacheDuration);
            cachedChars += body.Length;
        }
    }

    /// <summary>The largest power of ten not above <paramref name="count"/> (1 for 1–9, 10 for 10–99, …).</summary>
    internal static long CountMagnitude(long count)
    {
        long magnitude = 1;
        while (magnitude <= count / 10)
        {
            magnitude *= 10;
        }

        return magnitude;
    }

    private static Func<HttpClient> CreateFactory(IHttpClientFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return () => factory.CreateClient(HttpClientName);
    }

    private static Func<HttpClient> CreateFactory(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return () => client;
    }

    /// <summary>Removes a cached range (under the cache lock).</summary>
    private void Remove(string prefix)
    {
        if (cache.Remove(prefix, out var entry))
        {
            cachedChars -= entry.Body.Length;
        }
    }

    /// <summary>Gets the characters of range bodies held (tests).</summary>
    internal long CachedChars
    {
        get
        {
            lock (cacheLock)
            {
                return cachedChars;
            }
        }
    }

    private readonly record struct CacheEntry(string Body, DateTimeOffset Expires);
}
