/*
 * Vectorised compression function G (RFC 9106 §3.5, §3.6).
 *
 * The BLAKE2b-style round works on 16 words v0..v15: four "column" mixes
 * (v0,v4,v8,v12) .. (v3,v7,v11,v15), then four "diagonal" mixes (v0,v5,v10,v15) .. (v3,v4,v9,v14).
 * With A = v0..v3, B = v4..v7, C = v8..v11, D = v12..v15 the column mixes are lane-wise vector
 * operations; the diagonal mixes become lane-wise after rotating B, C and D ("diagonalise").
 *
 * AVX2 (4 words per register), two rounds in flight at a time for instruction-level parallelism:
 *   rows:    row r = words 16r..16r+15 = registers 4r..4r+3 = A, B, C, D directly;
 *            diagonalise with vpermq (B by 1 word, C by 2, D by 3).
 *   columns: registers i, 4+i, 8+i, .., 28+i (i = 0..3) hold columns 2i and 2i+1 side by side
 *            (one 128-bit half each); A0 = (v0 v1), A1 = (v2 v3), B0 = (v4 v5), ... D1 = (v14 v15)
 *            per half, so diagonalising swaps C0/C1 and rebuilds B and D with vpblendd + vpshufd.
 * SSSE3 (2 words per register): the reference implementation's layout; diagonalise with palignr.
 *
 * BlaMka: a + b + 2 * lo32(a) * lo32(b) uses vpmuludq / pmuludq (32×32 → 64-bit multiply).
 * Rotations: by 32 with pshufd, by 24 and 16 with pshufb, by 63 with (x >> 63) ^ (x + x).
 *
 * Memory traffic per block: X, Y (and the old block from pass 1 on) are read once while the rows
 * are processed; R = X ^ Y (^ old) is parked in the scratch block and XORed back in during the
 * column step, so the output block is written twice and everything else stays in L1.
 */

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SecurityKit.Passwords.Argon2;

/// <summary>AVX2 kernel: 32 <see cref="Vector256{T}"/> registers per block.</summary>
internal readonly struct Avx2Kernel : IBlockKernel
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FillBlock(ref ulong previous, ref ulong reference, ref ulong next, ref ulong scratch, bool withXor)
    {
        // Rows: two rows (8 registers) per iteration.
        for (nuint i = 0; i < 128; i += 32)
        {
            Vector256<ulong> a0 = Load(ref previous, i) ^ Load(ref reference, i);
            Vector256<ulong> b0 = Load(ref previous, i + 4) ^ Load(ref reference, i + 4);
            Vector256<ulong> c0 = Load(ref previous, i + 8) ^ Load(ref reference, i + 8);
            Vector256<ulong> d0 = Load(ref previous, i + 12) ^ Load(ref reference, i + 12);
            Vector256<ulong> a1 = Load(ref previous, i + 16) ^ Load(ref reference, i + 16);
            Vector256<ulong> b1 = Load(ref previous, i + 20) ^ Load(ref reference, i + 20);
            Vector256<ulong> c1 = Load(ref previous, i + 24) ^ Load(ref reference, i + 24);
            Vector256<ulong> d1 = Load(ref previous, i + 28) ^ Load(ref reference, i + 28);

            if (withXor)
            {
                Store(a0 ^ Load(ref next, i), ref scratch, i);
                Store(b0 ^ Load(ref next, i + 4), ref scratch, i + 4);
                Store(c0 ^ Load(ref next, i + 8), ref scratch, i + 8);
                Store(d0 ^ Load(ref next, i + 12), ref scratch, i + 12);
                Store(a1 ^ Load(ref next, i + 16), ref scratch, i + 16);
                Store(b1 ^ Load(ref next, i + 20), ref scratch, i + 20);
                Store(c1 ^ Load(ref next, i + 24), ref scratch, i + 24);
                Store(d1 ^ Load(ref next, i + 28), ref scratch, i + 28);
            }
            else
            {
                Store(a0, ref scratch, i);
                Store(b0, ref scratch, i + 4);
                Store(c0, ref scratch, i + 8);
                Store(d0, ref scratch, i + 12);
                Store(a1, ref scratch, i + 16);
                Store(b1, ref scratch, i + 20);
                Store(c1, ref scratch, i + 24);
                Store(d1, ref scratch, i + 28);
            }

            Mix(ref a0, ref b0, ref c0, ref d0, ref a1, ref b1, ref c1, ref d1);
            b0 = Avx2.Permute4x64(b0, 0b_00_11_10_01);
            c0 = Avx2.Permute4x64(c0, 0b_01_00_11_10);
            d0 = Avx2.Permute4x64(d0, 0b_10_01_00_11);
            b1 = Avx2.Permute4x64(b1, 0b_00_11_10_01);
            c1 = Avx2.Permute4x64(c1, 0b_01_00_11_10);
            d1 = Avx2.Permute4x64(d1, 0b_10_01_00_11);
            Mix(ref a0, ref b0, ref c0, ref d0, ref a1, ref b1, ref c1, ref d1);
            b0 = Avx2.Permute4x64(b0, 0b_10_01_00_11);
            c0 = Avx2.Permute4x64(c0, 0b_01_00_11_10);
            d0 = Avx2.Permute4x64(d0, 0b_00_11_10_01);
            b1 = Avx2.Permute4x64(b1, 0b_10_01_00_11);
            c1 = Avx2.Permute4x64(c1, 0b_01_00_11_10);
            d1 = Avx2.Permute4x64(d1, 0b_00_11_10_01);

            Store(a0, ref next, i);
            Store(b0, ref next, i + 4);
            Store(c0, ref next, i + 8);
            Store(d0, ref next, i + 12);
            Store(a1, ref next, i + 16);
            Store(b1, ref next, i + 20);
            Store(c1, ref next, i + 24);
            Store(d1, ref next, i + 28);
        }

        // Columns: registers i, 4+i, .., 28+i hold two columns.
        for (nuint i = 0; i < 16; i += 4)
        {
            Vector256<ulong> a0 = Load(ref next, i);
            Vector256<ulong> a1 = Load(ref next, i + 16);
            Vector256<ulong> b0 = Load(ref next, i + 32);
            Vector256<ulong> b1 = Load(ref next, i + 48);
            Vector256<ulong> c0 = Load(ref next, i + 64);
            Vector256<ulong> c1 = Load(ref next, i + 80);
            Vector256<ulong> d0 = Load(ref next, i + 96);
            Vector256<ulong> d1 = Load(ref next, i + 112);

            Mix(ref a0, ref b0, ref c0, ref d0, ref a1, ref b1, ref c1, ref d1);

            // (v4 v5)(v6 v7) -> (v5 v6)(v7 v4); (v8 v9)(v10 v11) -> swapped; (v12 v13)(v14 v15) -> (v15 v12)(v13 v14).
            Vector256<ulong> t0 = Avx2.Blend(b0.AsUInt32(), b1.AsUInt32(), 0b_0011_0011).AsUInt64();
            Vector256<ulong> t1 = Avx2.Blend(b0.AsUInt32(), b1.AsUInt32(), 0b_1100_1100).AsUInt64();
            b0 = SwapHalves(t0);
            b1 = SwapHalves(t1);
            t0 = Avx2.Blend(d0.AsUInt32(), d1.AsUInt32(), 0b_1100_1100).AsUInt64();
            t1 = Avx2.Blend(d0.AsUInt32(), d1.AsUInt32(), 0b_0011_0011).AsUInt64();
            d0 = SwapHalves(t0);
            d1 = SwapHalves(t1);

            Mix(ref a0, ref b0, ref c1, ref d0, ref a1, ref b1, ref c0, ref d1);

            t0 = Avx2.Blend(b0.AsUInt32(), b1.AsUInt32(), 0b_1100_1100).AsUInt64();
            t1 = Avx2.Blend(b0.AsUInt32(), b1.AsUInt32(), 0b_0011_0011).AsUInt64();
            b0 = SwapHalves(t0);
            b1 = SwapHalves(t1);
            t0 = Avx2.Blend(d0.AsUInt32(), d1.AsUInt32(), 0b_0011_0011).AsUInt64();
            t1 = Avx2.Blend(d0.AsUInt32(), d1.AsUInt32(), 0b_1100_1100).AsUInt64();
            d0 = SwapHalves(t0);
            d1 = SwapHalves(t1);

            Store(a0 ^ Load(ref scratch, i), ref next, i);
            Store(a1 ^ Load(ref scratch, i + 16), ref next, i + 16);
            Store(b0 ^ Load(ref scratch, i + 32), ref next, i + 32);
            Store(b1 ^ Load(ref scratch, i + 48), ref next, i + 48);
            Store(c0 ^ Load(ref scratch, i + 64), ref next, i + 64);
            Store(c1 ^ Load(ref scratch, i + 80), ref next, i + 80);
            Store(d0 ^ Load(ref scratch, i + 96), ref next, i + 96);
            Store(d1 ^ Load(ref scratch, i + 112), ref next, i + 112);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Load(ref ulong source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<ulong> value, ref ulong destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    // Swaps the two 64-bit words of each 128-bit half.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> SwapHalves(Vector256<ulong> x) => Avx2.Shuffle(x.AsUInt32(), 0b_01_00_11_10).AsUInt64();

    // Two independent G applications, interleaved so the multiplies of one hide the latency of the other.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix(
        ref Vector256<ulong> a0, ref Vector256<ulong> b0, ref Vector256<ulong> c0, ref Vector256<ulong> d0,
        ref Vector256<ulong> a1, ref Vector256<ulong> b1, ref Vector256<ulong> c1, ref Vector256<ulong> d1)
    {
        a0 = BlaMka(a0, b0);
        a1 = BlaMka(a1, b1);
        d0 = RotateRight32(d0 ^ a0);
        d1 = RotateRight32(d1 ^ a1);
        c0 = BlaMka(c0, d0);
        c1 = BlaMka(c1, d1);
        b0 = RotateRight24(b0 ^ c0);
        b1 = RotateRight24(b1 ^ c1);

        a0 = BlaMka(a0, b0);
        a1 = BlaMka(a1, b1);
        d0 = RotateRight16(d0 ^ a0);
        d1 = RotateRight16(d1 ^ a1);
        c0 = BlaMka(c0, d0);
        c1 = BlaMka(c1, d1);
        b0 = RotateRight63(b0 ^ c0);
        b1 = RotateRight63(b1 ^ c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> BlaMka(Vector256<ulong> x, Vector256<ulong> y)
    {
        Vector256<ulong> product = Avx2.Multiply(x.AsUInt32(), y.AsUInt32());
        return Avx2.Add(Avx2.Add(x, y), Avx2.Add(product, product));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> RotateRight32(Vector256<ulong> x) => Avx2.Shuffle(x.AsUInt32(), 0b_10_11_00_01).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> RotateRight24(Vector256<ulong> x) =>
        Avx2.Shuffle(x.AsByte(), Vector256.Create((byte)3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> RotateRight16(Vector256<ulong> x) =>
        Avx2.Shuffle(x.AsByte(), Vector256.Create((byte)2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> RotateRight63(Vector256<ulong> x) => Avx2.Xor(Avx2.ShiftRightLogical(x, 63), Avx2.Add(x, x));
}

/// <summary>SSSE3 kernel: 64 <see cref="Vector128{T}"/> registers per block (reference layout).</summary>
internal readonly struct Ssse3Kernel : IBlockKernel
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FillBlock(ref ulong previous, ref ulong reference, ref ulong next, ref ulong scratch, bool withXor)
    {
        // Rows: row r = registers 8r..8r+7 = (v0 v1) .. (v14 v15).
        for (nuint i = 0; i < 128; i += 16)
        {
            Vector128<ulong> a0 = Load(ref previous, i) ^ Load(ref reference, i);
            Vector128<ulong> a1 = Load(ref previous, i + 2) ^ Load(ref reference, i + 2);
            Vector128<ulong> b0 = Load(ref previous, i + 4) ^ Load(ref reference, i + 4);
            Vector128<ulong> b1 = Load(ref previous, i + 6) ^ Load(ref reference, i + 6);
            Vector128<ulong> c0 = Load(ref previous, i + 8) ^ Load(ref reference, i + 8);
            Vector128<ulong> c1 = Load(ref previous, i + 10) ^ Load(ref reference, i + 10);
            Vector128<ulong> d0 = Load(ref previous, i + 12) ^ Load(ref reference, i + 12);
            Vector128<ulong> d1 = Load(ref previous, i + 14) ^ Load(ref reference, i + 14);

            if (withXor)
            {
                Store(a0 ^ Load(ref next, i), ref scratch, i);
                Store(a1 ^ Load(ref next, i + 2), ref scratch, i + 2);
                Store(b0 ^ Load(ref next, i + 4), ref scratch, i + 4);
                Store(b1 ^ Load(ref next, i + 6), ref scratch, i + 6);
                Store(c0 ^ Load(ref next, i + 8), ref scratch, i + 8);
                Store(c1 ^ Load(ref next, i + 10), ref scratch, i + 10);
                Store(d0 ^ Load(ref next, i + 12), ref scratch, i + 12);
                Store(d1 ^ Load(ref next, i + 14), ref scratch, i + 14);
            }
            else
            {
                Store(a0, ref scratch, i);
                Store(a1, ref scratch, i + 2);
                Store(b0, ref scratch, i + 4);
                Store(b1, ref scratch, i + 6);
                Store(c0, ref scratch, i + 8);
                Store(c1, ref scratch, i + 10);
                Store(d0, ref scratch, i + 12);
                Store(d1, ref scratch, i + 14);
            }

            Round(ref a0, ref a1, ref b0, ref b1, ref c0, ref c1, ref d0, ref d1);

            Store(a0, ref next, i);
            Store(a1, ref next, i + 2);
            Store(b0, ref next, i + 4);
            Store(b1, ref next, i + 6);
            Store(c0, ref next, i + 8);
            Store(c1, ref next, i + 10);
            Store(d0, ref next, i + 12);
            Store(d1, ref next, i + 14);
        }

        // Columns: column c = registers c, c+8, .., c+56.
        for (nuint i = 0; i < 16; i += 2)
        {
            Vector128<ulong> a0 = Load(ref next, i);
            Vector128<ulong> a1 = Load(ref next, i + 16);
            Vector128<ulong> b0 = Load(ref next, i + 32);
            Vector128<ulong> b1 = Load(ref next, i + 48);
            Vector128<ulong> c0 = Load(ref next, i + 64);
            Vector128<ulong> c1 = Load(ref next, i + 80);
            Vector128<ulong> d0 = Load(ref next, i + 96);
            Vector128<ulong> d1 = Load(ref next, i + 112);

            Round(ref a0, ref a1, ref b0, ref b1, ref c0, ref c1, ref d0, ref d1);

            Store(a0 ^ Load(ref scratch, i), ref next, i);
            Store(a1 ^ Load(ref scratch, i + 16), ref next, i + 16);
            Store(b0 ^ Load(ref scratch, i + 32), ref next, i + 32);
            Store(b1 ^ Load(ref scratch, i + 48), ref next, i + 48);
            Store(c0 ^ Load(ref scratch, i + 64), ref next, i + 64);
            Store(c1 ^ Load(ref scratch, i + 80), ref next, i + 80);
            Store(d0 ^ Load(ref scratch, i + 96), ref next, i + 96);
            Store(d1 ^ Load(ref scratch, i + 112), ref next, i + 112);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(
        ref Vector128<ulong> a0, ref Vector128<ulong> a1, ref Vector128<ulong> b0, ref Vector128<ulong> b1,
        ref Vector128<ulong> c0, ref Vector128<ulong> c1, ref Vector128<ulong> d0, ref Vector128<ulong> d1)
    {
        Mix(ref a0, ref b0, ref c0, ref d0, ref a1, ref b1, ref c1, ref d1);

        // (v4 v5)(v6 v7) -> (v5 v6)(v7 v4); C halves swap; (v12 v13)(v14 v15) -> (v15 v12)(v13 v14).
        Vector128<ulong> t0 = AlignRight8(b1, b0);
        Vector128<ulong> t1 = AlignRight8(b0, b1);
        b0 = t0;
        b1 = t1;
        t0 = AlignRight8(d0, d1);
        t1 = AlignRight8(d1, d0);
        d0 = t0;
        d1 = t1;

        Mix(ref a0, ref b0, ref c1, ref d0, ref a1, ref b1, ref c0, ref d1);

        t0 = AlignRight8(b0, b1);
        t1 = AlignRight8(b1, b0);
        b0 = t0;
        b1 = t1;
        t0 = AlignRight8(d1, d0);
        t1 = AlignRight8(d0, d1);
        d0 = t0;
        d1 = t1;
    }

    // (high:low) >> 64 bits, i.e. (low.word1, high.word0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> AlignRight8(Vector128<ulong> high, Vector128<ulong> low) =>
        Ssse3.AlignRight(high.AsByte(), low.AsByte(), 8).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load(ref ulong source, nuint offset) => Vector128.LoadUnsafe(ref source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector128<ulong> value, ref ulong destination, nuint offset) => value.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix(
        ref Vector128<ulong> a0, ref Vector128<ulong> b0, ref Vector128<ulong> c0, ref Vector128<ulong> d0,
        ref Vector128<ulong> a1, ref Vector128<ulong> b1, ref Vector128<ulong> c1, ref Vector128<ulong> d1)
    {
        a0 = BlaMka(a0, b0);
        a1 = BlaMka(a1, b1);
        d0 = RotateRight32(d0 ^ a0);
        d1 = RotateRight32(d1 ^ a1);
        c0 = BlaMka(c0, d0);
        c1 = BlaMka(c1, d1);
        b0 = RotateRight24(b0 ^ c0);
        b1 = RotateRight24(b1 ^ c1);

        a0 = BlaMka(a0, b0);
        a1 = BlaMka(a1, b1);
        d0 = RotateRight16(d0 ^ a0);
        d1 = RotateRight16(d1 ^ a1);
        c0 = BlaMka(c0, d0);
        c1 = BlaMka(c1, d1);
        b0 = RotateRight63(b0 ^ c0);
        b1 = RotateRight63(b1 ^ c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> BlaMka(Vector128<ulong> x, Vector128<ulong> y)
    {
        Vector128<ulong> product = Sse2.Multiply(x.AsUInt32(), y.AsUInt32());
        return Sse2.Add(Sse2.Add(x, y), Sse2.Add(product, product));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> RotateRight32(Vector128<ulong> x) => Sse2.Shuffle(x.AsUInt32(), 0b_10_11_00_01).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> RotateRight24(Vector128<ulong> x) =>
        Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> RotateRight16(Vector128<ulong> x) =>
        Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> RotateRight63(Vector128<ulong> x) => Sse2.Xor(Sse2.ShiftRightLogical(x, 63), Sse2.Add(x, x));
}
