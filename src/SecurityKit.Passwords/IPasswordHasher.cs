namespace SecurityKit.Passwords;

/// <summary>Hashes passwords into self-describing strings and verifies passwords against stored hashes.</summary>
/// <remarks>
/// <para><b>Security:</b> store the string <see cref="Hash"/> returns as is (it carries the algorithm,
/// costs, salt and pepper key id). After <see cref="PasswordVerificationResult.SuccessRehashNeeded"/>, store
/// <see cref="Hash"/> of the same password. When the user does not exist, still call
/// <see cref="Verify"/> with a <see langword="null"/> stored hash so the response time does not tell
/// which accounts exist.</para>
/// <para>Implementations are thread-safe.</para>
/// </remarks>
public interface IPasswordHasher
{
    /// <summary>Hashes a password with the configured algorithm and costs.</summary>
    /// <param name="password">The password; 1 to <see cref="PasswordHasherOptions.MaxPasswordBytes"/> UTF-8 bytes after NFKC normalisation.</param>
    /// <returns>The self-describing hash to store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The password is empty, too long or not valid Unicode (the message never contains it).</exception>
    /// <exception cref="PasswordHasherBusyException">The concurrency gate's queue is full.</exception>
    string Hash(string password);

    /// <summary>Verifies a password against a stored hash of any supported format.</summary>
    /// <param name="password">The password the user typed.</param>
    /// <param name="storedHash">The stored hash, or <see langword="null"/> when the user does not exist: a dummy hash is verified instead and the result is <see cref="PasswordVerificationResult.Failed"/>.</param>
    /// <returns>The result; malformed or unsupported hashes give <see cref="PasswordVerificationResult.Failed"/> and a warning event, never an exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is <see langword="null"/>.</exception>
    /// <exception cref="PasswordHasherBusyException">The concurrency gate's queue is full.</exception>
    PasswordVerificationResult Verify(string password, string? storedHash);

    /// <summary>Hashes a password after waiting for a slot of the concurrency gate.</summary>
    /// <param name="password">The password.</param>
    /// <param name="cancellationToken">Cancels the wait for a slot (a hash that has started runs to the end).</param>
    /// <returns>The self-describing hash to store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The password is empty, too long or not valid Unicode.</exception>
    /// <exception cref="PasswordHasherBusyException">The concurrency gate's queue is full.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    ValueTask<string> HashAsync(string password, CancellationToken cancellationToken = default);

    /// <summary>Verifies a password after waiting for a slot of the concurrency gate.</summary>
    /// <param name="password">The password the user typed.</param>
    /// <param name="storedHash">The stored hash, or <see langword="null"/> for a dummy verification (result <see cref="PasswordVerificationResult.Failed"/>).</param>
    /// <param name="cancellationToken">Cancels the wait for a slot (a hash that has started runs to the end).</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is <see langword="null"/>.</exception>
    /// <exception cref="PasswordHasherBusyException">The concurrency gate's queue is full.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    ValueTask<PasswordVerificationResult> VerifyAsync(string password, string? storedHash, CancellationToken cancellationToken = default);
}
