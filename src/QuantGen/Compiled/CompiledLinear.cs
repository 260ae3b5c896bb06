using QuantGen.Kernels;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>One converted linear layer, as <see cref="CompiledConv2d"/>: weights, int32 bias and qparams fixed at convert.</summary>
public sealed class CompiledLinear
{
    private readonly int inFeatures, outFeatures;
    private readonly sbyte[] weight;
    private readonly WeightQParams weightQ;
    private readonly int[] bias;
    private readonly ActivationQParams inputQ;
    private readonly FusedActivation activation;

    private CompiledLinear(QuantizedLinear layer, ActivationQParams inputQ, FusedActivation activation)
    {
        inFeatures = layer.Source.InFeatures;
        outFeatures = layer.Source.OutFeatures;
        weight = layer.Weight;
        weightQ = layer.WeightQParams;
        this.inputQ = inputQ;
        this.activation = activation;
        Output = layer.Output;
        bias = CompiledBias.For(layer.Bias, inputQ, weightQ);
    }

    /// <summary>The output's qparams.</summary>
    public ActivationQParams Output { get; }

    /// <summary>The int8 form of the linear layer at <paramref name="path"/>, checked against the generated code's constants.</summary>
    public static CompiledLinear Create(Module model, string path, ActivationQParams input, int inFeatures, int outFeatures, FusedActivation activation)
    {
        var layer = CompiledModel.Substitute<QuantizedLinear>(model, path, "Linear");
        CompiledModel.Check(path, "the input features", inFeatures, layer.Source.InFeatures);
        CompiledModel.Check(path, "the output features", outFeatures, layer.Source.OutFeatures);
        CompiledModel.Check(path, "the fused activation ([Fuse])", activation, layer.Source.Activation);
        return new CompiledLinear(layer, input, activation);
    }

    /// <summary>One sample: quint8 [inFeatures] → quint8 [outFeatures].</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output) =>
        QLinear.Forward(input, inputQ, weight, weightQ, bias, 1, inFeatures, outFeatures, Output, activation, output);
}
