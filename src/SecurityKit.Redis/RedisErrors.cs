namespace SecurityKit.Redis;

/// <summary>
/// Keeps key names out of the exceptions the Redis stores let through. StackExchange.Redis writes the command and key of
/// the message behind a timeout into <see cref="Exception.Data"/> ("Redis-Message-Next": <c>INCR sk:tv:{alice@example.com}</c>)
/// even with <c>IncludeDetailInExceptions</c> off, and some keys hold user ids; loggers that serialise <c>Data</c>
/// (structured logging, Application Insights) would store them (found in review).
/// </summary>
internal static class RedisErrors
{
    /// <summary>Removes every <see cref="Exception.Data"/> entry that holds a command with its key, on
    /// <paramref name="exception"/> and its inner exceptions. Always <see langword="false"/>: used as an exception filter, it
    /// runs before the exception leaves the store and catches nothing.</summary>
    public static bool Scrub(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    Scrub(inner);
                }
            }

            if (ex.Data.Count == 0)
            {
                continue;
            }

            List<object>? remove = null;
            foreach (System.Collections.DictionaryEntry entry in ex.Data)
            {
                if (entry.Key is string name && name.StartsWith("Redis-Message", StringComparison.Ordinal))
                {
                    (remove ??= []).Add(entry.Key);
                }
            }

            if (remove is not null)
            {
                try
                {
                    foreach (var key in remove)
                    {
                        ex.Data.Remove(key);
                    }
                }
                catch (NotSupportedException)
                {
                    // A read-only Data dictionary: nothing to do.
                }
            }
        }

        return false;
    }

    /// <summary>Awaits <paramref name="operation"/> for at most <see cref="RedisSecurityKitOptions.OperationTimeout"/> (on the
    /// connection's clock) or until <paramref name="cancellationToken"/>, scrubbing the exception it fails with.</summary>
    public static async Task<T> Bounded<T>(this Task<T> operation, RedisConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await operation.WaitAsync(connection.Options.OperationTimeout, connection.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ScrubLater(operation, ex) || Scrub(ex))
        {
            throw;
        }
    }

    /// <summary>When the wait ended before <paramref name="operation"/> (timeout, cancellation), the operation goes on and may
    /// fail later, unobserved: its exception (with the key in Data) would then reach
    /// <see cref="TaskScheduler.UnobservedTaskException"/>, which error trackers record. Scrub and observe it then.</summary>
    private static bool ScrubLater(Task operation, Exception waitFailure)
    {
        // Also when the operation has completed meanwhile (it may have failed between the timer and this filter): a
        // continuation on a finished task runs at once, and OnlyOnFaulted skips the rest (found in review).
        if (waitFailure is TimeoutException or OperationCanceledException)
        {
            operation.ContinueWith(static t => Scrub(t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return false;
    }

    /// <inheritdoc cref="Bounded{T}(Task{T}, RedisConnection, CancellationToken)"/>
    public static async Task Bounded(this Task operation, RedisConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await operation.WaitAsync(connection.Options.OperationTimeout, connection.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ScrubLater(operation, ex) || Scrub(ex))
        {
            throw;
        }
    }
}
