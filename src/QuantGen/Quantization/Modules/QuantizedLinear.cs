using QuantGen.Compiled;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>A linear layer in int8 (PyTorch's quantized <c>Linear</c>/<c>LinearReLU</c>).</summary>
/// <remarks>It runs the generated pass's kernel (<see cref="CompiledLinear"/>), built for the first input's qparams and again when they change.</remarks>
public sealed class QuantizedLinear : QuantizedWeightLayer
{
    private Built<(ActivationQParams Input, Int8KernelPath Path), KernelPool<CompiledLinear>>? compiled;

    internal QuantizedLinear(Linear source, sbyte[] weight, WeightQParams weightQParams, ActivationQParams output)
        : base(weight, weightQParams, source.Bias)
    {
        Source = source;
        Output = output;
    }

    [field: NotAChild]
    public Linear Source { get; }

    internal override Tensor FloatWeight => Source.Weight;

    public ActivationQParams Output { get; }

    public override Tensor Forward(Tensor input)
    {
        QuantizedInput.Require(input, this, "QuantizedLinear");
        if (input.Rank < 1 || input.Size(-1) != Source.InFeatures) throw new ShapeMismatchException(Describe(), $"[*, {Source.InFeatures}]", input.Shape);
        int rows = input.Length / Source.InFeatures;
        var values = GC.AllocateUninitializedArray<byte>(rows * Source.OutFeatures);
        if (EagerKernels.Reference)
        {
            QLinear.Forward(input.QuantizedData, input.QParams(), Weight, WeightQParams, QuantizedBiasFor(input.QuantScale),
                rows, Source.InFeatures, Source.OutFeatures, Output, Source.Activation, values);
        }
        else
        {
            using var linear = KernelsFor(input.QParams(), rows).Rent();
            linear.Kernel.Forward(input.QuantizedData, values);
        }
        int[] dims = input.Shape.ToArray();
        dims[^1] = Source.OutFeatures;
        return Tensor.FromQuantized(new Shape(dims), values, Output.Scale, Output.ZeroPoint);
    }

    /// <summary>The compiled layer for inputs under <paramref name="inputQ"/>, built again when they or the kernel path change.</summary>
    private KernelPool<CompiledLinear> KernelsFor(ActivationQParams inputQ, int rows)
    {
        var key = (inputQ, Int8KernelPaths.Current);
        if (compiled is { } built && built.Key == key) return built.Kernel;

        var pool = new KernelPool<CompiledLinear>(CompiledLinear.For(this, inputQ, rows), linear => linear.Fork());
        compiled = new(key, pool);
        return pool;
    }

    protected override string ExtraRepr() =>
        $"in_features={Source.InFeatures}, out_features={Source.OutFeatures}, scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}
