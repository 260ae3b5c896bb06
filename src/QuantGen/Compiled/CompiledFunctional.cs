using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>What the compiled forms of a <see cref="FloatFunctional"/>'s ops read from the converted model.</summary>
internal static class CompiledFunctional
{
    /// <summary>The converted FloatFunctional at <paramref name="path"/>.</summary>
    public static QFunctional Converted(Module model, string path) => CompiledModel.Substitute<QFunctional>(model, path, nameof(FloatFunctional));

    /// <summary>Its observed output qparams.</summary>
    /// <exception cref="QuantizationException">It is not converted, or calibration never reached it.</exception>
    public static ActivationQParams Output(Module model, string path) =>
        Converted(model, path).Output ?? throw new QuantizationException(
            $"'{path}' saw no data during calibration, so it has no int8 output parameters: calibrate with inputs that run through it, then convert again.");
}

/// <summary>
/// A <see cref="FloatFunctional"/>'s Mul in the generated pass, over NHWC bytes: of two inputs of one shape, or a
/// channel gate (squeeze-excite's [N, C, 1, 1] times [N, C, H, W], either order) that multiplies every pixel's
/// channels by its sample's gate. The same bytes as eager int8 (<see cref="QMul"/>).
/// </summary>
/// <remarks>Immutable: safe to share between threads and forks.</remarks>
public sealed class CompiledMul
{
    private readonly Int8Mul kernel;

    private CompiledMul(Int8Mul kernel, ActivationQParams output) => (this.kernel, Output) = (kernel, output);

    public ActivationQParams Output { get; }

    /// <exception cref="QuantizationException">The layer is not a converted FloatFunctional that calibration reached.</exception>
    public static CompiledMul Create(Module model, string path, ActivationQParams a, ActivationQParams b)
    {
        var output = CompiledFunctional.Output(model, path);
        return new(new Int8Mul(a, b, output), output);
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledMul Fork() => this;

    public void Forward(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output) => kernel.Forward(a, b, output);

    /// <summary>
    /// <paramref name="x"/>: <paramref name="samples"/> samples of pixels × <paramref name="channels"/>;
    /// <paramref name="gate"/>: one row of channels per sample. Built with the qparams in this order, whichever input
    /// the gate was (the product and its float multiplier do not depend on the order).
    /// </summary>
    public void ForwardGate(ReadOnlySpan<byte> x, ReadOnlySpan<byte> gate, Span<byte> output, int samples, int channels) =>
        kernel.ForwardGate(x, gate, samples, channels, output);
}

/// <summary>
/// A <see cref="FloatFunctional"/>'s Cat of any number of tensors in the generated pass: each of <c>outer</c> rows takes
/// one block of each input in turn (in NHWC, a channel concatenation is one block of channels per pixel), an input with
/// other qparams than the output's requantized through its table. The generated step joins the inputs one by one:
/// <c>join.Into(output, n).Join(a).Join(b)</c>. The same bytes as eager int8 (<see cref="QCat"/>).
/// One call at a time (its requantization scratch): <see cref="Fork"/> gives each worker its own.
/// </summary>
public sealed class CompiledCat
{
    private readonly Int8Cat kernel;
    private readonly int rowsPerSample;

    private CompiledCat(Int8Cat kernel, int rowsPerSample, ActivationQParams output) => (this.kernel, this.rowsPerSample, Output) = (kernel, rowsPerSample, output);

    public ActivationQParams Output { get; }

    /// <summary>Each sample is <paramref name="rowsPerSample"/> rows of <c>blocks[i]</c> bytes of each input <c>i</c> in turn.</summary>
    /// <exception cref="QuantizationException">The layer is not a converted FloatFunctional that calibration reached.</exception>
    /// <exception cref="ArgumentException">The qparams and the blocks differ in number.</exception>
    public static CompiledCat Create(Module model, string path, ActivationQParams[] inputs, int rowsPerSample, int[] blocks)
    {
        var output = CompiledFunctional.Output(model, path);
        return new(new Int8Cat(blocks, inputs, output), rowsPerSample, output);
    }

    public CompiledCat Fork() => new(kernel.Fork(), rowsPerSample, Output);

    /// <summary>Starts a Cat of <paramref name="samples"/> samples into <paramref name="output"/>: join each input in order.</summary>
    public Joining Into(Span<byte> output, int samples) => new(kernel, output, samples * rowsPerSample, 0);

    /// <summary>A Cat under way: <see cref="Join"/> writes the next input into its place in every row.</summary>
    public readonly ref struct Joining
    {
        private readonly Int8Cat kernel;
        private readonly Span<byte> output;
        private readonly int rows, next;

        internal Joining(Int8Cat kernel, Span<byte> output, int rows, int next)
        {
            this.kernel = kernel;
            this.output = output;
            this.rows = rows;
            this.next = next;
        }

        public Joining Join(ReadOnlySpan<byte> input)
        {
            kernel.Join(next, input, rows, output);
            return new(kernel, output, rows, next + 1);
        }
    }
}

/// <summary>
/// A <see cref="FloatFunctional"/>'s AddScalar or MulScalar in the generated pass: a 256-entry table with the output
/// qparams PyTorch derives from the input's and the scalar (<see cref="QScalar"/>), as eager int8 runs it.
/// </summary>
/// <remarks>Immutable: safe to share between threads and forks.</remarks>
public sealed class CompiledScalar
{
    private readonly Int8Lookup kernel;

    private CompiledScalar((byte[] Table, ActivationQParams Output) op) => (kernel, Output) = (new Int8Lookup(op.Table), op.Output);

    public ActivationQParams Output { get; }

    /// <summary>AddScalar when <paramref name="add"/>, else MulScalar, of <paramref name="scalar"/>.</summary>
    /// <exception cref="QuantizationException">The layer is not a converted FloatFunctional.</exception>
    public static CompiledScalar Create(Module model, string path, ActivationQParams input, bool add, double scalar)
    {
        CompiledFunctional.Converted(model, path);
        return new(add ? QScalar.Add(input, scalar) : QScalar.Mul(input, scalar));
    }

    /// <summary>Keeps no scratch: every fork of a generated pass shares this one.</summary>
    public CompiledScalar Fork() => this;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output) => kernel.Forward(input, output);
}
