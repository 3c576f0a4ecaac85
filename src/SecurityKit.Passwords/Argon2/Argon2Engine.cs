using System.Collections.Concurrent;

namespace SecurityKit.Passwords.Argon2;

/// <summary>
/// The one Argon2id (RFC 9106, version 0x13 = 19) entry point of the package. Every caller in
/// SecurityKit.Passwords goes through <see cref="Hash"/>.
/// </summary>
/// <remarks>
/// <para>Inputs are the RFC 9106 §3.1 inputs: P (password), S (salt), K (secret, the pepper), X (associated
/// data), m (memory in KiB), t (passes), p (lanes) and T (tag length = <c>output.Length</c>).
/// Callers validate the parameters (caps and RFC ranges) before calling.</para>
/// <para>The engine is <see cref="ManagedArgon2"/> (AVX2/SSSE3/scalar kernels; measured 0.6–0.9× libsodium's
/// time, see benchmarks/README.md). Konscious.Security.Cryptography.Argon2 is kept as the differential
/// test oracle and benchmark peer only.</para>
/// <para>Workspaces (m KiB each) are pooled: at most <see cref="MaxPooledWorkspaces"/> are kept, and only
/// those up to <see cref="MaxPooledWorkspaceBytes"/>, so a burst through the hasher's gate reuses memory
/// instead of allocating a large-object-heap array per hash (which forced a gen-2 collection every few
/// hashes). The engine zeroes the part of a workspace it used before returning, so a pooled workspace
/// holds no password-derived data. This type is thread-safe.</para>
/// </remarks>
internal static class Argon2Engine
{
    /// <summary>The largest workspace kept for reuse (larger ones are allocated per hash and dropped).</summary>
    internal const long MaxPooledWorkspaceBytes = 256L * 1024 * 1024;

    /// <summary>How many workspaces are kept at most.</summary>
    internal static readonly int MaxPooledWorkspaces = Math.Max(2, Environment.ProcessorCount);

    private static readonly ConcurrentQueue<ulong[]> Workspaces = new();
    private static int _pooledCount;

    /// <summary>Computes Argon2id v=19 into <paramref name="output"/>.</summary>
    /// <param name="password">P.</param>
    /// <param name="salt">S, at least 8 bytes.</param>
    /// <param name="secret">K, the pepper; empty for none.</param>
    /// <param name="associatedData">X; empty for none.</param>
    /// <param name="memoryKiB">m, at least 8 × <paramref name="parallelism"/>.</param>
    /// <param name="iterations">t, at least 1.</param>
    /// <param name="parallelism">p, 1 to 255.</param>
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
        var words = ManagedArgon2.GetWorkspaceLength(memoryKiB, parallelism);
        if ((long)words * sizeof(ulong) > MaxPooledWorkspaceBytes)
        {
            ManagedArgon2.Hash(password, salt, secret, associatedData, memoryKiB, iterations, parallelism, output);
            return;
        }

        var workspace = Rent(words);
        try
        {
            ManagedArgon2.Hash(password, salt, secret, associatedData, memoryKiB, iterations, parallelism, output, workspace);
        }
        finally
        {
            Return(workspace);
        }
    }

    private static ulong[] Rent(int words)
    {
        while (Workspaces.TryDequeue(out var candidate))
        {
            Interlocked.Decrement(ref _pooledCount);
            if (candidate.Length >= words && candidate.Length <= words * 2L)
            {
                return candidate;
            }

            // Wrong size for the current parameters (policy changed, or an old hash): drop it.
        }

        return GC.AllocateUninitializedArray<ulong>(words);
    }

    private static void Return(ulong[] workspace)
    {
        if (Interlocked.Increment(ref _pooledCount) <= MaxPooledWorkspaces)
        {
            Workspaces.Enqueue(workspace);
        }
        else
        {
            Interlocked.Decrement(ref _pooledCount);
        }
    }
}
