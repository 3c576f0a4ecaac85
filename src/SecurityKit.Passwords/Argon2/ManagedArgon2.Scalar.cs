/*
 * Portable scalar compression function G (RFC 9106 §3.5, §3.6).
 *
 * A block is 128 little-endian 64-bit words, viewed as an 8×8 matrix of 16-byte registers
 * (word pairs). P is applied to each row (words 16r .. 16r+15), then to each column
 * (words 2c + 16k and 2c + 16k + 1 for k = 0..7). The result is P(R) ^ R, with R = X ^ Y;
 * from pass 1 on (version 0x13) it is also XORed into the block being overwritten.
 */

using System.Runtime.CompilerServices;

namespace SecurityKit.Passwords.Argon2;

/// <summary>One implementation of the Argon2 compression function over 1 KiB blocks.</summary>
internal interface IBlockKernel
{
    /// <summary>Computes <c>next = G(previous, reference)</c> (XORed into <c>next</c> when <paramref name="withXor"/>).</summary>
    /// <param name="previous">The first word of block X.</param>
    /// <param name="reference">The first word of block Y; may be the same block as <paramref name="next"/> when <paramref name="withXor"/> is false.</param>
    /// <param name="next">The first word of the output block.</param>
    /// <param name="scratch">The first word of a 1 KiB scratch block.</param>
    /// <param name="withXor">Whether the old content of <paramref name="next"/> is XORed into the result (passes after the first).</param>
    static abstract void FillBlock(ref ulong previous, ref ulong reference, ref ulong next, ref ulong scratch, bool withXor);
}

/// <summary>Portable scalar kernel; correct on every platform.</summary>
internal readonly struct ScalarKernel : IBlockKernel
{
    private const int QWordsPerBlock = 128;

    /// <inheritdoc />
    public static void FillBlock(ref ulong previous, ref ulong reference, ref ulong next, ref ulong scratch, bool withXor)
    {
        for (int i = 0; i < QWordsPerBlock; i++)
        {
            ulong r = Unsafe.Add(ref previous, i) ^ Unsafe.Add(ref reference, i);
            Unsafe.Add(ref scratch, i) = withXor ? r ^ Unsafe.Add(ref next, i) : r;
            Unsafe.Add(ref next, i) = r;
        }

        for (int row = 0; row < 8; row++)
        {
            int b = row * 16;
            Permute(ref next, b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, b + 12, b + 13, b + 14, b + 15);
        }

        for (int column = 0; column < 8; column++)
        {
            int b = column * 2;
            Permute(ref next, b, b + 1, b + 16, b + 17, b + 32, b + 33, b + 48, b + 49, b + 64, b + 65, b + 80, b + 81, b + 96, b + 97, b + 112, b + 113);
        }

        for (int i = 0; i < QWordsPerBlock; i++)
        {
            Unsafe.Add(ref next, i) ^= Unsafe.Add(ref scratch, i);
        }
    }

    // P: one BLAKE2b round without message words, with the BlaMka multiply (RFC 9106 §3.6).
    private static void Permute(
        ref ulong block,
        int i0, int i1, int i2, int i3, int i4, int i5, int i6, int i7,
        int i8, int i9, int i10, int i11, int i12, int i13, int i14, int i15)
    {
        ulong v0 = Unsafe.Add(ref block, i0), v1 = Unsafe.Add(ref block, i1), v2 = Unsafe.Add(ref block, i2), v3 = Unsafe.Add(ref block, i3);
        ulong v4 = Unsafe.Add(ref block, i4), v5 = Unsafe.Add(ref block, i5), v6 = Unsafe.Add(ref block, i6), v7 = Unsafe.Add(ref block, i7);
        ulong v8 = Unsafe.Add(ref block, i8), v9 = Unsafe.Add(ref block, i9), v10 = Unsafe.Add(ref block, i10), v11 = Unsafe.Add(ref block, i11);
        ulong v12 = Unsafe.Add(ref block, i12), v13 = Unsafe.Add(ref block, i13), v14 = Unsafe.Add(ref block, i14), v15 = Unsafe.Add(ref block, i15);

        Mix(ref v0, ref v4, ref v8, ref v12);
        Mix(ref v1, ref v5, ref v9, ref v13);
        Mix(ref v2, ref v6, ref v10, ref v14);
        Mix(ref v3, ref v7, ref v11, ref v15);
        Mix(ref v0, ref v5, ref v10, ref v15);
        Mix(ref v1, ref v6, ref v11, ref v12);
        Mix(ref v2, ref v7, ref v8, ref v13);
        Mix(ref v3, ref v4, ref v9, ref v14);

        Unsafe.Add(ref block, i0) = v0; Unsafe.Add(ref block, i1) = v1; Unsafe.Add(ref block, i2) = v2; Unsafe.Add(ref block, i3) = v3;
        Unsafe.Add(ref block, i4) = v4; Unsafe.Add(ref block, i5) = v5; Unsafe.Add(ref block, i6) = v6; Unsafe.Add(ref block, i7) = v7;
        Unsafe.Add(ref block, i8) = v8; Unsafe.Add(ref block, i9) = v9; Unsafe.Add(ref block, i10) = v10; Unsafe.Add(ref block, i11) = v11;
        Unsafe.Add(ref block, i12) = v12; Unsafe.Add(ref block, i13) = v13; Unsafe.Add(ref block, i14) = v14; Unsafe.Add(ref block, i15) = v15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix(ref ulong a, ref ulong b, ref ulong c, ref ulong d)
    {
        a = BlaMka(a, b);
        d = ulong.RotateRight(d ^ a, 32);
        c = BlaMka(c, d);
        b = ulong.RotateRight(b ^ c, 24);
        a = BlaMka(a, b);
        d = ulong.RotateRight(d ^ a, 16);
        c = BlaMka(c, d);
        b = ulong.RotateRight(b ^ c, 63);
    }

    // x + y + 2 * lo32(x) * lo32(y), modulo 2^64.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong BlaMka(ulong x, ulong y) => x + y + (2 * (ulong)(uint)x * (uint)y);
}
