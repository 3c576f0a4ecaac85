namespace SecurityKit.Stores.Tokens;

/// <summary>
/// Per-user token versions for "sign out everywhere": access tokens carry the version current when they
/// were issued (<c>ver</c>), and a token whose version is below the user's current version is rejected.
/// </summary>
/// <remarks>
/// <para>A host that already keeps a security stamp per user (e.g. ASP.NET Core Identity) can implement
/// this contract over its user table instead of using the in-memory or Redis store.</para>
/// <para>A user never seen has version 0. Versions only grow. Implementations must be thread-safe, and
/// <see cref="IncrementVersionAsync"/> must be atomic.</para>
/// </remarks>
public abstract class TokenVersionStore
{
    /// <summary>The longest user id.</summary>
    public const int MaxUserIdLength = 256;

    /// <summary>Gets a user's current version.</summary>
    /// <param name="userId">The user id, 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version, 0 for a user never incremented.</returns>
    public ValueTask<long> GetVersionAsync(string userId, CancellationToken cancellationToken = default)
    {
        Validate(userId);
        return GetVersionCoreAsync(userId, cancellationToken);
    }

    /// <summary>Increments a user's version atomically, invalidating every token issued before.</summary>
    /// <param name="userId">The user id, 1–256 characters.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new version.</returns>
    public ValueTask<long> IncrementVersionAsync(string userId, CancellationToken cancellationToken = default)
    {
        Validate(userId);
        return IncrementVersionCoreAsync(userId, cancellationToken);
    }

    /// <summary>Gets a user's version; arguments are validated.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The version.</returns>
    protected abstract ValueTask<long> GetVersionCoreAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Increments a user's version; arguments are validated.</summary>
    /// <param name="userId">The user id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new version.</returns>
    protected abstract ValueTask<long> IncrementVersionCoreAsync(string userId, CancellationToken cancellationToken);

    private static void Validate(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (userId.Length > MaxUserIdLength)
        {
            throw new ArgumentException($"The user id is longer than {MaxUserIdLength} characters.", nameof(userId));
        }

        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(userId, nameof(userId));
    }
}
