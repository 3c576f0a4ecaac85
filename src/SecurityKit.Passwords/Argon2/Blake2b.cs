/*
 * BLAKE2b (RFC 7693), unkeyed, digest length 1..64 bytes, used by Argon2 for H0 and the
 * variable-length hash H' (RFC 9106 §3.2, §3.3).
 *
 *   RFC 7693 §2.1  parameters: w = 64 bits, r = 12 rounds, block = 128 bytes, R1..R4 = 32, 24, 16, 63
 *   RFC 7693 §2.6  IV = SHA-512 initial hash values
 *   RFC 7693 §3.2  compression function F; the last block sets the final flag f0 = ~0
 *   RFC 7693 §2.5  parameter block: h0 ^= 0x01010000 ^ (kk << 8) ^ nn (here kk = 0)
 *
 * This is not the hot path of Argon2 (a few hundred compressions per hash); it is written for
 * clarity and zero allocations, not for speed.
 */

using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace SecurityKit.Passwords.Argon2;

/// <summary>An incremental, allocation-free, unkeyed BLAKE2b (RFC 7693).</summary>
/// <remarks>A mutable value type: create with <see cref="Create"/>, feed with <see cref="Update"/>,
/// finish with <see cref="Finish"/>. Not thread-safe. <see cref="Finish"/> clears the state.</remarks>
internal struct Blake2b
{
    /// <summary>The largest digest length BLAKE2b produces, in bytes.</summary>
    public const int MaxHashSize = 64;

    private const int BlockSize = 128;

    private State8 _h;
    private BlockBuffer _buffer;
    private ulong _t0;
    private ulong _t1;
    private int _bufferLength;
    private int _hashSize;

    private static ReadOnlySpan<ulong> IV =>
    [
        0x6A09E667F3BCC908UL, 0xBB67AE8584CAA73BUL, 0x3C6EF372FE94F82BUL, 0xA54FF53A5F1D36F1UL,
        0x510E527FADE682D1UL, 0x9B05688C2B3E6C1FUL, 0x1F83D9ABFB41BD6BUL, 0x5BE0CD19137E2179UL,
    ];

    // RFC 7693 §2.7: message word permutations; rounds 10 and 11 reuse rows 0 and 1.
    private static ReadOnlySpan<byte> Sigma =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    ];

    /// <summary>Starts an unkeyed BLAKE2b computation with a digest of <paramref name="hashSize"/> bytes.</summary>
    /// <param name="hashSize">The digest length, 1..64 bytes.</param>
    /// <returns>The initialised state.</returns>
    public static Blake2b Create(int hashSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hashSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hashSize, MaxHashSize);
        var state = default(Blake2b);
        Span<ulong> h = state._h;
        IV.CopyTo(h);
        h[0] ^= 0x01010000UL ^ (ulong)hashSize;
        state._hashSize = hashSize;
        return state;
    }

    /// <summary>Absorbs <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to hash.</param>
    public void Update(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        Span<byte> buffer = _buffer;
        // The last block must be compressed with the final flag, so a full buffer is only
        // compressed once more data is known to follow it.
        int free = BlockSize - _bufferLength;
        if (data.Length > free)
        {
            data[..free].CopyTo(buffer[_bufferLength..]);
            data = data[free..];
            AddToCounter(BlockSize);
            Compress(buffer, final: false);
            _bufferLength = 0;

            while (data.Length > BlockSize)
            {
                AddToCounter(BlockSize);
                Compress(data[..BlockSize], final: false);
                data = data[BlockSize..];
            }
        }

        data.CopyTo(buffer[_bufferLength..]);
        _bufferLength += data.Length;
    }

    /// <summary>Absorbs a 32-bit little-endian integer.</summary>
    /// <param name="value">The value to hash.</param>
    public void UpdateLE32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Update(bytes);
    }

    /// <summary>Finishes the computation, writes the digest and clears the state.</summary>
    /// <param name="destination">Receives exactly the digest length given to <see cref="Create"/>.</param>
    public void Finish(Span<byte> destination)
    {
        if (destination.Length != _hashSize)
        {
            throw new ArgumentException("The destination length must equal the digest length.", nameof(destination));
        }

        Span<byte> buffer = _buffer;
        AddToCounter((ulong)_bufferLength);
        buffer[_bufferLength..].Clear();
        Compress(buffer, final: true);

        Span<byte> digest = stackalloc byte[MaxHashSize];
        Span<ulong> h = _h;
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(digest[(i * 8)..], h[i]);
        }

        digest[.._hashSize].CopyTo(destination);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(digest);
        this = default;
    }

    /// <summary>Computes BLAKE2b of <paramref name="data"/> in one call.</summary>
    /// <param name="data">The bytes to hash.</param>
    /// <param name="destination">Receives the digest; its length (1..64) is the digest length.</param>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var state = Create(destination.Length);
        state.Update(data);
        state.Finish(destination);
    }

    private void AddToCounter(ulong count)
    {
        _t0 += count;
        if (_t0 < count)
        {
            _t1++;
        }
    }

    private void Compress(ReadOnlySpan<byte> block, bool final)
    {
        Span<ulong> m = stackalloc ulong[16];
        for (int i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt64LittleEndian(block[(i * 8)..]);
        }

        Span<ulong> h = _h;
        Span<ulong> v = stackalloc ulong[16];
        h.CopyTo(v);
        IV.CopyTo(v[8..]);
        v[12] ^= _t0;
        v[13] ^= _t1;
        if (final)
        {
            v[14] = ~v[14];
        }

        ReadOnlySpan<byte> sigma = Sigma;
        for (int round = 0; round < 12; round++)
        {
            ReadOnlySpan<byte> s = sigma.Slice((round % 10) * 16, 16);
            Mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            Mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            Mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            Mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            Mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            Mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            Mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            Mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }

        for (int i = 0; i < 8; i++)
        {
            h[i] ^= v[i] ^ v[i + 8];
        }

        m.Clear();
        v.Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix(Span<ulong> v, int a, int b, int c, int d, ulong x, ulong y)
    {
        v[a] = v[a] + v[b] + x;
        v[d] = ulong.RotateRight(v[d] ^ v[a], 32);
        v[c] = v[c] + v[d];
        v[b] = ulong.RotateRight(v[b] ^ v[c], 24);
        v[a] = v[a] + v[b] + y;
        v[d] = ulong.RotateRight(v[d] ^ v[a], 16);
        v[c] = v[c] + v[d];
        v[b] = ulong.RotateRight(v[b] ^ v[c], 63);
    }

    [InlineArray(8)]
    private struct State8
    {
        private ulong _element;
    }

    [InlineArray(BlockSize)]
    private struct BlockBuffer
    {
        private byte _element;
    }
}
