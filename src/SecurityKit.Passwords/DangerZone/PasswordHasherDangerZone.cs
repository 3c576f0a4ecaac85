using System.ComponentModel;

namespace SecurityKit.Passwords.DangerZone;

/// <summary>Switches that weaken password hashing, for tests only.</summary>
/// <remarks><b>Security:</b> never call these in production: they let hashes be cracked quickly.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PasswordHasherDangerZone
{
    /// <summary>
    /// Accepts Argon2id parameters below OWASP's floor (down to m = 8·p KiB, t = 1) and BCrypt work
    /// factors down to 4, so unit tests run fast.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <returns>The same options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public static PasswordHasherOptions AllowWeakParameters(this PasswordHasherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AllowWeakParameters = true;
        return options;
    }
}
