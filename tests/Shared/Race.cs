namespace SecurityKit.Testing;

/// <summary>
/// Starts callers that really overlap. In-memory stores answer synchronously in microseconds, so <c>Task.Run</c> per
/// call (even behind a <c>ManualResetEventSlim</c>, which holds back only the pool threads already running) mostly runs
/// them one after another on 2 cores, and a missing lock or compare-and-swap still gives the exact counts. Here every
/// caller has its own thread and all are released together by a <see cref="Barrier"/>; most tests repeat rounds.
/// </summary>
internal static class Race
{
    /// <summary>Runs <paramref name="call"/> once per caller (with its index), all released together, and returns the results in caller order.</summary>
    public static async Task<T[]> RunAsync<T>(int callers, Func<int, Task<T>> call)
    {
        using var start = new Barrier(callers);
        var threads = Enumerable.Range(0, callers).Select(i => Task.Factory.StartNew(
            () =>
            {
                // Bounded: if a caller's thread never starts, the others fail the test instead of hanging the run.
                if (!start.SignalAndWait(TimeSpan.FromSeconds(60)))
                {
                    throw new TimeoutException("Not every racing caller started within 60 s.");
                }

                return call(i).GetAwaiter().GetResult();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        return await Task.WhenAll(threads).ConfigureAwait(false);
    }

    /// <summary>As <see cref="RunAsync{T}(int, Func{int, Task{T}})"/> for <see cref="ValueTask{TResult}"/> calls.</summary>
    public static Task<T[]> RunValuesAsync<T>(int callers, Func<int, ValueTask<T>> call) => RunAsync(callers, i => call(i).AsTask());
}
