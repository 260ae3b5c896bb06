using QuantGen.Kernels.Reference;

namespace QuantGen.Quantization;

/// <summary>
/// An observer whose parameters are fixed, as PyTorch's <c>FixedQParamsObserver</c>: QAT puts it, inside a fake
/// quantization, after Hardsigmoid, Sigmoid (scale 1/256, zero point 0) and Tanh (2/256, 128), whose quint8 kernels
/// have those output qparams whatever the data. It records nothing. Buffers <c>scale</c> and <c>zero_point</c>
/// as PyTorch's (after the <c>eps</c> every QuantGen observer has). Reading it from any number of threads is safe;
/// loading a state dict into it while others read is not.
/// </summary>
public sealed class FixedQParamsObserver : Observer
{
    private readonly Tensor scale;
    private int[] zeroPoint;

    public FixedQParamsObserver(float scale, int zeroPoint, QDType dtype = QDType.QUInt8, QScheme qscheme = QScheme.PerTensorAffine,
        int quantMin = 0, int quantMax = 255)
        : base(dtype, qscheme, reduceRange: false, quantMin, quantMax, QParamsCalculator.DefaultEps)
    {
        new ActivationQParams(scale, zeroPoint).Validate(nameof(scale));
        this.scale = RegisterBuffer("scale", Tensor.FromArray([scale], 1));
        this.zeroPoint = [zeroPoint];
        RegisterIntegerBuffer("zero_point", global::QuantGen.DType.I32, resizable: false, () => this.zeroPoint, v => this.zeroPoint = v);
    }

    /// <summary>The fixed output qparams as an observer.</summary>
    public static FixedQParamsObserver For(ActivationQParams output) => new(output.Scale, output.ZeroPoint);

    public float Scale => scale.Data[0];

    public int ZeroPoint => zeroPoint[0];

    /// <summary>Always true: its parameters need no data.</summary>
    public override bool HasObserved => true;

    public override QParams CalculateQParams() => QParams.PerTensor(Scale, ZeroPoint, DType, QuantMin, QuantMax);

    public override Observer Clone() => new FixedQParamsObserver(Scale, ZeroPoint, DType, QScheme, QuantMin, QuantMax);

    protected override void Observe(Tensor input)
    {
    }

    protected override string ExtraRepr() => $"scale={Scale}, zero_point={ZeroPoint}, {DescribeArguments()}";
}
