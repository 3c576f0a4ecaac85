/*
 * Managed Argon2id, version 0x13 (RFC 9106).
 *
 * References
 *   RFC 9106 §3.1  inputs and their ranges
 *   RFC 9106 §3.2  H0 and the first two blocks of every lane; the final block and the tag
 *   RFC 9106 §3.3  variable-length hash H' built on BLAKE2b (RFC 7693, see Blake2b.cs)
 *   RFC 9106 §3.4  indexing: data-independent (Argon2i) addresses for the first two slices of
 *                  pass 0, data-dependent (Argon2d) addresses afterwards (this is Argon2id)
 *   RFC 9106 §3.5  compression function G, §3.6 permutation P with the BlaMka multiply
 *   RFC 9106 §5.3  Argon2id test vector (tests/.../Argon2/Rfc)
 *
 * Parameters accepted by ManagedArgon2.Hash (callers are expected to validate first; anything
 * outside these ranges is an ArgumentOutOfRangeException):
 *
 *   | symbol | argument         | range                                  | note                                  |
 *   |--------|------------------|----------------------------------------|---------------------------------------|
 *   | P      | password         | 0 .. 2^31-1 bytes (span)               | may be empty                          |
 *   | S      | salt             | 8 .. 2^31-1 bytes                      | 16 recommended; 8 is the reference    |
 *   |        |                  |                                        | implementation's minimum              |
 *   | K      | secret           | 0 .. 2^31-1 bytes                      | the pepper; may be empty              |
 *   | X      | associatedData   | 0 .. 2^31-1 bytes                      | may be empty                          |
 *   | m      | memoryKiB        | 8p .. MaxMemoryKiB                     | rounded down to a multiple of 4p      |
 *   | t      | iterations       | 1 .. int.MaxValue                      |                                       |
 *   | p      | parallelism      | 1 .. 255                               | lanes; RFC allows up to 2^24-1        |
 *   | T      | output.Length    | 4 .. int.MaxValue                      | H' gives any length                   |
 *   | y      | (fixed)          | 2                                      | Argon2id                              |
 *   | v      | (fixed)          | 0x13                                   | version 19                            |
 *
 * Memory: one array of (m' + 1 + 3p) blocks of 1 KiB (m' blocks of the matrix, one zero block,
 * and per lane a scratch block plus the input and address blocks of the address generator),
 * either allocated per call (GC.AllocateUninitializedArray, large object heap) or supplied by the
 * caller (the workspace overload, for callers that pool one workspace per concurrency slot).
 * It holds password-derived data and is zeroed before the call returns.
 *
 * The compression function G runs on one of three kernels: AVX2 (Vector256) or SSSE3 (Vector128)
 * in ManagedArgon2.Vector.cs, portable scalar code in ManagedArgon2.Scalar.cs. All three give the
 * same bytes; the tests force each one and compare them with each other and with Konscious.
 */

using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;

namespace SecurityKit.Passwords.Argon2;

/// <summary>Selects the implementation of the Argon2 compression function.</summary>
internal enum Argon2Kernel
{
    /// <summary>The fastest kernel the current processor supports.</summary>
    Auto = 0,

    /// <summary>Portable 64-bit scalar code; always available.</summary>
    Scalar = 1,

    /// <summary>128-bit vectors (requires SSSE3).</summary>
    Vector128 = 2,

    /// <summary>256-bit vectors (requires AVX2).</summary>
    Vector256 = 3,
}

/// <summary>A managed, allocation-light implementation of Argon2id version 0x13 (RFC 9106).</summary>
/// <remarks>
/// Thread-safe: every call works on its own memory. When <c>parallelism</c> is greater than one and
/// the matrix is large enough, the lanes of each slice run concurrently on thread-pool threads.
/// <para><b>Security:</b> this is a raw primitive with no policy. It does not enforce minimum costs;
/// the password hasher in front of it must. The memory matrix is zeroed after use.</para>
/// </remarks>
internal static partial class ManagedArgon2
{
    /// <summary>The Argon2 version implemented (0x13 = 19).</summary>
    public const int Version = 0x13;

    /// <summary>The smallest accepted salt, in bytes.</summary>
    public const int MinSaltLength = 8;

    /// <summary>The smallest accepted output (tag) length, in bytes.</summary>
    public const int MinOutputLength = 4;

    /// <summary>The largest accepted degree of parallelism.</summary>
    public const int MaxParallelism = 255;

    /// <summary>The largest memory size, in KiB, whose matrix fits in one managed array.</summary>
    // Array.MaxLength (0x7FFFFFC7) elements of ulong, minus the zero and scratch blocks.
    public const int MaxMemoryKiB = (0x7FFFFFC7 / QWordsPerBlock) - 1 - (3 * MaxParallelism);

    private const int Argon2idType = 2;
    private const int SyncPoints = 4;
    private const int QWordsPerBlock = 128;
    private const int BlockSize = 1024;
    private const int AddressesPerBlock = 128;

    // Below this many blocks per segment, waking thread-pool workers is expected to cost more than
    // it saves (a judgement call, not tuned by measurement).
    private const int MinSegmentBlocksForThreads = 64;

    /// <summary>Computes Argon2id v=19 (RFC 9106) into <paramref name="output"/>.</summary>
    /// <param name="password">The password P.</param>
    /// <param name="salt">The salt S, at least 8 bytes.</param>
    /// <param name="secret">The secret K (pepper); may be empty.</param>
    /// <param name="associatedData">The associated data X; may be empty.</param>
    /// <param name="memoryKiB">The memory size m in KiB, at least 8 × <paramref name="parallelism"/>.</param>
    /// <param name="iterations">The number of passes t, at least 1.</param>
    /// <param name="parallelism">The number of lanes p, 1..255.</param>
    /// <param name="output">Receives the tag; its length T (at least 4) is an input of the hash.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside the documented range.</exception>
    public static void Hash(
        ReadOnlySpan<byte> password,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> associatedData,
        int memoryKiB,
        int iterations,
        int parallelism,
        Span<byte> output) =>
        Hash(password, salt, secret, associatedData, memoryKiB, iterations, parallelism, output, Argon2Kernel.Auto);

    /// <summary>Computes Argon2id v=19 in a caller-provided workspace instead of allocating one.</summary>
    /// <param name="password">The password P.</param>
    /// <param name="salt">The salt S, at least 8 bytes.</param>
    /// <param name="secret">The secret K (pepper); may be empty.</param>
    /// <param name="associatedData">The associated data X; may be empty.</param>
    /// <param name="memoryKiB">The memory size m in KiB, at least 8 × <paramref name="parallelism"/>.</param>
    /// <param name="iterations">The number of passes t, at least 1.</param>
    /// <param name="parallelism">The number of lanes p, 1..255.</param>
    /// <param name="output">Receives the tag; its length T (at least 4) is an input of the hash.</param>
    /// <param name="workspace">At least <see cref="GetWorkspaceLength"/> words; its content is ignored, and
    /// the part used is zeroed before this method returns.</param>
    /// <remarks>Lets a caller that already bounds concurrency (a gate of N slots) keep N workspaces
    /// instead of allocating a large-object-heap array per hash. A workspace must not be shared by
    /// concurrent calls.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside the documented range or the workspace is too small.</exception>
    public static void Hash(
        ReadOnlySpan<byte> password,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> associatedData,
        int memoryKiB,
        int iterations,
        int parallelism,
        Span<byte> output,
        ulong[] workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        HashCore(password, salt, secret, associatedData, memoryKiB, iterations, parallelism, output, Argon2Kernel.Auto, workspace);
    }

    /// <summary>The number of 64-bit words of workspace one hash with these parameters uses.</summary>
    /// <param name="memoryKiB">The memory size m in KiB, at least 8 × <paramref name="parallelism"/>.</param>
    /// <param name="parallelism">The number of lanes p, 1..255.</param>
    /// <returns>(m' + 1 + 3p) × 128, where m' is m rounded down to a multiple of 4p.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside the documented range.</exception>
    public static int GetWorkspaceLength(int memoryKiB, int parallelism)
    {
        ValidateShape(memoryKiB, parallelism);
        return new Instance(memoryKiB, 1, parallelism).TotalBlocks * QWordsPerBlock;
    }

    /// <summary>Computes Argon2id v=19 with a chosen compression kernel (tests compare kernels).</summary>
    /// <param name="password">The password P.</param>
    /// <param name="salt">The salt S, at least 8 bytes.</param>
    /// <param name="secret">The secret K (pepper); may be empty.</param>
    /// <param name="associatedData">The associated data X; may be empty.</param>
    /// <param name="memoryKiB">The memory size m in KiB, at least 8 × <paramref name="parallelism"/>.</param>
    /// <param name="iterations">The number of passes t, at least 1.</param>
    /// <param name="parallelism">The number of lanes p, 1..255.</param>
    /// <param name="output">Receives the tag; its length T (at least 4) is an input of the hash.</param>
    /// <param name="kernel">The kernel; a vector kernel the processor lacks is an error.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside the documented range.</exception>
    /// <exception cref="PlatformNotSupportedException">The requested kernel is not supported here.</exception>
    internal static void Hash(
        ReadOnlySpan<byte> password,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> associatedData,
        int memoryKiB,
        int iterations,
        int parallelism,
        Span<byte> output,
        Argon2Kernel kernel) =>
        HashCore(password, salt, secret, associatedData, memoryKiB, iterations, parallelism, output, kernel, workspace: null);

    private static void ValidateShape(int memoryKiB, int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parallelism, MaxParallelism);
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryKiB, 8 * parallelism);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(memoryKiB, MaxMemoryKiB);
    }

    private static void HashCore(
        ReadOnlySpan<byte> password,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> associatedData,
        int memoryKiB,
        int iterations,
        int parallelism,
        Span<byte> output,
        Argon2Kernel kernel,
        ulong[]? workspace)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(salt.Length, MinSaltLength, nameof(salt));
        ValidateShape(memoryKiB, parallelism);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(output.Length, MinOutputLength, nameof(output));

        kernel = ResolveKernel(kernel);
        var instance = new Instance(memoryKiB, iterations, parallelism);
        int used = instance.TotalBlocks * QWordsPerBlock;
        if (workspace is not null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(workspace.Length, used, nameof(workspace));
        }

        // Uninitialised: every word is written before it is read (the zero and scratch blocks are
        // cleared in InitializeLanes), so zeroing 1 KiB per KiB of m up front would be wasted work. Allocated before H0
        // exists: an OutOfMemoryException here must not leave H0 (one BLAKE2b from the password, enough to test guesses
        // without the memory-hard part) on the stack unzeroed (found in review).
        ulong[] memory = workspace ?? GC.AllocateUninitializedArray<ulong>(used);
        instance.Memory = memory;
        Span<byte> h0 = stackalloc byte[Blake2b.MaxHashSize + 8];
        try
        {
            ComputeH0(password, salt, secret, associatedData, memoryKiB, iterations, parallelism, output.Length, h0[..Blake2b.MaxHashSize]);
            InitializeLanes(instance, h0);
            switch (kernel)
            {
                case Argon2Kernel.Vector256:
                    FillMemory<Avx2Kernel>(instance);
                    break;
                case Argon2Kernel.Vector128:
                    FillMemory<Ssse3Kernel>(instance);
                    break;
                default:
                    FillMemory<ScalarKernel>(instance);
                    break;
            }

            Finalize(instance, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(memory.AsSpan(0, used)));
            CryptographicOperations.ZeroMemory(h0);
        }
    }

    /// <summary>Whether <paramref name="kernel"/> can run on this processor.</summary>
    /// <param name="kernel">The kernel to check.</param>
    /// <returns><see langword="true"/> when it is supported.</returns>
    internal static bool IsSupported(Argon2Kernel kernel) => kernel switch
    {
        Argon2Kernel.Auto or Argon2Kernel.Scalar => true,
        Argon2Kernel.Vector128 => Ssse3.IsSupported,
        Argon2Kernel.Vector256 => Avx2.IsSupported,
        _ => false,
    };

    private static Argon2Kernel ResolveKernel(Argon2Kernel kernel)
    {
        if (kernel == Argon2Kernel.Auto)
        {
            return Avx2.IsSupported ? Argon2Kernel.Vector256
                : Ssse3.IsSupported ? Argon2Kernel.Vector128
                : Argon2Kernel.Scalar;
        }

        if (!IsSupported(kernel))
        {
            throw new PlatformNotSupportedException($"The Argon2 kernel {kernel} is not supported on this processor.");
        }

        return kernel;
    }

    // RFC 9106 §3.2 step 1:
    // H0 = H^64(LE32(p) || LE32(T) || LE32(m) || LE32(t) || LE32(v) || LE32(y) || LE32(len(P)) || P
    //           || LE32(len(S)) || S || LE32(len(K)) || K || LE32(len(X)) || X)
    private static void ComputeH0(
        ReadOnlySpan<byte> password,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> secret,
        ReadOnlySpan<byte> associatedData,
        int memoryKiB,
        int iterations,
        int parallelism,
        int tagLength,
        Span<byte> h0)
    {
        var blake = Blake2b.Create(Blake2b.MaxHashSize);
        blake.UpdateLE32((uint)parallelism);
        blake.UpdateLE32((uint)tagLength);
        blake.UpdateLE32((uint)memoryKiB);
        blake.UpdateLE32((uint)iterations);
        blake.UpdateLE32(Version);
        blake.UpdateLE32(Argon2idType);
        blake.UpdateLE32((uint)password.Length);
        blake.Update(password);
        blake.UpdateLE32((uint)salt.Length);
        blake.Update(salt);
        blake.UpdateLE32((uint)secret.Length);
        blake.Update(secret);
        blake.UpdateLE32((uint)associatedData.Length);
        blake.Update(associatedData);
        blake.Finish(h0);
    }

    /// <summary>The variable-length hash H'^T of RFC 9106 §3.3; T is <paramref name="output"/>'s length.</summary>
    /// <param name="input">The input A.</param>
    /// <param name="output">Receives T bytes (at least 1).</param>
    internal static void HPrime(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int length = output.Length;
        if (length <= Blake2b.MaxHashSize)
        {
            var small = Blake2b.Create(length);
            small.UpdateLE32((uint)length);
            small.Update(input);
            small.Finish(output);
            return;
        }

        // r = ceil(T/32) - 2 full 64-byte digests contribute their first 32 bytes each;
        // the last digest V_{r+1} has T - 32r bytes (33..64).
        int r = ((length + 31) / 32) - 2;
        Span<byte> v = stackalloc byte[Blake2b.MaxHashSize];
        Span<byte> next = stackalloc byte[Blake2b.MaxHashSize];
        var first = Blake2b.Create(Blake2b.MaxHashSize);
        first.UpdateLE32((uint)length);
        first.Update(input);
        first.Finish(v);
        v[..32].CopyTo(output);
        int position = 32;
        for (int i = 2; i <= r; i++)
        {
            Blake2b.Hash(v, next);
            next.CopyTo(v);
            v[..32].CopyTo(output[position..]);
            position += 32;
        }

        Blake2b.Hash(v, output[position..]);
        CryptographicOperations.ZeroMemory(v);
        CryptographicOperations.ZeroMemory(next);
    }

    // RFC 9106 §3.2 steps 3-4: B[i][0] = H'^1024(H0 || LE32(0) || LE32(i)), B[i][1] = H'^1024(H0 || LE32(1) || LE32(i)).
    private static void InitializeLanes(Instance instance, Span<byte> h0Buffer)
    {
        Span<byte> block = stackalloc byte[BlockSize];
        Span<ulong> memory = instance.Memory;
        for (int lane = 0; lane < instance.Lanes; lane++)
        {
            for (int column = 0; column < 2; column++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(h0Buffer[Blake2b.MaxHashSize..], (uint)column);
                BinaryPrimitives.WriteUInt32LittleEndian(h0Buffer[(Blake2b.MaxHashSize + 4)..], (uint)lane);
                HPrime(h0Buffer, block);
                int offset = ((lane * instance.LaneLength) + column) * QWordsPerBlock;
                ReadBlock(block, memory.Slice(offset, QWordsPerBlock));
            }
        }

        CryptographicOperations.ZeroMemory(block);

        // The zero block (an input of the address generator) and the scratch blocks.
        memory[(instance.MemoryBlocks * QWordsPerBlock)..(instance.TotalBlocks * QWordsPerBlock)].Clear();
    }

    // RFC 9106 §3.2 steps 7-8: C = XOR of the last block of every lane; tag = H'^T(C).
    private static void Finalize(Instance instance, Span<byte> output)
    {
        Span<ulong> memory = instance.Memory;
        Span<ulong> final = memory.Slice(instance.ScratchBlock(0) * QWordsPerBlock, QWordsPerBlock);
        memory.Slice((instance.LaneLength - 1) * QWordsPerBlock, QWordsPerBlock).CopyTo(final);
        for (int lane = 1; lane < instance.Lanes; lane++)
        {
            Span<ulong> last = memory.Slice((((lane + 1) * instance.LaneLength) - 1) * QWordsPerBlock, QWordsPerBlock);
            for (int i = 0; i < QWordsPerBlock; i++)
            {
                final[i] ^= last[i];
            }
        }

        Span<byte> bytes = stackalloc byte[BlockSize];
        WriteBlock(final, bytes);
        HPrime(bytes, output);
        CryptographicOperations.ZeroMemory(bytes);
    }

    private static void ReadBlock(ReadOnlySpan<byte> source, Span<ulong> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, ulong>(source).CopyTo(destination);
            return;
        }

        for (int i = 0; i < QWordsPerBlock; i++)
        {
            destination[i] = BinaryPrimitives.ReadUInt64LittleEndian(source[(i * 8)..]);
        }
    }

    private static void WriteBlock(ReadOnlySpan<ulong> source, Span<byte> destination)
    {
        for (int i = 0; i < QWordsPerBlock; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(i * 8)..], source[i]);
        }
    }

    private static void FillMemory<TKernel>(Instance instance)
        where TKernel : struct, IBlockKernel
    {
        bool threads = instance.Lanes > 1
            && Environment.ProcessorCount > 1
            && instance.SegmentLength >= MinSegmentBlocksForThreads;

        for (int pass = 0; pass < instance.Passes; pass++)
        {
            for (int slice = 0; slice < SyncPoints; slice++)
            {
                if (threads)
                {
                    // Lanes of one slice only read blocks of finished slices (and their own), so
                    // they run concurrently; Parallel.For returning is the synchronisation point.
                    int currentPass = pass;
                    int currentSlice = slice;
                    Parallel.For(0, instance.Lanes, lane => FillSegment<TKernel>(instance, currentPass, lane, currentSlice));
                }
                else
                {
                    for (int lane = 0; lane < instance.Lanes; lane++)
                    {
                        FillSegment<TKernel>(instance, pass, lane, slice);
                    }
                }
            }
        }
    }

    // RFC 9106 §3.4: fills one segment (one lane, one slice of one pass).
    private static void FillSegment<TKernel>(Instance instance, int pass, int lane, int slice)
        where TKernel : struct, IBlockKernel
    {
        ref ulong memory = ref MemoryMarshal.GetArrayDataReference(instance.Memory);
        int laneLength = instance.LaneLength;
        int segmentLength = instance.SegmentLength;
        int lanes = instance.Lanes;
        bool dataIndependent = pass == 0 && slice < SyncPoints / 2;
        bool withXor = pass != 0;

        ref ulong zeroBlock = ref BlockAt(ref memory, instance.ZeroBlock);
        ref ulong scratch = ref BlockAt(ref memory, instance.ScratchBlock(lane));
        ref ulong inputBlock = ref BlockAt(ref memory, instance.ScratchBlock(lane) + 1);
        ref ulong addressBlock = ref BlockAt(ref memory, instance.ScratchBlock(lane) + 2);

        if (dataIndependent)
        {
            new Span<ulong>(instance.Memory, instance.ScratchBlock(lane) * QWordsPerBlock, 3 * QWordsPerBlock).Clear();
            inputBlock = (ulong)pass;
            Unsafe.Add(ref inputBlock, 1) = (ulong)lane;
            Unsafe.Add(ref inputBlock, 2) = (ulong)slice;
            Unsafe.Add(ref inputBlock, 3) = (ulong)instance.MemoryBlocks;
            Unsafe.Add(ref inputBlock, 4) = (ulong)instance.Passes;
            Unsafe.Add(ref inputBlock, 5) = Argon2idType;
        }

        int startIndex = 0;
        if (pass == 0 && slice == 0)
        {
            // Blocks 0 and 1 of every lane come from H0.
            startIndex = 2;
            if (dataIndependent)
            {
                NextAddresses<TKernel>(ref zeroBlock, ref inputBlock, ref addressBlock, ref scratch);
            }
        }

        int laneStart = lane * laneLength;
        int currentOffset = laneStart + (slice * segmentLength) + startIndex;
        for (int index = startIndex; index < segmentLength; index++, currentOffset++)
        {
            // The block before the first block of a lane is the lane's last block.
            int previousOffset = currentOffset == laneStart ? laneStart + laneLength - 1 : currentOffset - 1;

            ulong pseudoRandom;
            if (dataIndependent)
            {
                if (index % AddressesPerBlock == 0)
                {
                    NextAddresses<TKernel>(ref zeroBlock, ref inputBlock, ref addressBlock, ref scratch);
                }

                pseudoRandom = Unsafe.Add(ref addressBlock, index % AddressesPerBlock);
            }
            else
            {
                pseudoRandom = BlockAt(ref memory, previousOffset);
            }

            int referenceLane = pass == 0 && slice == 0 ? lane : (int)((pseudoRandom >> 32) % (ulong)lanes);
            int referenceIndex = IndexAlpha(instance, pass, slice, index, (uint)pseudoRandom, referenceLane == lane);

            TKernel.FillBlock(
                ref BlockAt(ref memory, previousOffset),
                ref BlockAt(ref memory, (referenceLane * laneLength) + referenceIndex),
                ref BlockAt(ref memory, currentOffset),
                ref scratch,
                withXor);
        }
    }

    // RFC 9106 §3.4.1.2: maps J1 onto the reference area with a non-uniform (quadratic) distribution.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IndexAlpha(Instance instance, int pass, int slice, int index, uint j1, bool sameLane)
    {
        int segmentLength = instance.SegmentLength;
        int laneLength = instance.LaneLength;
        uint areaSize;
        if (pass == 0)
        {
            if (slice == 0)
            {
                areaSize = (uint)(index - 1);
            }
            else if (sameLane)
            {
                areaSize = (uint)((slice * segmentLength) + index - 1);
            }
            else
            {
                areaSize = (uint)((slice * segmentLength) + (index == 0 ? -1 : 0));
            }
        }
        else if (sameLane)
        {
            areaSize = (uint)(laneLength - segmentLength + index - 1);
        }
        else
        {
            areaSize = (uint)(laneLength - segmentLength + (index == 0 ? -1 : 0));
        }

        ulong relative = j1;
        relative = (relative * relative) >> 32;
        relative = areaSize - 1 - ((areaSize * relative) >> 32);
        ulong start = pass != 0 && slice != SyncPoints - 1 ? (ulong)((slice + 1) * segmentLength) : 0;
        return (int)((start + relative) % (ulong)laneLength);
    }

    // RFC 9106 §3.4.1.2: the next 128 addresses are G(ZERO, G(ZERO, Z)) with Z's counter incremented.
    private static void NextAddresses<TKernel>(ref ulong zeroBlock, ref ulong inputBlock, ref ulong addressBlock, ref ulong scratch)
        where TKernel : struct, IBlockKernel
    {
        Unsafe.Add(ref inputBlock, 6)++;
        TKernel.FillBlock(ref zeroBlock, ref inputBlock, ref addressBlock, ref scratch, withXor: false);
        TKernel.FillBlock(ref zeroBlock, ref addressBlock, ref addressBlock, ref scratch, withXor: false);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ulong BlockAt(ref ulong memory, int block) =>
        ref Unsafe.Add(ref memory, (nint)block * QWordsPerBlock);

    private sealed class Instance
    {
        public Instance(int memoryKiB, int passes, int lanes)
        {
            Lanes = lanes;
            Passes = passes;
            // RFC 9106 §3.2 step 2: m' = 4p * floor(m / 4p).
            SegmentLength = memoryKiB / (SyncPoints * lanes);
            LaneLength = SegmentLength * SyncPoints;
            MemoryBlocks = LaneLength * lanes;
            ZeroBlock = MemoryBlocks;
            TotalBlocks = MemoryBlocks + 1 + (3 * lanes);
        }

        public int Lanes { get; }

        public int Passes { get; }

        public int SegmentLength { get; }

        public int LaneLength { get; }

        public int MemoryBlocks { get; }

        public int ZeroBlock { get; }

        public int TotalBlocks { get; }

        public ulong[] Memory { get; set; } = [];

        public int ScratchBlock(int lane) => MemoryBlocks + 1 + (3 * lane);
    }
}
