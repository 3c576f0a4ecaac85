using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SecurityKit.Redis;

/// <summary>
/// The one multiplexer shared by every SecurityKit Redis store, created lazily on first use.
/// </summary>
/// <remarks>Thread-safe. Disposes the multiplexer only when it created it.</remarks>
public sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly RedisSecurityKitOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnectionMultiplexer? _multiplexer;
    private bool _owned;

    /// <summary>Initializes the connection holder, bounding store calls on the system clock.</summary>
    /// <param name="options">The options.</param>
    public RedisConnection(IOptions<RedisSecurityKitOptions> options)
        : this(options, TimeProvider.System)
    {
    }

    /// <summary>Initializes the connection holder.</summary>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock that bounds every store call by <see cref="RedisSecurityKitOptions.OperationTimeout"/>
    /// (the host's registered <see cref="System.TimeProvider"/> under DI).</param>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public RedisConnection(IOptions<RedisSecurityKitOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value;
        TimeProvider = timeProvider;
    }

    /// <summary>Gets the clock that bounds every store call by <see cref="RedisSecurityKitOptions.OperationTimeout"/>.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the options.</summary>
    public RedisSecurityKitOptions Options => _options;

    /// <summary>Gets the key prefix.</summary>
    public string KeyPrefix => _options.KeyPrefix;

    /// <summary>Gets the database, connecting on first use.</summary>
    /// <param name="cancellationToken">Cancels the wait for the first connection.</param>
    /// <returns>The database.</returns>
    public async ValueTask<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var multiplexer = Volatile.Read(ref _multiplexer);
        if (multiplexer is not null)
        {
            return multiplexer.GetDatabase();
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_multiplexer is null)
            {
                if (_options.ConnectionMultiplexerFactory is { } factory)
                {
                    _multiplexer = await factory().ConfigureAwait(false);
                }
                else
                {
                    var configuration = _options.ConfigurationOptions?.Clone()
                        ?? ConfigurationOptions.Parse(_options.Configuration ?? throw new InvalidOperationException("RedisSecurityKitOptions: set Configuration, ConfigurationOptions or ConnectionMultiplexerFactory."));
                    configuration.AbortOnConnectFail = false;
                    _multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                    _owned = true;
                }
            }

            return _multiplexer.GetDatabase();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>Hosts that dispose their service provider synchronously land here.</remarks>
    public void Dispose()
    {
        if (_owned)
        {
            _multiplexer?.Dispose();
        }

        _gate.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_owned && _multiplexer is not null)
        {
            await _multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
