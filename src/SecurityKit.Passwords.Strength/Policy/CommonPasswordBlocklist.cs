using SecurityKit.Passwords.Strength.Estimation;

namespace SecurityKit.Passwords.Strength;

/// <summary>
/// The embedded blocklist: zxcvbn 4.4.2's 30,000 most common passwords (from a 10-million-password breach
/// corpus), compared case-insensitively on the whole password. Loaded once, lazily; thread-safe.
/// </summary>
public static class CommonPasswordBlocklist
{
    private static readonly Lazy<HashSet<string>> Set = new(
        () => new HashSet<string>(ZxcvbnData.Instance.PasswordsByRank(), StringComparer.OrdinalIgnoreCase),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets the number of passwords in the list.</summary>
    public static int Count => Set.Value.Count;

    /// <summary>Returns whether the whole <paramref name="password"/>, ignoring case, is on the list.</summary>
    /// <param name="password">The password.</param>
    /// <returns>True if it is a common password.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is null.</exception>
    public static bool Contains(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return Set.Value.Contains(password);
    }
}
