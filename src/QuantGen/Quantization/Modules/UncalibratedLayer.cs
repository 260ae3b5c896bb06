using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// Stands in for a layer that calibration never reached (such as the residual add of a block that has no residual
/// connection): it has no observed range, so no int8 form. PyTorch would quantize it with scale 1; QuantGen
/// refuses to run it instead, saying why.
/// </summary>
public sealed class UncalibratedLayer(string layerPath) : Module, IBinaryModule
{
    public string LayerPath { get; } = layerPath;

    public override Tensor Forward(Tensor input) => throw Error();

    public Tensor Forward(Tensor a, Tensor b) => throw Error();

    private QuantizationException Error() => new(
        $"'{LayerPath}' saw no data during calibration, so it has no int8 parameters: calibrate with inputs that run through it, then convert again.");
}
