using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>AVX-512: 16 floats a vector; the GEMM tile holds all 16×16 accumulators in 16 of the 32 registers.</summary>
internal readonly unsafe struct Path512 : IFloatPath<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* destination, Vector512<float> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend) =>
        Vector512.FusedMultiplyAdd(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> value) => Vector512.Sum(value);

    [SkipLocalsInit]
    public static void Tile(float* a, float* b, int k, float* c, nint ldc, float* rowBias, bool loadC)
    {
        Vector512<float> c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15;
        if (loadC)
        {
            c0 = Vector512.Load(c); c1 = Vector512.Load(c + ldc);
            c2 = Vector512.Load(c + 2 * ldc); c3 = Vector512.Load(c + 3 * ldc);
            c4 = Vector512.Load(c + 4 * ldc); c5 = Vector512.Load(c + 5 * ldc);
            c6 = Vector512.Load(c + 6 * ldc); c7 = Vector512.Load(c + 7 * ldc);
            c8 = Vector512.Load(c + 8 * ldc); c9 = Vector512.Load(c + 9 * ldc);
            c10 = Vector512.Load(c + 10 * ldc); c11 = Vector512.Load(c + 11 * ldc);
            c12 = Vector512.Load(c + 12 * ldc); c13 = Vector512.Load(c + 13 * ldc);
            c14 = Vector512.Load(c + 14 * ldc); c15 = Vector512.Load(c + 15 * ldc);
        }
        else if (rowBias != null)
        {
            c0 = Vector512.Create(rowBias[0]); c1 = Vector512.Create(rowBias[1]);
            c2 = Vector512.Create(rowBias[2]); c3 = Vector512.Create(rowBias[3]);
            c4 = Vector512.Create(rowBias[4]); c5 = Vector512.Create(rowBias[5]);
            c6 = Vector512.Create(rowBias[6]); c7 = Vector512.Create(rowBias[7]);
            c8 = Vector512.Create(rowBias[8]); c9 = Vector512.Create(rowBias[9]);
            c10 = Vector512.Create(rowBias[10]); c11 = Vector512.Create(rowBias[11]);
            c12 = Vector512.Create(rowBias[12]); c13 = Vector512.Create(rowBias[13]);
            c14 = Vector512.Create(rowBias[14]); c15 = Vector512.Create(rowBias[15]);
        }
        else
        {
            c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = c8 = c9 = c10 = c11 = c12 = c13 = c14 = c15 = Vector512<float>.Zero;
        }

        for (int p = 0; p < k; p++)
        {
            Vector512<float> row = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), row, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), row, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), row, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), row, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), row, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), row, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), row, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), row, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), row, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), row, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), row, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), row, c11);
            c12 = Vector512.FusedMultiplyAdd(Vector512.Create(a[12]), row, c12);
            c13 = Vector512.FusedMultiplyAdd(Vector512.Create(a[13]), row, c13);
            c14 = Vector512.FusedMultiplyAdd(Vector512.Create(a[14]), row, c14);
            c15 = Vector512.FusedMultiplyAdd(Vector512.Create(a[15]), row, c15);
            a += Panels.Width;
            b += Panels.Width;
        }

        c0.Store(c); c1.Store(c + ldc); c2.Store(c + 2 * ldc); c3.Store(c + 3 * ldc);
        c4.Store(c + 4 * ldc); c5.Store(c + 5 * ldc); c6.Store(c + 6 * ldc); c7.Store(c + 7 * ldc);
        c8.Store(c + 8 * ldc); c9.Store(c + 9 * ldc); c10.Store(c + 10 * ldc); c11.Store(c + 11 * ldc);
        c12.Store(c + 12 * ldc); c13.Store(c + 13 * ldc); c14.Store(c + 14 * ldc); c15.Store(c + 15 * ldc);
    }
}
