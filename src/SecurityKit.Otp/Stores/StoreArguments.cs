using SecurityKit.Stores.Otp;

namespace SecurityKit.Otp.Stores;

internal static class StoreArguments
{
    private static readonly System.Buffers.SearchValues<char> CounterNameChars = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789._-");

    public static void UserId(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (userId.Length > IOtpStateStore.MaxUserIdLength)
        {
            throw new ArgumentException($"The user id must be at most {IOtpStateStore.MaxUserIdLength} characters.", nameof(userId));
        }

        SecurityKit.Primitives.WellFormedText.ThrowIfNotWellFormed(userId, nameof(userId));
    }

    public static void CounterName(string counterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(counterName);
        if (counterName.Length > 64 || counterName.AsSpan().ContainsAnyExcept(CounterNameChars))
        {
            throw new ArgumentException("The counter name must be 1–64 characters of [a-z0-9._-].", nameof(counterName));
        }
    }

    public static void AcceptedValue(long value)
    {
        // 0 to 2^53, like the Redis store (a Lua number holds integers exactly up to there).
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1L << 53);
    }

    public static void Retention(TimeSpan? retention)
    {
        if (retention is { } r && r <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), "The retention must be positive.");
        }
    }

    public static void KeyIdAndHash(string keyId, string codeHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentException.ThrowIfNullOrEmpty(codeHash);
        if (codeHash.Length > IBackupCodeStore.MaxHashLength || keyId.Length > 32)
        {
            throw new ArgumentException($"The hash must be at most {IBackupCodeStore.MaxHashLength} characters and the key id at most 32.", nameof(codeHash));
        }
    }
}
