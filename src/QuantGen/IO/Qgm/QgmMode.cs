namespace QuantGen.IO.Qgm;

/// <summary>How a saved model was quantized (the file's <c>mode</c>: <c>"static"</c> or <c>"dynamic"</c>).</summary>
public enum QgmMode
{
    /// <summary>Prepare, calibrate, convert: activations quint8 with calibrated qparams between int8 layers.</summary>
    Static,

    /// <summary>QuantizeDynamic: int8 Linear weights, activations quantized per call; everything else float.</summary>
    Dynamic,
}
