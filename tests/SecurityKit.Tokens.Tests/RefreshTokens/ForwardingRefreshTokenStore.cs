using SecurityKit.Stores.Tokens;

namespace SecurityKit.Tokens.Tests.RefreshTokens;

/// <summary>A store that forwards every operation to another: test decorators override only what they change.</summary>
internal abstract class ForwardingRefreshTokenStore(RefreshTokenStore inner) : RefreshTokenStore
{
    protected RefreshTokenStore Inner { get; } = inner;

    protected override ValueTask<bool> CreateFamilyCoreAsync(RefreshTokenFamilyCreation family, CancellationToken cancellationToken) =>
        Inner.CreateFamilyAsync(family, cancellationToken);

    protected override ValueTask<RefreshTokenRotationResult> RotateCoreAsync(RefreshTokenRotation rotation, CancellationToken cancellationToken) =>
        Inner.RotateAsync(rotation, cancellationToken);

    protected override ValueTask<RefreshTokenFamily?> GetFamilyCoreAsync(string familyId, CancellationToken cancellationToken) =>
        Inner.GetFamilyAsync(familyId, cancellationToken);

    protected override ValueTask<bool> RevokeFamilyCoreAsync(string familyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Inner.RevokeFamilyAsync(familyId, now, cancellationToken);

    protected override ValueTask<int> RevokeUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Inner.RevokeUserFamiliesAsync(userId, now, cancellationToken);

    protected override ValueTask<IReadOnlyList<RefreshTokenFamily>> ListUserFamiliesCoreAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Inner.ListUserFamiliesAsync(userId, now, cancellationToken);
}
