using SecurityKit.Stores.Sessions;

namespace SecurityKit.Sessions.Tests;

/// <summary>A store that passes every call to <paramref name="inner"/>; tests override the calls they interfere with.</summary>
internal abstract class DelegatingSessionStore(ISessionStore inner) : ISessionStore
{
    protected ISessionStore Inner { get; } = inner;

    public virtual ValueTask<SessionStoreResult> CreateAsync(SessionRecord session, int? maxSessionsPerUser, SessionLimitMode limitMode, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Inner.CreateAsync(session, maxSessionsPerUser, limitMode, now, cancellationToken);

    public virtual ValueTask<SessionLookup> GetAsync(string partition, string idHash, CancellationToken cancellationToken = default) => Inner.GetAsync(partition, idHash, cancellationToken);

    public virtual ValueTask<bool> TouchAsync(string partition, string idHash, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) =>
        Inner.TouchAsync(partition, idHash, lastUsedAt, cancellationToken);

    public virtual ValueTask<bool> TouchIfUnchangedAsync(string partition, string idHash, DateTimeOffset expectedLastUsedAt, DateTimeOffset lastUsedAt, CancellationToken cancellationToken = default) =>
        Inner.TouchIfUnchangedAsync(partition, idHash, expectedLastUsedAt, lastUsedAt, cancellationToken);

    public virtual ValueTask<SessionStoreResult> RotateAsync(string partition, string oldIdHash, string newIdHash, DateTimeOffset now, string? ipAddress, string? fingerprint, string? deviceSummary, CancellationToken cancellationToken = default) =>
        Inner.RotateAsync(partition, oldIdHash, newIdHash, now, ipAddress, fingerprint, deviceSummary, cancellationToken);

    public virtual ValueTask<bool> RevokeAsync(string partition, string idHash, DateTimeOffset now, CancellationToken cancellationToken = default) => Inner.RevokeAsync(partition, idHash, now, cancellationToken);

    public virtual ValueTask<int> RevokeAllAsync(string partition, string userId, string? exceptIdHash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Inner.RevokeAllAsync(partition, userId, exceptIdHash, now, cancellationToken);

    public virtual ValueTask<IReadOnlyList<SessionRecord>> ListAsync(string partition, string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Inner.ListAsync(partition, userId, now, cancellationToken);
}
