using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.IO.Qgm;

/// <summary>What runs in a layer's place after fusion and conversion; named in the file as the substitute's class.</summary>
internal enum SubstituteKind
{
    /// <summary>A layer fused into the one before it (a folded BatchNorm, a fused ReLU): passes its input on.</summary>
    Identity,

    /// <summary>A converted QuantStub: quantizes the float input with calibrated qparams.</summary>
    QuantizeStep,

    /// <summary>A converted DeQuantStub.</summary>
    DequantizeStep,

    QuantizedConv2d,
    QuantizedLinear,
    QuantizedAdd,

    /// <summary>A converted ConvTranspose2d: its int8 weight (per tensor), float bias and output qparams (format version 2).</summary>
    QuantizedConvTranspose2d,

    /// <summary>
    /// A BatchNorm2d converted alone (PyTorch's quantized BatchNorm2d, BNReLU2d with a fused ReLU): its output qparams;
    /// it computes from the float layer's statistics and affine parameters, which the file keeps (format version 2).
    /// </summary>
    QuantizedBatchNorm2d,

    /// <summary>A converted FloatFunctional: its ops in int8, with calibrated output qparams if calibration reached it.</summary>
    QFunctional,

    /// <summary>A converted Hardswish, LeakyReLU or ELU: its table activation with calibrated output qparams.</summary>
    QuantizedPointwise,

    /// <summary>A layer with no int8 kernel: runs in float between a dequantize and a quantize.</summary>
    FloatIsland,

    DynamicQuantizedLinear,

    /// <summary>A layer kept in float (<c>keepFloat</c>, <c>[KeepFloat]</c>): its float state, and the qparams its output is quantized with (format version 2).</summary>
    KeptFloatLayer,

    /// <summary>A layer calibration never reached (no observed range): refuses to run, saying why.</summary>
    UncalibratedLayer,
}

internal static class SubstituteKinds
{
    private static readonly Dictionary<string, SubstituteKind> ByName =
        Enum.GetValues<SubstituteKind>().ToDictionary(k => k.ToString(), StringComparer.Ordinal);

    public static string Names => string.Join(", ", ByName.Keys);

    public static bool TryParse(string name, out SubstituteKind kind) => ByName.TryGetValue(name, out kind);

    /// <summary>The kind of <paramref name="substitute"/>, or null for a module .qgm does not know how to store.</summary>
    public static SubstituteKind? Of(Module substitute) => substitute switch
    {
        Identity => SubstituteKind.Identity,
        QuantizeStep => SubstituteKind.QuantizeStep,
        DequantizeStep => SubstituteKind.DequantizeStep,
        QuantizedConv2d => SubstituteKind.QuantizedConv2d,
        QuantizedLinear => SubstituteKind.QuantizedLinear,
        QuantizedAdd => SubstituteKind.QuantizedAdd,
        QuantizedConvTranspose2d => SubstituteKind.QuantizedConvTranspose2d,
        QuantizedBatchNorm2d => SubstituteKind.QuantizedBatchNorm2d,
        QFunctional => SubstituteKind.QFunctional,
        QuantizedPointwise => SubstituteKind.QuantizedPointwise,
        FloatIsland => SubstituteKind.FloatIsland,
        KeptFloatLayer => SubstituteKind.KeptFloatLayer,
        DynamicQuantizedLinear => SubstituteKind.DynamicQuantizedLinear,
        UncalibratedLayer => SubstituteKind.UncalibratedLayer,
        _ => null,
    };

    /// <summary>Whether a layer of this type can have this substitute (a QuantizedConv2d stands in for a Conv2d only).</summary>
    public static bool Fits(this SubstituteKind kind, Layer layer) => kind switch
    {
        SubstituteKind.QuantizeStep => layer is QuantStub,
        SubstituteKind.DequantizeStep => layer is DeQuantStub,
        SubstituteKind.QuantizedConv2d => layer is Conv2d,
        SubstituteKind.QuantizedLinear or SubstituteKind.DynamicQuantizedLinear => layer is Linear,
        SubstituteKind.QuantizedAdd => layer is Add,
        SubstituteKind.QuantizedConvTranspose2d => layer is ConvTranspose2d,
        SubstituteKind.QuantizedBatchNorm2d => layer is BatchNorm2d,
        SubstituteKind.QFunctional => layer is FloatFunctional,
        SubstituteKind.QuantizedPointwise => layer is PointwiseActivation { FixedOutput: null },
        _ => true,
    };

    /// <summary>
    /// True when the substitute makes the layer's float parameters unused, so the file leaves them out: int8
    /// layers store their weights quantized, and a fused-away BatchNorm lives on in its convolution. A float island and
    /// a quantized BatchNorm2d compute from the float layer's state.
    /// </summary>
    public static bool ReplacesFloatState(this SubstituteKind kind) =>
        kind is not (SubstituteKind.FloatIsland or SubstituteKind.KeptFloatLayer or SubstituteKind.QuantizedBatchNorm2d);

    /// <summary>True for the int8 layers with a quantized weight, its qparams and a float bias.</summary>
    public static bool HasQuantizedWeight(this SubstituteKind kind) =>
        kind is SubstituteKind.QuantizedConv2d or SubstituteKind.QuantizedLinear or SubstituteKind.DynamicQuantizedLinear
            or SubstituteKind.QuantizedConvTranspose2d;

    /// <summary>True for the substitutes that quantize their output with calibrated qparams (<c>scale</c>, <c>zero_point</c>).</summary>
    public static bool HasOutputQParams(this SubstituteKind kind) =>
        kind is SubstituteKind.QuantizeStep or SubstituteKind.QuantizedConv2d or SubstituteKind.QuantizedLinear
            or SubstituteKind.QuantizedAdd or SubstituteKind.QuantizedPointwise or SubstituteKind.FloatIsland or SubstituteKind.KeptFloatLayer
            or SubstituteKind.QuantizedConvTranspose2d or SubstituteKind.QuantizedBatchNorm2d;

    /// <summary>True for the substitutes only static conversion makes (everything but Identity and the dynamic Linear).</summary>
    public static bool IsStatic(this SubstituteKind kind) =>
        kind is not (SubstituteKind.Identity or SubstituteKind.DynamicQuantizedLinear);
}
