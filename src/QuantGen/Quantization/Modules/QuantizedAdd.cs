using QuantGen.Compiled;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>A residual add in int8: both inputs requantized to the output's scale, as PyTorch's quantized add.</summary>
/// <remarks>
/// It runs the generated pass's kernel (<see cref="CompiledAdd"/>), made for the first inputs' qparams and again when
/// they change; inputs stored channels-last give an output stored so.
/// </remarks>
public sealed class QuantizedAdd(ActivationQParams output) : Module, IBinaryModule
{
    private Built<(ActivationQParams A, ActivationQParams B), CompiledAdd>? compiled;

    public ActivationQParams Output { get; } = output;

    public Tensor Forward(Tensor a, Tensor b)
    {
        QuantizedInput.Require(a, this, "QuantizedAdd");
        QuantizedInput.Require(b, this, "QuantizedAdd");
        RequireSupportedScales(Path, a.QParams(), b.QParams(), Output);
        var values = GC.AllocateUninitializedArray<byte>(a.Length);
        if (EagerKernels.Reference)
        {
            QAdd.Forward(a.QuantizedData, a.QParams(), b.QuantizedData, b.QParams(), Output, default, values);
            return Tensor.FromQuantized(a.Shape, values, Output.Scale, Output.ZeroPoint);
        }

        // Element by element, so any order both share will do: channels-last if either is stored so (the other is transposed).
        bool channelsLast = (a.IsChannelsLast || b.IsChannelsLast) && a.Shape == b.Shape;
        KernelFor(a.QParams(), b.QParams()).Forward(Bytes(a, channelsLast), Bytes(b, channelsLast), values);
        return channelsLast ? Tensor.FromChannelsLast(a.Shape, values, Output.Scale, Output.ZeroPoint) : Tensor.FromQuantized(a.Shape, values, Output.Scale, Output.ZeroPoint);

        static byte[] Bytes(Tensor x, bool channelsLast) => channelsLast ? x.QuantizedChannelsLast() : x.QuantizedData;
    }

    private CompiledAdd KernelFor(ActivationQParams a, ActivationQParams b)
    {
        if (compiled is { } built && built.Key == (a, b)) return built.Kernel;
        compiled = new((a, b), CompiledAdd.For(a, b, Output));
        return compiled.Kernel;
    }

    /// <summary>
    /// Throws unless qnnpack's add can requantize inputs of these scales to <paramref name="output"/>'s: each input
    /// scale over the output scale must lie in [2⁻¹⁴, 2⁸) (<see cref="AddMultipliers"/>), as PyTorch's qnnpack add
    /// requires. Checked before running, so the error names the layer rather than the kernel's argument.
    /// </summary>
    /// <exception cref="QuantizationException">The scales are out of the add's range; the message names the layer.</exception>
    internal static void RequireSupportedScales(string layer, ActivationQParams a, ActivationQParams b, ActivationQParams output)
    {
        try
        {
            AddMultipliers.Create(a.Scale, b.Scale, output.Scale);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new QuantizationException(
                $"'{layer}' (Add) cannot run in int8: its inputs' scales {a.Scale:R} and {b.Scale:R} over its output scale {output.Scale:R} " +
                $"give ratios of {a.Scale / output.Scale:R} and {b.Scale / output.Scale:R}, but qnnpack's add takes ratios in [2^-14, 2^8) " +
                "with at least one of 2^-10 or more: the output's range is far wider or narrower than its inputs'. Calibrate with data " +
                "representative of what the model will see, then convert again; for a model loaded from a .qgm file, save it again with QgmFile.Save.");
        }
    }

    protected override string ExtraRepr() => $"scale={Output.Scale}, zero_point={Output.ZeroPoint}";
}
