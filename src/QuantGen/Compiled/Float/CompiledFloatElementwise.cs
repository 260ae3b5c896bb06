using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Nn;

namespace QuantGen.Compiled;

/// <summary>ReLU or ReLU6 in a generated float pass, not fused into a layer. Stateless: shared by every fork and thread.</summary>
public sealed class CompiledFloatClamp
{
    private readonly float min, max;

    private CompiledFloatClamp(float min, float max) => (this.min, this.max) = (min, max);

    public static CompiledFloatClamp Relu() => new(0f, float.PositiveInfinity);

    public static CompiledFloatClamp Relu6() => new(0f, 6f);

    public CompiledFloatClamp Fork() => this;

    public void Forward(ReadOnlySpan<float> input, Span<float> output) => ElementwiseKernels.Clamp(input, min, max, output);
}

/// <summary>A residual add in a generated float pass, or <c>FloatFunctional.AddRelu</c>'s add and ReLU. Stateless: shared by every fork and thread.</summary>
public sealed class CompiledFloatAdd
{
    private static readonly CompiledFloatAdd Plain = new(relu: false), WithRelu = new(relu: true);

    private readonly bool relu;

    private CompiledFloatAdd(bool relu) => this.relu = relu;

    public static CompiledFloatAdd Create() => Plain;

    /// <summary>relu(a + b), as PyTorch's <c>add_relu</c>.</summary>
    public static CompiledFloatAdd CreateRelu() => WithRelu;

    public CompiledFloatAdd Fork() => this;

    public void Forward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        ElementwiseKernels.Add(a, b, output);
        if (relu) ElementwiseKernels.Clamp(output, 0f, float.PositiveInfinity, output);
    }
}

/// <summary>
/// A pointwise activation (Hardswish, Sigmoid, …, SiLU, GELU) in a generated float pass: the module's own float
/// function. Shared by every fork and thread.
/// </summary>
public sealed class CompiledFloatPointwise
{
    private readonly Func<float, float> function;

    private CompiledFloatPointwise(Func<float, float> function) => this.function = function;

    public static CompiledFloatPointwise Create<TLayer>(Module model, string path)
        where TLayer : PointwiseActivation => new(CompiledModel.Layer<TLayer>(model, path).Apply);

    /// <summary>A SiLU or GELU, which int8 runs as a float island.</summary>
    public static CompiledFloatPointwise Island<TLayer>(Module model, string path)
        where TLayer : Layer => new(CompiledFloatActivation.FunctionOf(CompiledModel.Layer<TLayer>(model, path)));

    public CompiledFloatPointwise Fork() => this;

    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        for (int i = 0; i < input.Length; i++) output[i] = function(input[i]);
    }
}

/// <summary>A BatchNorm2d or BatchNorm1d no <c>[Fuse]</c> folds, in a generated float pass: eval's per-channel scale and shift, taken once.</summary>
public sealed class CompiledFloatBatchNorm
{
    private readonly float[] scale, shift;
    private readonly int channels, pixels;
    private readonly FusedActivation activation;

    private CompiledFloatBatchNorm(float[] scale, float[] shift, int channels, int pixels, FusedActivation activation) =>
        (this.scale, this.shift, this.channels, this.pixels, this.activation) = (scale, shift, channels, pixels, activation);

    /// <summary>The BatchNorm at <paramref name="path"/>; <paramref name="activation"/> the ReLU <c>[Fuse("BN", "ReLU")]</c> fuses into it.</summary>
    public static CompiledFloatBatchNorm Create(Module model, string path, int channels, int pixels, FusedActivation activation = FusedActivation.None)
    {
        var bn = CompiledModel.Layer<BatchNorm>(model, path);
        CompiledModel.Check(path, "the channels", channels, bn.NumFeatures);
        var (scale, shift) = Functional.BatchNormCoefficients(bn.RunningMean, bn.RunningVar, bn.Weight, bn.Bias, bn.Eps);
        return new CompiledFloatBatchNorm(scale, shift, channels, pixels, activation);
    }

    public CompiledFloatBatchNorm Fork() => this;

    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        ElementwiseKernels.ScaleShiftChannels(input, scale, shift, batch, channels, pixels, output);
        FloatActivation.Apply(activation, output);
    }
}
