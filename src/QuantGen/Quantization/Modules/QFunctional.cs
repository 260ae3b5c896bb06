using QuantGen.Kernels;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A converted <see cref="FloatFunctional"/>, PyTorch's <c>QFunctional</c>: each op on quint8 tensors with the
/// reference kernels that reproduce PyTorch 1.13's (engine qnnpack). Add and AddRelu of equal shapes are qnnpack's
/// fixed-point add (<see cref="QAdd"/>); of shapes that broadcast, ATen's float add (<see cref="QAdd.ForwardBroadcast"/>),
/// as PyTorch falls back; Mul is <see cref="QMul"/>, Cat <see cref="QCat"/>, and the scalar ops <see cref="QScalar"/>,
/// whose output qparams follow from the input's.
/// </summary>
/// <remarks>Immutable: safe to call from any number of threads.</remarks>
public sealed class QFunctional(ActivationQParams? output) : Module
{
    /// <summary>The observed output qparams of Add, AddRelu, Mul and Cat; null when calibration never reached the module.</summary>
    public ActivationQParams? Output { get; } = output;

    public Tensor Add(Tensor a, Tensor b) => AddWith(a, b, FusedActivation.None, "Add");

    public Tensor AddRelu(Tensor a, Tensor b) => AddWith(a, b, FusedActivation.ReLU, "AddRelu");

    public Tensor Mul(Tensor a, Tensor b)
    {
        Require(a, "Mul");
        Require(b, "Mul");
        ActivationQParams output = Observed("Mul");
        Shape shape = Broadcasting.Of(a.Shape, b.Shape, $"'{Path}' Mul");
        var values = new byte[shape.ElementCount];
        if (a.Shape == b.Shape) QMul.Forward(a.QuantizedData, a.QParams(), b.QuantizedData, b.QParams(), output, values);
        else QMul.Forward(a.QuantizedData, a.Shape, a.QParams(), b.QuantizedData, b.Shape, b.QParams(), output, shape, values);
        return Tensor.FromQuantized(shape, values, output.Scale, output.ZeroPoint);
    }

    public Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ActivationQParams output = Observed("Cat");
        var data = new byte[tensors.Count][];
        var shapes = new Shape[tensors.Count];
        var qparams = new ActivationQParams[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            Tensor t = Require(tensors[i], "Cat");
            (data[i], shapes[i], qparams[i]) = (t.QuantizedData, t.Shape, t.QParams());
        }
        int axis = dim < 0 && shapes.Length > 0 ? dim + shapes[0].Rank : dim;
        Shape shape = QCat.OutputShape(shapes, axis);
        var values = new byte[shape.ElementCount];
        QCat.Forward(data, shapes, qparams, axis, output, values);
        return Tensor.FromQuantized(shape, values, output.Scale, output.ZeroPoint);
    }

    public Tensor AddScalar(Tensor x, double scalar) => Mapped(Require(x, "AddScalar"), QScalar.Add(x.QParams(), scalar));

    public Tensor MulScalar(Tensor x, double scalar) => Mapped(Require(x, "MulScalar"), QScalar.Mul(x.QParams(), scalar));

    public override Tensor Forward(Tensor input) =>
        throw new NotSupportedException($"{Describe()} is not called with Forward: call its Add, AddRelu, Mul, Cat, AddScalar or MulScalar.");

    private Tensor AddWith(Tensor a, Tensor b, FusedActivation activation, string op)
    {
        Require(a, op);
        Require(b, op);
        ActivationQParams output = Observed(op);
        Shape shape = Broadcasting.Of(a.Shape, b.Shape, $"'{Path}' {op}");
        var values = new byte[shape.ElementCount];
        if (a.Shape == b.Shape)
        {
            QuantizedAdd.RequireSupportedScales(Path, a.QParams(), b.QParams(), output);
            QAdd.Forward(a.QuantizedData, a.QParams(), b.QuantizedData, b.QParams(), output, activation, values);
        }
        else
        {
            QAdd.ForwardBroadcast(a.QuantizedData, a.Shape, a.QParams(), b.QuantizedData, b.Shape, b.QParams(), output, activation, shape, values);
        }
        return Tensor.FromQuantized(shape, values, output.Scale, output.ZeroPoint);
    }

    private static Tensor Mapped(Tensor x, (byte[] Table, ActivationQParams Output) op)
    {
        var values = new byte[x.Length];
        QLookup.Apply(x.QuantizedData, op.Table, values);
        return Tensor.FromQuantized(x.Shape, values, op.Output.Scale, op.Output.ZeroPoint);
    }

    private Tensor Require(Tensor x, string op) => QuantizedInput.Require(x, this, $"FloatFunctional.{op}");

    private ActivationQParams Observed(string op) => Output ?? throw new QuantizationException(
        $"'{Path}' ({op}) saw no data during calibration, so it has no int8 output parameters: calibrate with inputs that run through it, then convert again.");

    protected override string ExtraRepr() => Output is { } q ? $"scale={q.Scale}, zero_point={q.ZeroPoint}" : "uncalibrated";
}
