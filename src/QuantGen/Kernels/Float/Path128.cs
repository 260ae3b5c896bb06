using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>
/// 128-bit vectors (SSE, or NEON on Arm): 4 floats a vector, 16 registers. The 16×16 GEMM tile is done as
/// eight strips of 2 rows × 16 columns, 8 accumulators each. Multiply-add is fused only where the machine has FMA.
/// </summary>
internal readonly unsafe struct Path128 : IFloatPath<Vector128<float>>
{
    private const int StripRows = 2;

    public static int Count => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* source) => Vector128.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* destination, Vector128<float> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> addend) =>
        Vector128.MultiplyAddEstimate(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> value) => Vector128.Sum(value);

    public static void Tile(float* a, float* b, int k, float* c, nint ldc, float* rowBias, bool loadC)
    {
        for (int row = 0; row < Panels.Width; row += StripRows)
        {
            Strip(a + row, b, k, c + row * ldc, ldc, rowBias == null ? null : rowBias + row, loadC);
        }
    }

    [SkipLocalsInit]
    private static void Strip(float* a, float* b, int k, float* c, nint ldc, float* rowBias, bool loadC)
    {
        Vector128<float> c00, c01, c02, c03, c10, c11, c12, c13;
        if (loadC)
        {
            c00 = Vector128.Load(c); c01 = Vector128.Load(c + 4); c02 = Vector128.Load(c + 8); c03 = Vector128.Load(c + 12);
            float* c1 = c + ldc;
            c10 = Vector128.Load(c1); c11 = Vector128.Load(c1 + 4); c12 = Vector128.Load(c1 + 8); c13 = Vector128.Load(c1 + 12);
        }
        else if (rowBias != null)
        {
            c00 = c01 = c02 = c03 = Vector128.Create(rowBias[0]);
            c10 = c11 = c12 = c13 = Vector128.Create(rowBias[1]);
        }
        else
        {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = Vector128<float>.Zero;
        }

        for (int p = 0; p < k; p++)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4), b2 = Vector128.Load(b + 8), b3 = Vector128.Load(b + 12);
            Vector128<float> a0 = Vector128.Create(a[0]), a1 = Vector128.Create(a[1]);
            c00 = Vector128.MultiplyAddEstimate(a0, b0, c00); c01 = Vector128.MultiplyAddEstimate(a0, b1, c01);
            c02 = Vector128.MultiplyAddEstimate(a0, b2, c02); c03 = Vector128.MultiplyAddEstimate(a0, b3, c03);
            c10 = Vector128.MultiplyAddEstimate(a1, b0, c10); c11 = Vector128.MultiplyAddEstimate(a1, b1, c11);
            c12 = Vector128.MultiplyAddEstimate(a1, b2, c12); c13 = Vector128.MultiplyAddEstimate(a1, b3, c13);
            a += Panels.Width;
            b += Panels.Width;
        }

        c00.Store(c); c01.Store(c + 4); c02.Store(c + 8); c03.Store(c + 12);
        float* d1 = c + ldc;
        c10.Store(d1); c11.Store(d1 + 4); c12.Store(d1 + 8); c13.Store(d1 + 12);
    }
}
