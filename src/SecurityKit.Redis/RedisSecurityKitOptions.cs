using StackExchange.Redis;

namespace SecurityKit.Redis;

/// <summary>
/// Connection settings for the Redis stores, shaped like ASP.NET Core's <c>RedisCacheOptions</c>.
/// </summary>
/// <remarks>
/// At least one of <see cref="Configuration"/>, <see cref="ConfigurationOptions"/> or
/// <see cref="ConnectionMultiplexerFactory"/> must be set; when several are, the factory wins, then
/// <see cref="ConfigurationOptions"/>. For <see cref="Configuration"/> and <see cref="ConfigurationOptions"/> (used on a
/// clone), <c>AbortOnConnectFail</c> is forced to <see langword="false"/> so an unavailable server never breaks startup
/// or the first request (each store then applies its own failure policy), and <c>IncludeDetailInExceptions</c> to
/// <see langword="false"/>, so StackExchange.Redis's exceptions never carry a key (some keys hold user ids, and hosts log
/// these exceptions). A multiplexer from the factory is the host's: create it with both set to <see langword="false"/>
/// for the same behaviour.
/// </remarks>
public sealed class RedisSecurityKitOptions
{
    /// <summary>Gets or sets the StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>. An empty or
    /// unparsable string, or one naming no server, fails startup validation (the message never quotes it: it may hold a
    /// password); an unreachable server does not.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Configuration { get; set; }

    /// <summary>Gets or sets the parsed configuration; takes precedence over <see cref="Configuration"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Gets or sets a factory for a shared multiplexer owned by the host; takes precedence over both.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>Gets or sets the prefix of every key SecurityKit writes, so several apps share one server.</summary>
    /// <value>The default value is <c>sk:</c>.</value>
    public string KeyPrefix { get; set; } = "sk:";

    /// <summary>Gets or sets the timeout of each wait of the OTP, session, refresh-token and token-version stores (the first
    /// connection, then each round trip; past it they throw a <see cref="TimeoutException"/>), and how long a rate-limit
    /// check may wait for its batch. A rate-limit check itself is bounded by the limiter's <c>StoreTimeout</c>, after which
    /// its failure policy applies and the check, if still waiting, is withdrawn.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
