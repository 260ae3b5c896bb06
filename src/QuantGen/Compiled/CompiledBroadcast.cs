using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// A FloatFunctional's Add, AddRelu or Mul of two inputs whose shapes broadcast in a way the dedicated kernels do not
/// cover (anything but equal shapes and Mul's channel gate), in the generated pass: PyTorch 1.13's own kernels for the
/// case, as eager int8 runs them — the add through ATen's float <c>qadd_kernel</c> (<see cref="QAdd.ForwardBroadcast"/>),
/// the mul through <c>qmul_kernel</c> (<see cref="QMul"/>) — element by element. Broadcasting relates elements, not
/// layouts, so it runs on each sample's shapes in memory order (channels last) and gives eager's bytes.
/// </summary>
/// <remarks>Immutable: safe to share between threads and forks.</remarks>
public sealed class CompiledBroadcast
{
    private readonly CompiledFloatBroadcast.Arithmetic op;
    private readonly ActivationQParams a, b;
    private readonly int[] aIndex, bIndex; // per output element of a sample, the element of each input it reads
    private readonly int aLength, bLength;

    private CompiledBroadcast(CompiledFloatBroadcast.Arithmetic op, ActivationQParams a, ActivationQParams b, ActivationQParams output, Shape aShape, Shape bShape)
    {
        (this.op, this.a, this.b, Output) = (op, a, b, output);
        (aIndex, bIndex) = Broadcasting.Indices(aShape, bShape, Broadcasting.Of(aShape, bShape, op.ToString()));
        (aLength, bLength) = ((int)aShape.ElementCount, (int)bShape.ElementCount);
    }

    public ActivationQParams Output { get; }

    /// <summary>
    /// <paramref name="aShape"/> and <paramref name="bShape"/>: one sample of each input, its dimensions in memory order.
    /// </summary>
    /// <exception cref="QuantizationException">The layer is not a converted FloatFunctional that calibration reached.</exception>
    /// <exception cref="ShapeMismatchException">The shapes do not broadcast.</exception>
    public static CompiledBroadcast Create(Module model, string path, ActivationQParams a, ActivationQParams b, CompiledFloatBroadcast.Arithmetic op, int[] aShape, int[] bShape)
    {
        a.Validate(nameof(a));
        b.Validate(nameof(b));
        return new(op, a, b, CompiledFunctional.Output(model, path), new Shape(aShape), new Shape(bShape));
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledBroadcast Fork() => this;

    public void Forward(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> output, int samples)
    {
        int length = aIndex.Length;
        for (int s = 0; s < samples; s++)
        {
            ReadOnlySpan<byte> xs = x.Slice(s * aLength, aLength), ys = y.Slice(s * bLength, bLength);
            Span<byte> sample = output.Slice(s * length, length);
            if (op == CompiledFloatBroadcast.Arithmetic.Mul) Multiply(xs, ys, sample);
            else Add(xs, ys, sample, op == CompiledFloatBroadcast.Arithmetic.AddRelu);
        }
    }

    private void Add(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> output, bool relu)
    {
        float aPremultiplied = a.Scale * -(float)a.ZeroPoint, bPremultiplied = b.Scale * -(float)b.ZeroPoint;
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = QAdd.FloatSum(x[aIndex[i]], a.Scale, aPremultiplied, y[bIndex[i]], b.Scale, bPremultiplied, Output, relu);
        }
    }

    private void Multiply(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> output)
    {
        float multiplier = QMul.Multiplier(a, b, Output);
        for (int i = 0; i < output.Length; i++) output[i] = QMul.Product(x[aIndex[i]] - a.ZeroPoint, y[bIndex[i]] - b.ZeroPoint, multiplier, Output.ZeroPoint);
    }
}
