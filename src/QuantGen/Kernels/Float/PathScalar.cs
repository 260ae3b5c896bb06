using System.Runtime.CompilerServices;

namespace QuantGen.Kernels.Float;

/// <summary>No vectors: the reference-speed path for machines without SIMD, and a check on the others.</summary>
internal readonly unsafe struct PathScalar : IFloatPath<float>
{
    public static int Count => 1;

    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* source) => *source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* destination, float value) => *destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float addend) => float.MultiplyAddEstimate(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float value) => value;

    [SkipLocalsInit]
    public static void Tile(float* a, float* b, int k, float* c, nint ldc, float* rowBias, bool loadC)
    {
        const int n = Panels.Width;
        float* sums = stackalloc float[n];
        for (int r = 0; r < n; r++)
        {
            float* row = c + r * ldc;
            float start = rowBias == null ? 0f : rowBias[r];
            for (int j = 0; j < n; j++) sums[j] = loadC ? row[j] : start;
            for (int p = 0; p < k; p++)
            {
                float weight = a[p * n + r];
                float* bRow = b + p * n;
                for (int j = 0; j < n; j++) sums[j] = float.MultiplyAddEstimate(weight, bRow[j], sums[j]);
            }
            for (int j = 0; j < n; j++) row[j] = sums[j];
        }
    }
}
