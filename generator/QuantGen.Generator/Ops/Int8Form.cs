namespace QuantGen.Generator.Ops;

/// <summary>What an op becomes in a converted (int8) model: eager convert's rule, which the generated pass follows.</summary>
internal enum Int8Form
{
    /// <summary>An int8 kernel on quint8 values (Conv2d, Linear, pooling, Add, an unfused ReLU).</summary>
    Kernel,

    /// <summary>No int8 kernel: dequantize, run in float, quantize with the calibrated output qparams (QG0009).</summary>
    FloatIsland,

    /// <summary>The identity in eval mode (Dropout, Identity): the output is the input's bytes.</summary>
    Identity,

    /// <summary>A QuantStub: float → quint8.</summary>
    Quantize,

    /// <summary>A DeQuantStub: quint8 → float.</summary>
    Dequantize,
}
