namespace SecurityKit.Passwords;

/// <summary>
/// Thrown when the password-hashing gate already has <see cref="PasswordHasherOptions.MaxConcurrentHashes"/>
/// hashes running and <see cref="PasswordHasherOptions.MaxQueuedHashes"/> waiting.
/// </summary>
/// <remarks>
/// An exception rather than a fourth <see cref="PasswordVerificationResult"/> value: code written as
/// <c>result != Failed</c> would sign the user in on a new "busy" value, and <c>HashAsync</c> returns a
/// string with no room for a status. Unhandled, it fails closed (no sign-in); hosts map it to
/// HTTP 503 with <c>Retry-After</c>, as ASP.NET Core's concurrency limiter does.
/// </remarks>
public sealed class PasswordHasherBusyException : InvalidOperationException
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public PasswordHasherBusyException()
        : base("The password hasher is saturated: every hashing slot is busy and the wait queue is full. Retry later (HTTP 503).")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public PasswordHasherBusyException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The inner exception.</param>
    public PasswordHasherBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
