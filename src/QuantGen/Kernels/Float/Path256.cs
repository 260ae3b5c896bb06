using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>
/// AVX2 + FMA: 8 floats a vector, 16 registers. The 16×16 GEMM tile is done as four strips of 4 rows × 16
/// columns, 8 accumulators each: enough to cover FMA latency on two pipes and leave room for the operands.
/// </summary>
internal readonly unsafe struct Path256 : IFloatPath<Vector256<float>>
{
    private const int StripRows = 4;

    public static int Count => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* destination, Vector256<float> value) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend) =>
        Vector256.FusedMultiplyAdd(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> value) => Vector256.Sum(value);

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
        Vector256<float> c0l, c0h, c1l, c1h, c2l, c2h, c3l, c3h;
        if (loadC)
        {
            c0l = Vector256.Load(c); c0h = Vector256.Load(c + 8);
            c1l = Vector256.Load(c + ldc); c1h = Vector256.Load(c + ldc + 8);
            c2l = Vector256.Load(c + 2 * ldc); c2h = Vector256.Load(c + 2 * ldc + 8);
            c3l = Vector256.Load(c + 3 * ldc); c3h = Vector256.Load(c + 3 * ldc + 8);
        }
        else if (rowBias != null)
        {
            c0l = c0h = Vector256.Create(rowBias[0]);
            c1l = c1h = Vector256.Create(rowBias[1]);
            c2l = c2h = Vector256.Create(rowBias[2]);
            c3l = c3h = Vector256.Create(rowBias[3]);
        }
        else
        {
            c0l = c0h = c1l = c1h = c2l = c2h = c3l = c3h = Vector256<float>.Zero;
        }

        for (int p = 0; p < k; p++)
        {
            Vector256<float> low = Vector256.Load(b), high = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c0l = Vector256.FusedMultiplyAdd(a0, low, c0l); c0h = Vector256.FusedMultiplyAdd(a0, high, c0h);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c1l = Vector256.FusedMultiplyAdd(a1, low, c1l); c1h = Vector256.FusedMultiplyAdd(a1, high, c1h);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c2l = Vector256.FusedMultiplyAdd(a2, low, c2l); c2h = Vector256.FusedMultiplyAdd(a2, high, c2h);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c3l = Vector256.FusedMultiplyAdd(a3, low, c3l); c3h = Vector256.FusedMultiplyAdd(a3, high, c3h);
            a += Panels.Width;
            b += Panels.Width;
        }

        c0l.Store(c); c0h.Store(c + 8);
        c1l.Store(c + ldc); c1h.Store(c + ldc + 8);
        c2l.Store(c + 2 * ldc); c2h.Store(c + 2 * ldc + 8);
        c3l.Store(c + 3 * ldc); c3h.Store(c + 3 * ldc + 8);
    }
}
