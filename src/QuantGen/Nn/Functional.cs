using QuantGen.Autograd;
using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Kernels.Reference;

namespace QuantGen.Nn;

/// <summary>
/// Stateless float operations, as <c>torch.nn.functional</c>. Each allocates its output (uninitialised: the
/// kernels write every value); the modules in this namespace check shapes and call these. Each records its
/// gradient when grad mode is on and an input requires grad (see <see cref="GradMode"/>).
/// </summary>
public static class Functional
{
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry)
    {
        var output = Tensor.Uninitialized(new Shape(geometry.Batch, geometry.OutChannels, geometry.OutHeight, geometry.OutWidth));
        FloatConv2d.Forward(geometry, input.Data, weight.Data, bias is null ? default : bias.Data, output.Data);
        return GradMode.Records(input, weight, bias) ? Conv2dGrad.Record(output, input, weight, bias, geometry) : output;
    }

    /// <summary>Convolution with weights already packed into the kernels' layout (see <see cref="PackedConvWeights"/>).</summary>
    public static Tensor Conv2d(Tensor input, PackedConvWeights weights, Tensor? bias, ConvGeometry geometry)
    {
        var output = Tensor.Uninitialized(new Shape(geometry.Batch, geometry.OutChannels, geometry.OutHeight, geometry.OutWidth));
        FloatConv2d.Forward(geometry, input.Data, weights, bias is null ? default : bias.Data, output.Data);
        return output;
    }

    /// <summary>y = x·Wᵀ + b over the last dimension of <paramref name="input"/>.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias) => Linear(input, weight, bias, packedWeight: null);

    /// <summary>As <see cref="Linear(Tensor, Tensor, Tensor?)"/>, with <paramref name="weight"/> already packed (<see cref="FloatLinear.Pack"/>) when given.</summary>
    internal static Tensor Linear(Tensor input, Tensor weight, Tensor? bias, float[]? packedWeight)
    {
        int outFeatures = weight.Size(0), inFeatures = weight.Size(1);
        int rows = input.Length / inFeatures;
        int[] dims = input.Shape.ToArray();
        dims[^1] = outFeatures;
        var output = Tensor.Uninitialized(new Shape(dims));
        ReadOnlySpan<float> biasValues = bias is null ? default : bias.Data;
        if (packedWeight is null) FloatLinear.Forward(input.Data, weight.Data, biasValues, rows, inFeatures, outFeatures, output.Data);
        else FloatLinear.ForwardPacked(input.Data, packedWeight, biasValues, rows, inFeatures, outFeatures, output.Data);
        return GradMode.Records(input, weight, bias) ? LinearGrad.Record(output, input, weight, bias) : output;
    }

    public static Tensor Relu(Tensor input, bool inplace = false) => Clamp(input, 0f, float.PositiveInfinity, inplace);

    public static Tensor Relu6(Tensor input, bool inplace = false) => Clamp(input, 0f, 6f, inplace);

    /// <summary>
    /// min(max(x, lo), hi); NaN stays NaN, as in PyTorch. In place, it overwrites and returns <paramref name="input"/>,
    /// except while recording gradients: the graph may still need the input, so it writes a new tensor.
    /// </summary>
    public static Tensor Clamp(Tensor input, float min, float max, bool inplace = false)
    {
        if (input.IsQuantized) return QuantizedFunctional.Clamp(input, min, max, inplace);
        if (GradMode.Records(input))
        {
            var result = Tensor.Uninitialized(input.Shape);
            ElementwiseKernels.Clamp(input.Data, min, max, result.Data);
            return ElementwiseGrad.RecordClamp(result, input, min, max);
        }
        var output = inplace ? input : Tensor.Uninitialized(input.Shape);
        ElementwiseKernels.Clamp(input.Data, min, max, output.Data);
        if (inplace) input.MarkModified();
        return output;
    }

    /// <summary>Element-wise <paramref name="a"/> + <paramref name="b"/> of equal shapes (a residual add).</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        if (a.IsQuantized || b.IsQuantized)
        {
            throw new InvalidOperationException("Quantized tensors are added by an Add module (it owns the output's scale): use one in Forward rather than '+'.");
        }
        if (a.Shape != b.Shape)
        {
            throw new ShapeMismatchException($"Cannot add tensors of shapes {a.Shape} and {b.Shape}: a residual add needs equal shapes.");
        }
        var output = Tensor.Uninitialized(a.Shape);
        ElementwiseKernels.Add(a.Data, b.Data, output.Data);
        return GradMode.Records(a, b) ? ElementwiseGrad.RecordAdd(output, a, b) : output;
    }

    /// <summary>
    /// Element-wise <paramref name="a"/> + <paramref name="b"/>, broadcast as PyTorch's <c>torch.add</c> (what
    /// <see cref="FloatFunctional.Add"/> runs; <see cref="Add(Tensor, Tensor)"/> is the residual add of equal shapes).
    /// </summary>
    internal static Tensor AddBroadcast(Tensor a, Tensor b, string op)
    {
        RequireFloat(a, b, op);
        if (a.Shape == b.Shape) return Add(a, b);
        Shape shape = Broadcasting.Of(a.Shape, b.Shape, op);
        var (ai, bi) = Broadcasting.Indices(a.Shape, b.Shape, shape);
        var output = Tensor.Uninitialized(shape);
        float[] x = a.Data, y = b.Data, sum = output.Data;
        for (int o = 0; o < sum.Length; o++) sum[o] = x[ai[o]] + y[bi[o]];
        return GradMode.Records(a, b) ? BroadcastGrad.RecordAdd(output, a, b, ai, bi) : output;
    }

    /// <summary>Element-wise <paramref name="a"/> · <paramref name="b"/>, broadcast as PyTorch's <c>torch.mul</c> (a squeeze-excite gate [N, C, 1, 1] times [N, C, H, W]).</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        RequireFloat(a, b, "Mul");
        Shape shape = Broadcasting.Of(a.Shape, b.Shape, "Mul");
        var (ai, bi) = Broadcasting.Indices(a.Shape, b.Shape, shape);
        var output = Tensor.Uninitialized(shape);
        float[] x = a.Data, y = b.Data, product = output.Data;
        for (int o = 0; o < product.Length; o++) product[o] = x[ai[o]] * y[bi[o]];
        return GradMode.Records(a, b) ? BroadcastGrad.RecordMul(output, a, b, ai, bi) : output;
    }

    /// <summary>Concatenates <paramref name="tensors"/> along <paramref name="dim"/> (negative counts from the end), as <c>torch.cat</c>.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ShapeMismatchException("Cat needs at least one tensor.");
        var inputs = new Tensor[tensors.Count];
        var shapes = new Shape[tensors.Count];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = tensors[i] ?? throw new ArgumentNullException(nameof(tensors), $"Cat: tensor {i} is null.");
            if (inputs[i].IsQuantized) throw new InvalidOperationException("Quantized tensors are concatenated by a FloatFunctional (it owns the output's scale): call its Cat.");
            shapes[i] = inputs[i].Shape;
        }
        int axis = dim < 0 ? dim + shapes[0].Rank : dim;
        Shape shape = QCat.OutputShape(shapes, axis);
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        var output = Tensor.Uninitialized(shape);
        int at = 0;
        for (int row = 0; row < outer; row++)
        {
            foreach (Tensor input in inputs)
            {
                int block = input.Length / outer;
                input.Data.AsSpan(row * block, block).CopyTo(output.Data.AsSpan(at));
                at += block;
            }
        }
        bool records = false;
        foreach (Tensor input in inputs) records |= GradMode.Records(input);
        return records ? BroadcastGrad.RecordCat(output, inputs, outer) : output;
    }

    private static void RequireFloat(Tensor a, Tensor b, string op)
    {
        if (a.IsQuantized || b.IsQuantized)
        {
            throw new InvalidOperationException($"Quantized tensors go through a FloatFunctional's {op} (it owns the output's scale), not Functional.{op}.");
        }
    }

    /// <summary>Flattens dimensions <paramref name="startDim"/> to the last into one (storage shared).</summary>
    public static Tensor Flatten(Tensor input, int startDim = 1)
    {
        int rank = input.Rank;
        if (startDim < 0) startDim += rank;
        if (startDim < 0 || startDim >= Math.Max(rank, 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startDim), $"Cannot flatten {input.Shape} from dimension {startDim}.");
        }
        int[] dims = new int[startDim + 1];
        for (int i = 0; i < startDim; i++) dims[i] = input.Size(i);
        dims[startDim] = -1;
        return input.Length == 0 ? new Tensor(new Shape([.. dims[..startDim], 0])) : input.Reshape(dims);
    }

    /// <summary>Eval-mode batch norm: y = x·α + β per channel (see <see cref="BatchNormCoefficients"/>).</summary>
    public static Tensor BatchNormInference(Tensor input, Tensor mean, Tensor variance, Tensor? weight, Tensor? bias, float eps)
    {
        var (scale, shift) = BatchNormCoefficients(mean, variance, weight, bias, eps);
        return ScaleShiftChannels(input, scale, shift);
    }

    /// <summary>
    /// Batch norm as a per-channel affine map, in PyTorch 1.13's CPU order (<c>batch_norm_cpu_collect_linear_and_constant_terms</c>,
    /// built for AVX2, where the compiler fuses a multiply into the add after it): α = (1 / √(var + ε))·γ in float32,
    /// β = fma(−mean, α, b). With y = fma(x, α, β) these are PyTorch's output bits, which observers downstream see.
    /// </summary>
    public static (float[] Scale, float[] Shift) BatchNormCoefficients(Tensor mean, Tensor variance, Tensor? weight, Tensor? bias, float eps)
    {
        int channels = mean.Length;
        var scale = new float[channels];
        var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            float alpha = 1f / MathF.Sqrt(variance.Data[c] + eps) * (weight?.Data[c] ?? 1f);
            scale[c] = alpha;
            shift[c] = MathF.FusedMultiplyAdd(-mean.Data[c], alpha, bias?.Data[c] ?? 0f);
        }
        return (scale, shift);
    }

    /// <summary>y[n, c, …] = x[n, c, …]·scale[c] + shift[c].</summary>
    public static Tensor ScaleShiftChannels(Tensor input, float[] scale, float[] shift)
    {
        int channels = input.Size(1);
        int plane = input.Length / (input.Size(0) * channels);
        var output = Tensor.Uninitialized(input.Shape);
        ElementwiseKernels.ScaleShiftChannels(input.Data, scale, shift, input.Size(0), channels, plane, output.Data);
        return output;
    }

    public static Tensor MaxPool2d(Tensor input, PoolGeometry geometry)
    {
        if (input.IsQuantized) return QuantizedFunctional.MaxPool2d(input, geometry);
        var output = Tensor.Uninitialized(new Shape(input.Size(0), input.Size(1), geometry.OutHeight, geometry.OutWidth));
        PoolingKernels.MaxPool(geometry, input.Data, output.Data);
        return GradMode.Records(input) ? PoolingGrad.RecordMax(output, input, geometry) : output;
    }

    public static Tensor AvgPool2d(Tensor input, PoolGeometry geometry, bool countIncludePad = true)
    {
        if (input.IsQuantized) return QuantizedFunctional.AvgPool2d(input, geometry, countIncludePad);
        var output = Tensor.Uninitialized(new Shape(input.Size(0), input.Size(1), geometry.OutHeight, geometry.OutWidth));
        PoolingKernels.AvgPool(geometry, countIncludePad, input.Data, output.Data);
        return GradMode.Records(input) ? PoolingGrad.RecordAverage(output, input, geometry, countIncludePad) : output;
    }

    /// <summary>Average pooling to a fixed output size; bins as PyTorch computes them (floor start, ceil end).</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outHeight, int outWidth)
    {
        if (input.Rank != 4) throw new ShapeMismatchException($"AdaptiveAvgPool2d expects [N, C, H, W], got {input.Shape}.");
        if (input.IsQuantized) return QuantizedFunctional.AdaptiveAvgPool2d(input, outHeight, outWidth);
        var output = Tensor.Uninitialized(new Shape(input.Size(0), input.Size(1), outHeight, outWidth));
        PoolingKernels.AdaptiveAvgPool(input.Size(0) * input.Size(1), input.Size(2), input.Size(3), outHeight, outWidth, input.Data, output.Data);
        return GradMode.Records(input) ? PoolingGrad.RecordAdaptiveAverage(output, input, outHeight, outWidth) : output;
    }

    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputSize) => AdaptiveAvgPool2d(input, outputSize, outputSize);

    /// <summary>
    /// Upsamples NCHW input to <paramref name="size"/> (height and width) or by <paramref name="scaleFactor"/>, as PyTorch's
    /// <c>interpolate</c> with mode nearest or bilinear (see <see cref="Upsample"/>); a quantized input keeps its qparams.
    /// </summary>
    public static Tensor Interpolate(Tensor input, int? size = null, double? scaleFactor = null, UpsampleMode mode = UpsampleMode.Nearest, bool? alignCorners = null)
    {
        Interpolation.Check(size is int s ? (s, s) : null, scaleFactor, mode, alignCorners, "Interpolate");
        if (input.Rank != 4) throw new ShapeMismatchException($"Interpolate expects [N, C, H, W], got {input.Shape}.");
        return Interpolation.Run(input, size is int t ? (t, t) : null, scaleFactor, mode, alignCorners ?? false);
    }

    /// <summary>Average pooling of [N, C, L] to length <paramref name="outputSize"/>: the 2-D pool over one row, as PyTorch computes it.</summary>
    public static Tensor AdaptiveAvgPool1d(Tensor input, int outputSize)
    {
        if (input.Rank != 3) throw new ShapeMismatchException($"AdaptiveAvgPool1d expects [N, C, L], got {input.Shape}.");
        var row = AdaptiveAvgPool2d(input.Reshape(input.Size(0), input.Size(1), 1, input.Size(2)), 1, outputSize);
        return row.Reshape(input.Size(0), input.Size(1), outputSize);
    }

    /// <summary>Softmax along <paramref name="dim"/>, computed stably (max subtracted).</summary>
    public static Tensor Softmax(Tensor input, int dim)
    {
        var (outer, size, inner) = SplitAround(input.Shape, dim);
        var output = Tensor.Uninitialized(input.Shape);
        NormalizationKernels.Softmax(input.Data, outer, size, inner, output.Data);
        return GradMode.Records(input) ? NormalizationGrad.RecordSoftmax(output, input, outer, size, inner) : output;
    }

    /// <summary>Log-softmax along <paramref name="dim"/>: x − max − log Σ exp(x − max), stable for large logits.</summary>
    public static Tensor LogSoftmax(Tensor input, int dim)
    {
        var (outer, size, inner) = SplitAround(input.Shape, dim);
        var output = Tensor.Uninitialized(input.Shape);
        NormalizationKernels.LogSoftmax(input.Data, outer, size, inner, output.Data);
        return GradMode.Records(input) ? NormalizationGrad.RecordLogSoftmax(output, input, outer, size, inner) : output;
    }

    /// <summary>Layer norm over the trailing <paramref name="normalizedCount"/> values of each row (biased variance).</summary>
    public static Tensor LayerNorm(Tensor input, int normalizedCount, Tensor? weight, Tensor? bias, float eps)
    {
        var output = Tensor.Uninitialized(input.Shape);
        NormalizationKernels.LayerNorm(input.Data, normalizedCount, weight?.Data, bias?.Data, eps, output.Data);
        return GradMode.Records(input, weight, bias) ? NormalizationGrad.RecordLayerNorm(output, input, normalizedCount, weight, bias, eps) : output;
    }

    /// <summary>
    /// The mean along <paramref name="dim"/> (negative counts from the end), as <c>torch.mean(input, dim, keepdim)</c>: the
    /// dimension removed, or kept with size 1. Summed in PyTorch 1.13's order (see <see cref="ReductionKernels.CascadeSum"/>)
    /// and divided by the count, so a mean over any dimension but the last equals PyTorch's bit for bit.
    /// </summary>
    public static Tensor Mean(Tensor input, int dim, bool keepDim = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.IsQuantized) throw new InvalidOperationException($"Mean runs on float tensors; {input} is quantized: dequantize it first (DeQuantStub).");
        var (outer, size, inner) = SplitAround(input.Shape, dim);
        if (size == 0) throw new ShapeMismatchException($"Mean along dimension {dim} of {input.Shape}: the dimension is empty.");
        int axis = dim < 0 ? dim + input.Rank : dim;
        int[] dims = input.Shape.ToArray();
        var output = Tensor.Uninitialized(new Shape(keepDim ? [.. dims[..axis], 1, .. dims[(axis + 1)..]] : [.. dims[..axis], .. dims[(axis + 1)..]]));
        ReductionKernels.Mean(input.Data, outer, size, inner, output.Data);
        return GradMode.Records(input) ? ReductionGrad.RecordMean(output, input, outer, size, inner) : output;
    }

    /// <summary>Sizes before, at, and after one axis: the loop bounds of a reduction along it.</summary>
    internal static (int Outer, int Size, int Inner) SplitAround(Shape shape, int dim)
    {
        int rank = shape.Rank;
        if (dim < 0) dim += rank;
        if ((uint)dim >= (uint)rank) throw new ArgumentOutOfRangeException(nameof(dim), $"Dimension {dim} is out of range for shape {shape}.");
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < rank; i++) inner *= shape[i];
        return (outer, shape[dim], inner);
    }
}
