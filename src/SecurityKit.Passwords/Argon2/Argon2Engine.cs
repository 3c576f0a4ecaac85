using System.Security.Cryptography;

namespace SecurityKit.Passwords.Argon2;

/// <summary>
/// The one Argon2id (RFC 9106, version 0x13 = 19) entry point of the package. Every caller in
/// SecurityKit.Passwords goes through <see cref="Hash"/>, so the engine behind it can be swapped
/// (Konscious today, a faster managed engine later) without touching the hasher.
/// </summary>
/// <remarks>
/// Inputs are the RFC 9106 §3.1 inputs: P (password), S (salt), K (secret, the pepper), X (associated
/// data), m (memory in KiB), t (passes), p (lanes) and T (tag length = <c>output.Length</c>).
/// Callers validate the parameters (caps and RFC ranges) before calling. This type is thread-safe.
/// </remarks>
internal static class Argon2Engine
{
    /// <summary>Computes Argon2id v=19 into <paramref name="output"/>.</summary>
    /// <param name="password">P, 0 to 2^32-1 bytes.</param>
    /// <param name="salt">S, at least 8 bytes.</param>
    /// <param name="secret">K, the pepper; empty for none.</param>
    /// <param name="associatedData">X; empty for none.</param>
    /// <param name="memoryKiB">m, at least 8 × <paramref name="parallelism"/>.</param>
    /// <param name="iterations">t, at least 1.</param>
    /// <param name="parallelism">p, 1 to 2^24-1.</param>
    /// <param name="output">Receives the tag; its length is T (at least 4 bytes).</param>
    public static void Hash(
        ReadOnlySpan<byte> password,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> associatedData,
        int memoryKiB,
        int iterations,
        int parallelism,
        Span<byte> output)
    {
        // Konscious takes arrays; they are zeroed as soon as the tag is out.
        var passwordCopy = password.ToArray();
        var secretCopy = secret.IsEmpty ? null : secret.ToArray();
        byte[]? tag = null;
        try
        {
            using var argon2 = new Konscious.Security.Cryptography.Argon2id(passwordCopy)
            {
                Salt = salt.ToArray(),
                KnownSecret = secretCopy,
                AssociatedData = associatedData.IsEmpty ? null : associatedData.ToArray(),
                MemorySize = memoryKiB,
                Iterations = iterations,
                DegreeOfParallelism = parallelism,
            };
            tag = argon2.GetBytes(output.Length);
            tag.CopyTo(output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordCopy);
            if (secretCopy is not null)
            {
                CryptographicOperations.ZeroMemory(secretCopy);
            }

            if (tag is not null)
            {
                CryptographicOperations.ZeroMemory(tag);
            }
        }
    }
}
