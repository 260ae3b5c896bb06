using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="QBatchNorm2d"/> over channels-last (NHWC) samples: each pixel's channels against α and β, eight a step on
/// AVX2 with FMA (the same fused multiply-add, clamp and round-half-to-even, so the same bytes). Immutable: safe to share.
/// </summary>
internal sealed class ChannelsLastBatchNorm
{
    private readonly float[] alpha, beta;
    private readonly int inputZeroPoint, outputZeroPoint;
    private readonly OutputRange range;
    private readonly bool vector;

    /// <summary>α and β per channel (<see cref="QBatchNorm2d.Coefficients"/>); <paramref name="vector"/>: whether it may take the AVX2+FMA path (tests force it off to compare).</summary>
    public ChannelsLastBatchNorm(float[] alpha, float[] beta, int inputZeroPoint, int outputZeroPoint, OutputRange range, bool vector = true)
    {
        ReferenceChecks.SameLength(alpha.Length, beta.Length, "ChannelsLastBatchNorm");
        (this.alpha, this.beta, this.inputZeroPoint, this.outputZeroPoint, this.range) = (alpha, beta, inputZeroPoint, outputZeroPoint, range);
        this.vector = vector && Avx2.IsSupported && Fma.IsSupported;
    }

    public bool Vectorized => vector;

    /// <summary>Any whole number of pixels of <c>alpha.Length</c> channels.</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int channels = alpha.Length;
        ReferenceChecks.SameLength(input.Length, output.Length, "ChannelsLastBatchNorm");
        if (input.Length % channels != 0) throw new ShapeMismatchException($"ChannelsLastBatchNorm: {input.Length} bytes are not whole pixels of {channels} channels.");
        for (int start = 0; start < input.Length; start += channels)
        {
            var x = input.Slice(start, channels);
            var y = output.Slice(start, channels);
            int c = vector ? PixelAvx2(x, y) : 0;
            for (; c < channels; c++) y[c] = QBatchNorm2d.Value(x[c], inputZeroPoint, alpha[c], beta[c], outputZeroPoint, range);
        }
    }

    private int PixelAvx2(ReadOnlySpan<byte> x, Span<byte> y)
    {
        var zeroIn = Vector256.Create(inputZeroPoint);
        var low = Vector256.Create((float)(range.Min - outputZeroPoint));
        var high = Vector256.Create((float)(range.Max - outputZeroPoint));
        var zeroOut = Vector256.Create(outputZeroPoint);
        ref float alphaRef = ref MemoryMarshal.GetArrayDataReference(alpha), betaRef = ref MemoryMarshal.GetArrayDataReference(beta);
        int c = 0;
        for (; c + 8 <= x.Length; c += 8)
        {
            var bytes = Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(MemoryMarshal.Read<ulong>(x.Slice(c, 8))).AsByte());
            var centred = Avx.ConvertToVector256Single(Avx2.Subtract(bytes, zeroIn));
            var normalized = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref alphaRef, (nuint)c), centred, Vector256.LoadUnsafe(ref betaRef, (nuint)c));
            var clamped = Avx.Min(Avx.Max(normalized, low), high);
            var result = Avx2.Add(Avx.ConvertToVector256Int32(Avx.RoundToNearestInteger(clamped)), zeroOut);
            for (int i = 0; i < 8; i++) y[c + i] = (byte)result.GetElement(i);
        }
        return c;
    }
}
