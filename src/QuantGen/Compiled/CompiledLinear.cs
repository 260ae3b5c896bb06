using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>One converted linear layer, as <see cref="CompiledConv2d"/>: an <see cref="Int8Linear"/> packed at convert.</summary>
public sealed class CompiledLinear
{
    private readonly Int8Linear kernel;

    private CompiledLinear(QuantizedLinear layer, ActivationQParams inputQ, FusedActivation activation, int maxBatch)
    {
        Output = layer.Output;
        int[] bias = CompiledBias.For(layer.Bias, inputQ, layer.WeightQParams);
        kernel = new Int8Linear(layer.Weight, layer.WeightQParams, bias, layer.Source.InFeatures, layer.Source.OutFeatures,
            inputQ, Output, activation, maxRows: maxBatch);
    }

    private CompiledLinear(Int8Linear kernel, ActivationQParams output) => (this.kernel, Output) = (kernel, output);

    /// <summary>The output's qparams.</summary>
    public ActivationQParams Output { get; }

    /// <summary>
    /// The int8 form of the linear layer at <paramref name="path"/>, checked against the generated code's constants;
    /// its scratch is sized for <paramref name="maxBatch"/> samples a call.
    /// </summary>
    public static CompiledLinear Create(Module model, string path, ActivationQParams input, int inFeatures, int outFeatures, FusedActivation activation, int maxBatch = 1)
    {
        var layer = CompiledModel.Substitute<QuantizedLinear>(model, path, "Linear");
        CompiledModel.Check(path, "the input features", inFeatures, layer.Source.InFeatures);
        CompiledModel.Check(path, "the output features", outFeatures, layer.Source.OutFeatures);
        CompiledModel.Check(path, "the fused activation ([Fuse])", activation, layer.Source.Activation);
        return For(layer, input, maxBatch);
    }

    /// <summary><paramref name="layer"/>'s int8 form for inputs under <paramref name="input"/>'s qparams: what an eager call builds.</summary>
    internal static CompiledLinear For(QuantizedLinear layer, ActivationQParams input, int maxBatch) =>
        new(layer, input, layer.Source.Activation, maxBatch);

    /// <summary>The same packed weights with row sums of its own (<see cref="Int8Linear.Fork"/>), for another thread.</summary>
    public CompiledLinear Fork() => new(kernel.Fork(), Output);

    /// <summary>Any number of samples: quint8 [batch, inFeatures] → quint8 [batch, outFeatures], one GEMM.</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output) => kernel.Forward(input, output);
}
