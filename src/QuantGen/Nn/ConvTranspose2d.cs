using QuantGen.Autograd;
using QuantGen.Kernels;
using QuantGen.Kernels.Float;

namespace QuantGen.Nn;

/// <summary>
/// 2-D transposed convolution over NCHW input (the decoder's upsampling convolution), with PyTorch's arguments in
/// PyTorch's order and its state dict names: <c>weight</c> [in, out / groups, kH, kW], <c>bias</c> [out].
/// </summary>
public class ConvTranspose2d : Layer
{
    public ConvTranspose2d(
        int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1,
        bool bias = true, int dilation = 1)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (outputPadding, outputPadding), groups, bias,
            (dilation, dilation))
    {
    }

    public ConvTranspose2d(
        int inChannels, int outChannels, (int Height, int Width) kernelSize, (int Height, int Width) stride, (int Height, int Width) padding,
        (int Height, int Width) outputPadding, int groups, bool bias, (int Height, int Width) dilation)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        Groups = groups;
        Dilation = dilation;
        // The geometry of a one-pixel input checks every argument as PyTorch does.
        if (GeometryOf(1, 1, 1).Problem() is string problem && !problem.StartsWith("the output", StringComparison.Ordinal))
        {
            throw new ArgumentException($"ConvTranspose2d: {problem}.");
        }

        // PyTorch's fan-in for a transposed convolution is weight.size(1)·kH·kW: the output channels per group.
        int fanIn = outChannels / groups * kernelSize.Height * kernelSize.Width;
        Weight = RegisterParameter("weight", Tensor.Zeros(inChannels, outChannels / groups, kernelSize.Height, kernelSize.Width));
        Init.DefaultUniform(Weight, fanIn);
        if (bias)
        {
            Bias = RegisterParameter("bias", Tensor.Zeros(outChannels));
            Init.DefaultUniform(Bias, fanIn);
        }
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public (int Height, int Width) KernelSize { get; }
    public (int Height, int Width) Stride { get; }
    public (int Height, int Width) Padding { get; }
    public (int Height, int Width) OutputPadding { get; }
    public int Groups { get; }
    public (int Height, int Width) Dilation { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; private set; }

    /// <summary>True once a BatchNorm has been folded into the weights.</summary>
    public bool HasFoldedBatchNorm { get; private set; }

    /// <summary>
    /// Folds an eval-mode BatchNorm into the weight and bias, as PyTorch's <c>fuse_conv_bn_weights(…, transpose=True)</c>
    /// (<see cref="BatchNorm.Folding"/>): each output channel's weights lie along axis 1 of the weight, per group.
    /// </summary>
    internal void FoldBatchNorm(BatchNorm2d bn)
    {
        Tensor bias = MarkBatchNormFolded();
        FoldBatchNorm(Weight.Data, bias.Data, bn, InChannels, Groups);
        Weight.MarkModified();
        bias.MarkModified();
    }

    /// <summary>
    /// The structural half of a fold: registers the bias the fold needs if the layer has none, and marks the fold. A
    /// model file restores a folded layer with this alone; its folded values come from the file.
    /// </summary>
    internal Tensor MarkBatchNormFolded()
    {
        if (Bias is null)
        {
            Bias = RegisterParameter("bias", Tensor.Zeros(OutChannels));
            BiasAddedByFolding = true;
        }
        HasFoldedBatchNorm = true;
        return Bias;
    }

    /// <summary>True when the layer was built without a bias and a fold added one (a model file's structure leaves it out).</summary>
    internal bool BiasAddedByFolding { get; private set; }

    /// <summary>The fold of <paramref name="bn"/> into a weight [inChannels, outChannels / groups, kH, kW] and its bias (one per output channel).</summary>
    internal static void FoldBatchNorm(Span<float> weight, Span<float> bias, BatchNorm bn, int inChannels, int groups)
    {
        int outChannels = bias.Length, outPerGroup = outChannels / groups, taps = weight.Length / (inChannels * outPerGroup);
        var scales = new float[outChannels];
        for (int c = 0; c < outChannels; c++) (scales[c], bias[c]) = bn.Folding(c, bias[c]);
        for (int ic = 0; ic < inChannels; ic++)
        {
            int group = ic / (inChannels / groups);
            for (int ocg = 0; ocg < outPerGroup; ocg++)
            {
                float scale = scales[group * outPerGroup + ocg];
                foreach (ref float w in weight.Slice((ic * outPerGroup + ocg) * taps, taps)) w *= scale;
            }
        }
    }

    /// <summary>The transposed convolution this module performs on an input of the given shape; checks the shape.</summary>
    public ConvTransposeGeometry GeometryFor(Tensor input)
    {
        if (input.Rank != 4 || input.Size(1) != InChannels) throw InputShapeError($"[N, {InChannels}, H, W]", input);
        var geometry = GeometryOf(input.Size(0), input.Size(2), input.Size(3));
        if (geometry.OutHeight <= 0 || geometry.OutWidth <= 0)
        {
            throw InputShapeError($"[N, {InChannels}, H, W] large enough for an output of at least 1×1 (this one gives {geometry.OutHeight}×{geometry.OutWidth})", input);
        }
        return geometry;
    }

    private ConvTransposeGeometry GeometryOf(int batch, int height, int width) => new(
        batch, InChannels, height, width, OutChannels, KernelSize.Height, KernelSize.Width, Stride.Height, Stride.Width,
        Padding.Height, Padding.Width, OutputPadding.Height, OutputPadding.Width, Dilation.Height, Dilation.Width, Groups);

    protected override Tensor FloatForward(Tensor input)
    {
        var geometry = GeometryFor(input);
        var output = Tensor.Uninitialized(new Shape(geometry.Batch, OutChannels, geometry.OutHeight, geometry.OutWidth));
        FloatConvTranspose2d.Forward(geometry, input.Data, Weight.Data, Bias?.Data, output.Data);
        return GradMode.Records(input, Weight, Bias) ? ConvTransposeGrad.Record(output, input, Weight, Bias, geometry) : output;
    }

    protected override string ExtraRepr()
    {
        var text = $"{InChannels}, {OutChannels}, kernel_size={Pair(KernelSize)}, stride={Pair(Stride)}";
        if (Padding != (0, 0)) text += $", padding={Pair(Padding)}";
        if (OutputPadding != (0, 0)) text += $", output_padding={Pair(OutputPadding)}";
        if (Dilation != (1, 1)) text += $", dilation={Pair(Dilation)}";
        if (Groups != 1) text += $", groups={Groups}";
        if (Bias is null) text += ", bias=False";
        return text;
    }

    private static string Pair((int A, int B) value) => $"({value.A}, {value.B})";
}
