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
    private readonly Lock _sync = new();
    private Task<IConnectionMultiplexer>? _connecting;
    private IConnectionMultiplexer? _multiplexer;
    private bool _owned;
    private bool _disposed;

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
    /// <exception cref="TimeoutException">The first connection took longer than <see cref="RedisSecurityKitOptions.OperationTimeout"/>
    /// (it goes on in the background; a later call finds it).</exception>
    /// <remarks>Every caller waits at most <see cref="RedisSecurityKitOptions.OperationTimeout"/> (on <see cref="TimeProvider"/>)
    /// for the one shared connection attempt, so a slow or hanging <see cref="RedisSecurityKitOptions.ConnectionMultiplexerFactory"/>
    /// or connect timeout cannot hold store calls longer than that. A failed attempt is retried by the next call.</remarks>
    public async ValueTask<IDatabase> GetDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var multiplexer = Volatile.Read(ref _multiplexer);
        if (multiplexer is not null)
        {
            return multiplexer.GetDatabase();
        }

        Task<IConnectionMultiplexer> connecting;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            connecting = _connecting ??= Task.Run(ConnectAsync, CancellationToken.None);
        }

        try
        {
            multiplexer = await connecting.WaitAsync(_options.OperationTimeout, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (connecting.IsFaulted || connecting.IsCanceled)
        {
            lock (_sync)
            {
                if (ReferenceEquals(_connecting, connecting))
                {
                    _connecting = null; // the next call tries again
                }
            }

            throw;
        }

        return multiplexer.GetDatabase();
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        IConnectionMultiplexer multiplexer;
        var owned = false;
        if (_options.ConnectionMultiplexerFactory is { } factory)
        {
            multiplexer = await factory().ConfigureAwait(false);
        }
        else
        {
            var configuration = _options.ConfigurationOptions?.Clone()
                ?? ConfigurationOptions.Parse(_options.Configuration ?? throw new InvalidOperationException("RedisSecurityKitOptions: set Configuration, ConfigurationOptions or ConnectionMultiplexerFactory."));
            configuration.AbortOnConnectFail = false;

            // StackExchange.Redis writes the pending command's key into timeout messages and Data ("next: INCR
            // sk:tv:{alice@example.com}"); SecurityKit's keys can hold user ids, and hosts log these exceptions (found in
            // review). A multiplexer from ConnectionMultiplexerFactory keeps its own setting.
            configuration.IncludeDetailInExceptions = false;
            multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
            owned = true;
        }

        lock (_sync)
        {
            if (_disposed)
            {
                if (owned)
                {
                    multiplexer.Dispose();
                }

                throw new ObjectDisposedException(nameof(RedisConnection));
            }

            _owned = owned;
            Volatile.Write(ref _multiplexer, multiplexer);
        }

        return multiplexer;
    }

    /// <inheritdoc />
    /// <remarks>Hosts that dispose their service provider synchronously land here.</remarks>
    public void Dispose()
    {
        if (TakeOwnedForDispose() is { } multiplexer)
        {
            multiplexer.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (TakeOwnedForDispose() is { } multiplexer)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Marks the connection disposed (a connection attempt still running disposes what it makes) and returns
    /// the multiplexer to dispose: the one this instance created, never the host's.</summary>
    private IConnectionMultiplexer? TakeOwnedForDispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return null;
            }

            _disposed = true;
            return _owned ? _multiplexer : null;
        }
    }
}
