using SecurityKit.Events;

namespace SecurityKit.Passwords;

/// <summary>
/// Bounds how many password hashes run at once (so peak memory stays at slots × m KiB) and how many
/// wait; refuses the rest with <see cref="PasswordHasherBusyException"/>.
/// </summary>
/// <remarks>This type is thread-safe.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim holds no unmanaged resource unless AvailableWaitHandle is used, which it is not; the gate lives as long as its hasher.")]
internal sealed class PasswordHashingGate
{
    private readonly SemaphoreSlim _slots;
    private readonly int _capacity;
    private readonly SecurityEventPublisher _events;
    private int _pending;

    public PasswordHashingGate(int maxConcurrent, int maxQueued, SecurityEventPublisher events)
    {
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
        _capacity = maxConcurrent + maxQueued;
        _events = events;
    }

    /// <summary>Gets the number of hashes running or waiting.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public void Enter()
    {
        Reserve();
        try
        {
            _slots.Wait();
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }
    }

    public async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        Reserve();
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }
    }

    public void Exit()
    {
        _slots.Release();
        Interlocked.Decrement(ref _pending);
    }

    private void Reserve()
    {
        if (Interlocked.Increment(ref _pending) > _capacity)
        {
            Interlocked.Decrement(ref _pending);
            _events.Publish(PasswordEventNames.GateRejected, SecurityEventSeverity.Warning, reason: PasswordReasonCodes.QueueFull);
            throw new PasswordHasherBusyException();
        }
    }
}
