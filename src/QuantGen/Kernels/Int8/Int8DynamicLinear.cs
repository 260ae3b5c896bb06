using System.Numerics;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// A dynamically quantized linear layer over whole samples, equal bit for bit to <see cref="DynamicQLinear"/> run on one
/// sample at a time: each sample's values quantized to quint8 with qparams from the sample's own min and max
/// (<see cref="DynamicQParams.ForInput"/>), <c>acc = Σ (x − z_x)·(w − z_w)</c> in int32, <c>y = (float)acc · (s_w · s_x) + b</c>.
/// The int32 sum is exact (wraparound alike), so it is computed as <c>Σ x·w − z_w·Σ x − z_x·Σ w + K·z_x·z_w</c> with
/// SIMD products of the bytes widened to 16 bits (255 · 128 fits in one) and the weights' sums made once.
/// </summary>
/// <remarks>Weights are shared between forks; the quantized rows are scratch of each instance, so one call at a time per instance.</remarks>
public sealed class Int8DynamicLinear
{
    private readonly short[] weight; // [out, in], widened once
    private readonly int[] weightSums; // Σ_k w[o, k]
    private readonly WeightQParams weightQ;
    private readonly float[]? bias;
    private readonly int inFeatures, outFeatures, rowsPerSample;
    private readonly FusedActivation activation;
    private readonly short[] rows; // one sample's quantized rows, widened

    /// <param name="weight">qint8 [outFeatures, inFeatures].</param>
    /// <param name="weightQ">Its qparams, per tensor or per output channel.</param>
    /// <param name="bias">float [outFeatures], or null.</param>
    /// <param name="inFeatures">Values in one row.</param>
    /// <param name="outFeatures">Outputs of one row.</param>
    /// <param name="rowsPerSample">Rows of <paramref name="inFeatures"/> values in one sample, quantized together.</param>
    /// <param name="activation">ReLU on the float result, as <c>linear_relu_dynamic</c>; or none.</param>
    public Int8DynamicLinear(ReadOnlySpan<sbyte> weight, WeightQParams weightQ, float[]? bias, int inFeatures, int outFeatures, int rowsPerSample, FusedActivation activation)
    {
        ArgumentNullException.ThrowIfNull(weightQ);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerSample);
        weightQ.CheckChannels(outFeatures, nameof(Int8DynamicLinear));
        ReferenceChecks.Length(weight.Length, (long)outFeatures * inFeatures, nameof(weight), nameof(Int8DynamicLinear), $"[{outFeatures}, {inFeatures}]");
        if (bias is not null) ReferenceChecks.Length(bias.Length, outFeatures, nameof(bias), nameof(Int8DynamicLinear), $"[{outFeatures}]");
        this.weight = new short[weight.Length];
        weightSums = new int[outFeatures];
        for (int o = 0; o < outFeatures; o++)
        {
            for (int k = 0; k < inFeatures; k++)
            {
                sbyte w = weight[o * inFeatures + k];
                this.weight[o * inFeatures + k] = w;
                weightSums[o] += w;
            }
        }

        (this.weightQ, this.bias, this.inFeatures, this.outFeatures, this.rowsPerSample, this.activation) =
            (weightQ, bias, inFeatures, outFeatures, rowsPerSample, activation);
        rows = new short[rowsPerSample * inFeatures];
    }

    private Int8DynamicLinear(Int8DynamicLinear source)
    {
        (weight, weightSums, weightQ, bias, inFeatures, outFeatures, rowsPerSample, activation) =
            (source.weight, source.weightSums, source.weightQ, source.bias, source.inFeatures, source.outFeatures, source.rowsPerSample, source.activation);
        rows = new short[source.rows.Length];
    }

    /// <summary>The same weights with rows of its own, for another thread.</summary>
    public Int8DynamicLinear Fork() => new(this);

    /// <summary><paramref name="samples"/> samples: float [samples · rowsPerSample, inFeatures] → float [samples · rowsPerSample, outFeatures].</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite (no qparams hold it).</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int samples)
    {
        int sampleIn = rowsPerSample * inFeatures, sampleOut = rowsPerSample * outFeatures;
        ReferenceChecks.Length(input.Length, (long)samples * sampleIn, nameof(input), nameof(Int8DynamicLinear), $"[{samples}, {rowsPerSample}, {inFeatures}]");
        ReferenceChecks.Length(output.Length, (long)samples * sampleOut, nameof(output), nameof(Int8DynamicLinear), $"[{samples}, {rowsPerSample}, {outFeatures}]");
        for (int s = 0; s < samples; s++) Sample(input.Slice(s * sampleIn, sampleIn), output.Slice(s * sampleOut, sampleOut));
    }

    private void Sample(ReadOnlySpan<float> input, Span<float> output)
    {
        ActivationQParams q = DynamicQParams.ForInput(input);
        for (int i = 0; i < input.Length; i++) rows[i] = Quantize.ToUInt8(input[i], q);

        for (int r = 0; r < rowsPerSample; r++)
        {
            ReadOnlySpan<short> x = rows.AsSpan(r * inFeatures, inFeatures);
            int xSum = 0;
            foreach (short value in x) xSum += value;
            for (int o = 0; o < outFeatures; o++)
            {
                int zw = weightQ.ZeroPoint(o);
                int accumulator = unchecked(
                    Dot(x, weight.AsSpan(o * inFeatures, inFeatures)) - zw * xSum - q.ZeroPoint * weightSums[o] + inFeatures * q.ZeroPoint * zw);
                float y = (float)accumulator * (weightQ.Scale(o) * q.Scale);
                if (bias is not null) y += bias[o];
                output[r * outFeatures + o] = activation switch
                {
                    FusedActivation.ReLU => y < 0 ? 0f : y,
                    FusedActivation.ReLU6 => y < 0 ? 0f : y > 6 ? 6f : y,
                    _ => y,
                };
            }
        }
    }

    /// <summary>Σ x·w in int32 with wraparound: each product fits 16 bits, the sums are widened to 32.</summary>
    private static int Dot(ReadOnlySpan<short> x, ReadOnlySpan<short> w)
    {
        var sum = Vector<int>.Zero;
        int k = 0;
        for (; k <= x.Length - Vector<short>.Count; k += Vector<short>.Count)
        {
            Vector.Widen(new Vector<short>(x[k..]) * new Vector<short>(w[k..]), out Vector<int> low, out Vector<int> high);
            sum += low + high;
        }

        int total = Vector.Sum(sum);
        for (; k < x.Length; k++) total = unchecked(total + x[k] * w[k]);
        return total;
    }
}
