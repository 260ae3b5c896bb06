using QuantGen.Kernels.Float;

namespace QuantGen.Compiled;

/// <summary>
/// <c>FloatFunctional.Mul</c> in a generated float pass: of two inputs of one shape, or every plane of one input times
/// its channel's value in a [C, 1, 1] gate (either input). Stateless: shared by every fork and thread.
/// </summary>
public sealed class CompiledFloatMul
{
    private readonly int? gate;
    private readonly int plane;

    private CompiledFloatMul(int? gate, int plane) => (this.gate, this.plane) = (gate, plane);

    /// <summary>Inputs of one shape.</summary>
    public static CompiledFloatMul Create() => new(null, 0);

    /// <summary>Input <paramref name="gate"/> (0 or 1) is the gate; the other's planes hold <paramref name="plane"/> values.</summary>
    public static CompiledFloatMul Gated(int gate, int plane) => new(gate, plane);

    public CompiledFloatMul Fork() => this;

    public void Forward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        if (gate is null) ElementwiseKernels.Mul(a, b, output);
        else if (gate == 1) ElementwiseKernels.MulPlanes(a, b, plane, output);
        else ElementwiseKernels.MulPlanes(b, a, plane, output);
    }
}

/// <summary>
/// <c>FloatFunctional.Cat</c> of any number of inputs in a generated float pass: NCHW values seen as rows, each output
/// row one block of each input in turn (<c>blocks</c>), joined one input at a time:
/// <c>join.Into(output).Join(a).Join(b)</c>. Stateless: shared by every fork and thread.
/// </summary>
public sealed class CompiledFloatCat
{
    private readonly int[] blocks;
    private readonly int row;

    private CompiledFloatCat(int[] blocks)
    {
        this.blocks = blocks;
        foreach (int block in blocks) row += block;
    }

    public static CompiledFloatCat Create(int[] blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        return new((int[])blocks.Clone());
    }

    public CompiledFloatCat Fork() => this;

    /// <summary>Starts a Cat into <paramref name="output"/>: join each input in order.</summary>
    public Joining Into(Span<float> output) => new(this, output, 0, 0);

    /// <summary>A Cat under way: <see cref="Join"/> writes the next input's block into every row.</summary>
    public readonly ref struct Joining
    {
        private readonly CompiledFloatCat cat;
        private readonly Span<float> output;
        private readonly int next, at;

        internal Joining(CompiledFloatCat cat, Span<float> output, int next, int at)
        {
            this.cat = cat;
            this.output = output;
            this.next = next;
            this.at = at;
        }

        public Joining Join(ReadOnlySpan<float> input)
        {
            int block = cat.blocks[next];
            for (int r = 0, rows = input.Length / block; r < rows; r++) input.Slice(r * block, block).CopyTo(output.Slice(r * cat.row + at));
            return new(cat, output, next + 1, at + block);
        }
    }
}

/// <summary><c>FloatFunctional.AddScalar</c> or <c>MulScalar</c> in a generated float pass. Stateless: shared by every fork and thread.</summary>
public sealed class CompiledFloatScalar
{
    private readonly float scale, shift;

    private CompiledFloatScalar(float scale, float shift) => (this.scale, this.shift) = (scale, shift);

    /// <summary>x + scalar (or x · scalar), the scalar rounded to float as the eager module rounds it.</summary>
    public static CompiledFloatScalar Create(bool add, double scalar) => add ? new(1f, (float)scalar) : new((float)scalar, 0f);

    public CompiledFloatScalar Fork() => this;

    public void Forward(ReadOnlySpan<float> input, Span<float> output) => ElementwiseKernels.ScaleShift(input, scale, shift, output);
}

/// <summary>
/// <c>FloatFunctional.Add</c>, <c>AddRelu</c> or <c>Mul</c> of inputs that broadcast (at one rank: each size equal or
/// 1) but that no faster step runs, in a generated float pass: value by value, as eager float's broadcast. Stateless:
/// shared by every fork and thread.
/// </summary>
public sealed class CompiledFloatBroadcast
{
    public enum Arithmetic
    {
        Add,
        AddRelu,
        Mul,
    }

    private readonly Arithmetic arithmetic;
    private readonly int[] shape, aStrides, bStrides;
    private readonly int aLength, bLength, length;

    private CompiledFloatBroadcast(Arithmetic arithmetic, int[] a, int[] b)
    {
        this.arithmetic = arithmetic;
        shape = new int[a.Length];
        for (int d = 0; d < a.Length; d++) shape[d] = Math.Max(a[d], b[d]);
        (aStrides, aLength) = Strides(a, shape);
        (bStrides, bLength) = Strides(b, shape);
        length = Product(shape);
    }

    /// <summary>The op on one sample's shapes <paramref name="a"/> and <paramref name="b"/> (no batch dimension).</summary>
    public static CompiledFloatBroadcast Create(Arithmetic arithmetic, int[] a, int[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        for (int d = 0; d < a.Length; d++)
        {
            if (a.Length != b.Length || (a[d] != b[d] && a[d] != 1 && b[d] != 1))
            {
                throw new ArgumentException($"[{string.Join(", ", a)}] and [{string.Join(", ", b)}] do not broadcast at one rank.", nameof(b));
            }
        }
        return new CompiledFloatBroadcast(arithmetic, a, b);
    }

    public CompiledFloatBroadcast Fork() => this;

    public void Forward(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        for (int n = 0, samples = output.Length / length; n < samples; n++)
        {
            ReadOnlySpan<float> x = a.Slice(n * aLength, aLength), y = b.Slice(n * bLength, bLength);
            Span<float> z = output.Slice(n * length, length);
            for (int i = 0; i < length; i++)
            {
                int ai = 0, bi = 0;
                for (int d = shape.Length - 1, rest = i; d >= 0; d--)
                {
                    int k = rest % shape[d];
                    rest /= shape[d];
                    ai += k * aStrides[d];
                    bi += k * bStrides[d];
                }
                z[i] = arithmetic switch
                {
                    Arithmetic.Add => x[ai] + y[bi],
                    Arithmetic.AddRelu => x[ai] + y[bi] is var sum && sum < 0f ? 0f : sum,
                    _ => x[ai] * y[bi],
                };
            }
        }
    }

    /// <summary>An input's strides over the output's indices (0 along a dimension it broadcasts), and its length.</summary>
    private static (int[] Strides, int Length) Strides(int[] input, int[] output)
    {
        var strides = new int[input.Length];
        int stride = 1;
        for (int d = input.Length - 1; d >= 0; d--)
        {
            strides[d] = input[d] == output[d] ? stride : 0;
            stride *= input[d];
        }
        return (strides, stride);
    }

    private static int Product(int[] dims)
    {
        int product = 1;
        foreach (int d in dims) product *= d;
        return product;
    }
}
