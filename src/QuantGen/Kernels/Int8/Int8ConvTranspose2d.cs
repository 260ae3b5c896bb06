using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="QConvTranspose2d"/> over channels-last (NHWC) samples: each output pixel gathers the input pixels its taps
/// land on, and for each one adds, per output channel, the dot product of the centred input channels with the centred
/// weights. Weights are packed at construction as int16 <c>w − z_w</c> in [group][tap][output channel][input channel]
/// order, padded to 16 input channels; inputs are centred once per sample. The int32 sums are exact in any order, so
/// the AVX2 path (<c>vpmaddwd</c>, 16 products a step) equals the scalar one and the reference bit for bit.
/// Not safe to run from two threads at once (it owns its scratch): <see cref="Fork"/> gives another over the same weights.
/// </summary>
internal sealed class Int8ConvTranspose2d
{
    private const int Block = 16;
    private readonly ConvTransposeGeometry geometry;
    private readonly short[] weights;
    private readonly int[] bias;
    private readonly float[] multipliers;
    private readonly ActivationQParams inputQ, outputQ;
    private readonly int inPadded;
    private readonly bool avx2;
    private readonly short[] centred;
    private readonly int[] sums;

    public Int8ConvTranspose2d(
        in ConvTransposeGeometry g, ReadOnlySpan<sbyte> weight, WeightQParams weightQ, int[] bias, ActivationQParams inputQ, ActivationQParams outputQ)
    {
        if (g.Problem() is string problem) throw new ArgumentException($"Int8ConvTranspose2d: {problem}: {g}.", nameof(g));
        weightQ.CheckChannels(g.OutChannels, "Int8ConvTranspose2d");
        geometry = g;
        this.inputQ = inputQ;
        this.outputQ = outputQ;
        this.bias = bias.Length == 0 ? new int[g.OutChannels] : bias;
        avx2 = Int8KernelPaths.Current != Int8KernelPath.Scalar && Avx2.IsSupported;
        int inPerGroup = g.InChannelsPerGroup, outPerGroup = g.OutChannelsPerGroup, taps = g.KernelHeight * g.KernelWidth;
        inPadded = (inPerGroup + Block - 1) / Block * Block;
        weights = new short[g.Groups * taps * outPerGroup * inPadded];
        multipliers = new float[g.OutChannels];
        for (int oc = 0; oc < g.OutChannels; oc++) multipliers[oc] = Requantize.Multiplier(inputQ.Scale, weightQ.Scale(oc), outputQ.Scale);
        for (int ic = 0; ic < g.InChannels; ic++)
        {
            int group = ic / inPerGroup, icg = ic % inPerGroup;
            for (int ocg = 0; ocg < outPerGroup; ocg++)
            {
                int zeroPoint = weightQ.ZeroPoint(group * outPerGroup + ocg);
                for (int tap = 0; tap < taps; tap++)
                {
                    weights[((group * taps + tap) * outPerGroup + ocg) * inPadded + icg] =
                        (short)(weight[(ic * outPerGroup + ocg) * taps + tap] - zeroPoint);
                }
            }
        }
        centred = new short[g.InHeight * g.InWidth * g.Groups * inPadded];
        sums = new int[g.OutChannels];
    }

    private Int8ConvTranspose2d(Int8ConvTranspose2d source)
    {
        (geometry, weights, bias, multipliers, inputQ, outputQ, inPadded, avx2) =
            (source.geometry, source.weights, source.bias, source.multipliers, source.inputQ, source.outputQ, source.inPadded, source.avx2);
        centred = new short[source.centred.Length];
        sums = new int[source.sums.Length];
    }

    /// <summary>Another kernel over the same packed weights, with scratch of its own.</summary>
    public Int8ConvTranspose2d Fork() => new(this);

    /// <summary>The path it runs: AVX2 unless built with the scalar path forced (or without AVX2).</summary>
    public Int8KernelPath Path => avx2 ? Int8KernelPath.Avx2 : Int8KernelPath.Scalar;

    /// <summary><paramref name="batch"/> samples: quint8 [batch, H, W, Cin] → quint8 [batch, OH, OW, Cout].</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch)
    {
        var g = geometry;
        int inLength = g.InHeight * g.InWidth * g.InChannels, outLength = g.OutHeight * g.OutWidth * g.OutChannels;
        Int8Checks.Length(input.Length, (long)batch * inLength, nameof(input), "Int8ConvTranspose2d", $"[{batch}, {g.InHeight}, {g.InWidth}, {g.InChannels}]");
        Int8Checks.Length(output.Length, (long)batch * outLength, nameof(output), "Int8ConvTranspose2d", $"[{batch}, {g.OutHeight}, {g.OutWidth}, {g.OutChannels}]");
        OutputRange range = OutputRange.Full;
        int outPerGroup = g.OutChannelsPerGroup, taps = g.KernelHeight * g.KernelWidth;
        for (int n = 0; n < batch; n++)
        {
            Centre(input.Slice(n * inLength, inLength));
            var sample = output.Slice(n * outLength, outLength);
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    bias.CopyTo(sums, 0);
                    for (int tap = 0; tap < taps; tap++)
                    {
                        int iy = g.SourceRow(oy, tap / g.KernelWidth), ix = g.SourceColumn(ox, tap % g.KernelWidth);
                        if (iy < 0 || ix < 0) continue;
                        int pixel = iy * g.InWidth + ix;
                        for (int group = 0; group < g.Groups; group++)
                        {
                            ReadOnlySpan<short> x = centred.AsSpan((pixel * g.Groups + group) * inPadded, inPadded);
                            ReadOnlySpan<short> w = weights.AsSpan((group * taps + tap) * outPerGroup * inPadded, outPerGroup * inPadded);
                            for (int ocg = 0; ocg < outPerGroup; ocg++)
                            {
                                int oc = group * outPerGroup + ocg;
                                var row = w.Slice(ocg * inPadded, inPadded);
                                sums[oc] = unchecked(sums[oc] + (avx2 ? DotAvx2(x, row) : Dot(x, row)));
                            }
                        }
                    }
                    var pixelOut = sample.Slice((oy * g.OutWidth + ox) * g.OutChannels, g.OutChannels);
                    for (int oc = 0; oc < g.OutChannels; oc++) pixelOut[oc] = Requantize.ToUInt8(sums[oc], multipliers[oc], outputQ.ZeroPoint, range);
                }
            }
        }
    }

    /// <summary>x − z_in as int16, per pixel and group, padded with zeros to whole blocks.</summary>
    private void Centre(ReadOnlySpan<byte> sample)
    {
        var g = geometry;
        int inPerGroup = g.InChannelsPerGroup;
        for (int pixel = 0; pixel < g.InHeight * g.InWidth; pixel++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                var target = centred.AsSpan((pixel * g.Groups + group) * inPadded, inPadded);
                var source = sample.Slice(pixel * g.InChannels + group * inPerGroup, inPerGroup);
                for (int i = 0; i < inPerGroup; i++) target[i] = (short)(source[i] - inputQ.ZeroPoint);
            }
        }
    }

    private static int Dot(ReadOnlySpan<short> x, ReadOnlySpan<short> w)
    {
        int sum = 0;
        for (int i = 0; i < x.Length; i++) sum = unchecked(sum + x[i] * w[i]);
        return sum;
    }

    /// <summary>16 int16 products a step, pairs summed to int32 by <c>vpmaddwd</c> (exact: |x·w| ≤ 255·255).</summary>
    private static int DotAvx2(ReadOnlySpan<short> x, ReadOnlySpan<short> w)
    {
        ref short xRef = ref MemoryMarshal.GetReference(x), wRef = ref MemoryMarshal.GetReference(w);
        Vector256<int> sum = Vector256<int>.Zero;
        for (int i = 0; i < x.Length; i += Block)
        {
            var products = Avx2.MultiplyAddAdjacent(Vector256.LoadUnsafe(ref xRef, (nuint)i), Vector256.LoadUnsafe(ref wRef, (nuint)i));
            sum = Avx2.Add(sum, products);
        }
        return Vector256.Sum(sum);
    }
}
