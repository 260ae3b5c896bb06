namespace QuantGen.Quantization;

/// <summary>
/// One int8 layer of a converted model beside its float form, as PyTorch's <c>compare_model_outputs</c> and
/// <c>compare_model_stub</c> report it.
/// </summary>
/// <remarks>Immutable: safe to share between threads.</remarks>
/// <param name="Path">The layer's dotted path (<c>features.2.conv.0.0</c>): what <c>[KeepFloat]</c> and <c>Prepare</c>'s keep-float list take.</param>
/// <param name="Kind">The float layer's type (<c>Conv2d</c>, <c>Linear</c>, <c>Add</c>, <c>QuantStub</c>, …).</param>
/// <param name="Output">The int8 model's output of this layer against the float model's, with every error before it carried in.</param>
/// <param name="ByItself">
/// The error this layer adds alone: its int8 form run on the float model's input to it (quantized with the qparams its
/// int8 input had) against its float output. Null for a <c>FloatFunctional</c>, whose several operations share one layer.
/// </param>
/// <param name="Weight">Its int8 weight, dequantized, against the float weight (fused BatchNorm folded in), as <c>compare_weights</c>; null for a layer without weights.</param>
public sealed record LayerComparison(string Path, string Kind, ErrorSummary Output, ErrorSummary? ByItself, ErrorSummary? Weight);
