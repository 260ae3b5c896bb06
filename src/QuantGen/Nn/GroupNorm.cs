using QuantGen.Autograd;
using QuantGen.Kernels.Float;

namespace QuantGen.Nn;

/// <summary>
/// Normalises each sample's channels in <see cref="NumGroups"/> groups, as PyTorch's <c>GroupNorm</c> (<c>weight</c> and
/// <c>bias</c> per channel). Has no int8 kernel here: stays float in a quantized model (a float island).
/// </summary>
public sealed class GroupNorm : Layer
{
    public GroupNorm(int numGroups, int numChannels, float eps = 1e-5f, bool affine = true)
    {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0)
        {
            throw new ArgumentException($"GroupNorm: num_channels={numChannels} must be a positive multiple of num_groups={numGroups}.");
        }
        NumGroups = numGroups;
        NumChannels = numChannels;
        Eps = eps;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Full(1f, numChannels));
            Bias = RegisterParameter("bias", Tensor.Zeros(numChannels));
        }
    }

    public int NumGroups { get; }
    public int NumChannels { get; }
    public float Eps { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }

    protected override Tensor FloatForward(Tensor input)
    {
        if (input.Rank < 2 || input.Size(1) != NumChannels) throw InputShapeError($"[N, {NumChannels}, *]", input);
        int pixels = input.Length / (input.Size(0) * NumChannels);
        if (!GradMode.Records(input, Weight, Bias))
        {
            var output = Tensor.Uninitialized(input.Shape);
            NormalizationKernels.GroupNorm(input.Data, NumChannels, pixels, NumGroups, Weight?.Data, Bias?.Data, Eps, output.Data);
            return output;
        }
        // The same arithmetic as recorded ops: a layer norm per group, then the per-channel affine map.
        var rows = input.Reshape(input.Size(0) * NumGroups, -1);
        var normalized = Functional.LayerNorm(rows, rows.Size(1), null, null, Eps).Reshape(input.Shape.ToArray());
        if (Weight is not null) normalized = ChannelScaling.Multiply(normalized, Weight, axis: 1);
        if (Bias is not null) normalized = ChannelScaling.Add(normalized, Bias, axis: 1);
        return normalized;
    }

    protected override string ExtraRepr() => $"{NumGroups}, {NumChannels}, eps={Eps}, affine={Weight is not null}";
}
