using QuantGen.Autograd;
using QuantGen.Kernels;
using QuantGen.Kernels.Float;

namespace QuantGen.Nn;

/// <summary>
/// 2-D convolution over NCHW input, with PyTorch's arguments and state dict names (<c>weight</c>
/// [out, in / groups, kH, kW], <c>bias</c> [out]). Groups cover grouped and depthwise convolution.
/// </summary>
public class Conv2d : Layer
{
    // Packed weights with the weight version they came from: one reference, so threads never see a mix.
    private sealed record PackedAt(PackedConvWeights Weights, int Version);

    private PackedAt? packed;

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, bias)
    {
    }

    public Conv2d(
        int inChannels, int outChannels, (int Height, int Width) kernelSize, (int Height, int Width) stride,
        (int Height, int Width) padding, (int Height, int Width) dilation, int groups = 1, bool bias = true)
        : this(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, oneDimensional: false)
    {
    }

    /// <summary>The constructor proper; <paramref name="oneDimensional"/> (<see cref="Conv1d"/>) drops the weight's kernel height of 1.</summary>
    private protected Conv2d(
        int inChannels, int outChannels, (int Height, int Width) kernelSize, (int Height, int Width) stride,
        (int Height, int Width) padding, (int Height, int Width) dilation, int groups, bool bias, bool oneDimensional)
    {
        Require(inChannels > 0 && outChannels > 0, $"channels must be positive, got in={inChannels}, out={outChannels}");
        Require(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
            $"groups={groups} must divide in_channels={inChannels} and out_channels={outChannels}");
        Require(kernelSize.Height > 0 && kernelSize.Width > 0, $"kernel_size must be positive, got {kernelSize}");
        Require(stride.Height > 0 && stride.Width > 0, $"stride must be positive, got {stride}");
        Require(padding.Height >= 0 && padding.Width >= 0, $"padding must not be negative, got {padding}");
        Require(dilation.Height > 0 && dilation.Width > 0, $"dilation must be positive, got {dilation}");

        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;

        int fanIn = inChannels / groups * kernelSize.Height * kernelSize.Width;
        Weight = RegisterParameter("weight", oneDimensional
            ? Tensor.Zeros(outChannels, inChannels / groups, kernelSize.Width)
            : Tensor.Zeros(outChannels, inChannels / groups, kernelSize.Height, kernelSize.Width));
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
    public (int Height, int Width) Dilation { get; }
    public int Groups { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; private set; }

    /// <summary>The activation fused into this convolution by <c>FuseModules</c>, if any.</summary>
    public FusedActivation Activation { get; internal set; }

    /// <summary>True once a BatchNorm has been folded into the weights.</summary>
    public bool HasFoldedBatchNorm { get; private set; }

    /// <summary>True when the fold registered <see cref="Bias"/>: the float model, built with <c>bias: false</c>, had none.</summary>
    internal bool BiasAddedByFolding { get; private set; }

    /// <summary>
    /// Folds an eval-mode BatchNorm into this convolution's weight and bias, in float32 and in PyTorch's order
    /// (<c>fuse_conv_bn_weights</c>): r = 1/√(var+ε), w·(γ·r) per output channel, b' = (b − mean)·r·γ + β.
    /// The same order gives the same float weights as PyTorch, so the same int8 weights after quantization.
    /// </summary>
    internal void FoldBatchNorm(BatchNorm bn)
    {
        var bias = MarkBatchNormFolded();
        FoldBatchNorm(Weight.Data, bias.Data, bn);
        Weight.MarkModified();
        bias.MarkModified();
    }

    /// <summary>The fold's arithmetic on <paramref name="weight"/> [out, …] and <paramref name="bias"/> [out], in place (also on copies: the generated float pass).</summary>
    internal static void FoldBatchNorm(Span<float> weight, Span<float> bias, BatchNorm bn)
    {
        int outChannels = bias.Length, perChannel = weight.Length / outChannels;
        for (int c = 0; c < outChannels; c++)
        {
            (float scale, bias[c]) = bn.Folding(c, bias[c]);
            foreach (ref float w in weight.Slice(c * perChannel, perChannel)) w *= scale;
        }
    }

    /// <summary>
    /// The structural half of a fold: registers the bias the fold needs if the convolution has none, and marks the
    /// fold. A model file restores a folded convolution with this alone; its folded values come from the file.
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

    /// <summary>The convolution this module performs on an input of the given shape; checks the shape.</summary>
    public virtual ConvGeometry GeometryFor(Tensor input)
    {
        if (input.Rank != 4 || input.Size(1) != InChannels)
        {
            throw InputShapeError($"[N, {InChannels}, H, W]", input);
        }
        var geometry = new ConvGeometry(
            input.Size(0), InChannels, input.Size(2), input.Size(3), OutChannels, KernelSize.Height, KernelSize.Width,
            Stride.Height, Stride.Width, Padding.Height, Padding.Width, Dilation.Height, Dilation.Width, Groups);
        if (geometry.OutHeight <= 0 || geometry.OutWidth <= 0)
        {
            throw InputShapeError(
                $"[N, {InChannels}, H, W] with H + 2·{Padding.Height} ≥ {Dilation.Height * (KernelSize.Height - 1) + 1} and W + 2·{Padding.Width} ≥ {Dilation.Width * (KernelSize.Width - 1) + 1}",
                input);
        }
        return geometry;
    }

    protected override Tensor FloatForward(Tensor input)
    {
        var geometry = GeometryFor(input);
        var output = Functional.Conv2d(input, PackedWeights(geometry), Bias, geometry);
        if (GradMode.Records(input, Weight, Bias)) Conv2dGrad.Record(output, input, Weight, Bias, geometry);
        return Activation.Apply(Shaped(output, geometry));
    }

    /// <summary>The shape of this module's output for <paramref name="geometry"/>: [N, C, H, W] (a <see cref="Conv1d"/>'s has no H).</summary>
    internal virtual Shape OutputShape(in ConvGeometry geometry) =>
        new(geometry.Batch, geometry.OutChannels, geometry.OutHeight, geometry.OutWidth);

    /// <summary>The 2-D convolution's output seen with <see cref="OutputShape"/> (storage shared).</summary>
    internal Tensor Shaped(Tensor output, in ConvGeometry geometry)
    {
        var shape = OutputShape(geometry);
        return output.Shape == shape ? output : output.Reshape(shape.ToArray());
    }

    /// <summary>
    /// The weights in the kernels' layout, packed once and reused while <see cref="Tensor.Version"/> stays the
    /// same (repacking costs about as much as the convolution at batch 1). In training mode the weights
    /// change every step, so they are packed per call.
    /// </summary>
    private PackedConvWeights PackedWeights(in ConvGeometry geometry)
    {
        if (Training) return PackedConvWeights.Pack(geometry, Weight.Data);
        if (packed is { } cached && cached.Version == Weight.Version && cached.Weights.Fits(geometry))
        {
            return cached.Weights;
        }
        var fresh = PackedConvWeights.Pack(geometry, Weight.Data);
        packed = new PackedAt(fresh, Weight.Version);
        return fresh;
    }

    protected override string ExtraRepr()
    {
        var text = $"{InChannels}, {OutChannels}, kernel_size={Pair(KernelSize)}, stride={Pair(Stride)}";
        if (Padding != (0, 0)) text += $", padding={Pair(Padding)}";
        if (Dilation != (1, 1)) text += $", dilation={Pair(Dilation)}";
        if (Groups != 1) text += $", groups={Groups}";
        if (Bias is null) text += ", bias=False";
        return text + Activation.Repr();
    }

    private static string Pair((int A, int B) value) => $"({value.A}, {value.B})";

    private void Require(bool condition, string problem)
    {
        if (!condition) throw new ArgumentException($"{GetType().Name}: {problem}.");
    }
}
