using QuantGen.Generator.Model;
using QuantGen.Generator.Ops.Lowerings;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator.Ops;

/// <summary>
/// A method of <c>FloatFunctional</c>, the op one call of it runs: known by <see cref="FloatFunctionalOp.Method"/>,
/// named <c>FloatFunctional.Mul</c> in messages and comments. Its step's layer is the FloatFunctional's path, so its
/// int8 form reads that module's converted form.
/// </summary>
internal abstract class FunctionalMethodOp<TArgs>(string method) : OpDescriptor<TArgs>
{
    public override string Kind => "FloatFunctional." + method;

    public override string MetadataName => "QuantGen.Nn." + Kind;

    public override Int8Form Int8Form => Int8Form.Kernel;

    /// <summary>
    /// Shapes here have no batch dimension, so two inputs broadcast only at one rank: at full rank a missing leading
    /// dimension would meet the batch.
    /// </summary>
    protected static long[] Broadcast(ShapeContext context)
    {
        long[] a = context.InputAt(0), b = context.InputAt(1);
        bool fits = a.Length == b.Length;
        var output = new long[a.Length];
        for (int i = 0; fits && i < a.Length; i++)
        {
            fits = a[i] == b[i] || a[i] == 1 || b[i] == 1;
            output[i] = a[i] == 1 ? b[i] : a[i];
        }

        if (!fits)
        {
            throw context.Mismatch($"a second input that broadcasts with {ShapeContext.Format(a)} ({context.FromAt(0)}): of its rank, each size equal or 1",
                ShapeContext.Format(b), context.FromAt(1));
        }

        return output;
    }

    /// <summary>A per-sample shape as it lies in the arena: the channels (the first dimension) last, as NHWC.</summary>
    protected static int[] MemoryOrder(EquatableArray<int> shape)
    {
        var dims = new int[shape.Count];
        for (int i = 1; i < shape.Count; i++) dims[i - 1] = shape[i];
        if (shape.Count > 0) dims[shape.Count - 1] = shape[0];
        return dims;
    }

    protected static int Product(int[] dims, int from, int to)
    {
        int product = 1;
        for (int i = from; i < to; i++) product *= dims[i];
        return product;
    }
}

/// <summary>Add, AddRelu and Mul: two tensors, broadcast as PyTorch broadcasts.</summary>
internal sealed class FunctionalBinaryOp(string method, FunctionalBinaryOp.Arithmetic arithmetic) : FunctionalMethodOp<NoArgs>(method)
{
    public enum Arithmetic
    {
        Add,
        AddRelu,
        Mul,
    }

    public override int Arity => 2;

    public override NoArgs Read(OpArgs args) => NoArgs.Value;

    protected override long[] InferShape(ShapeContext context, NoArgs args) => Broadcast(context);

    protected override Int8Lowering Lower(LoweringContext context, NoArgs args)
    {
        EquatableArray<int> a = context.InputShapeAt(0), b = context.InputShapeAt(1);
        if (a.Equals(b))
        {
            return arithmetic == Arithmetic.Mul ? new MulLowering(Gate: null, Channels: 0) : new FunctionalAddLowering(arithmetic == Arithmetic.AddRelu ? "ReLU" : "None");
        }

        // A gate: one input is one value per channel (its memory order [1, …, 1, C]) and the other has those channels.
        if (arithmetic == Arithmetic.Mul)
        {
            int[] aMemory = MemoryOrder(a), bMemory = MemoryOrder(b);
            if (IsGateOf(bMemory, aMemory)) return new MulLowering(Gate: 1, Channels: bMemory[bMemory.Length - 1]);
            if (IsGateOf(aMemory, bMemory)) return new MulLowering(Gate: 0, Channels: aMemory[aMemory.Length - 1]);
        }

        // Any other broadcast: PyTorch's quantized add and mul take it too (ATen's kernels), and so does the pass.
        return new BroadcastLowering(arithmetic.ToString(), MemoryOrder(a).ToEquatableArray(), MemoryOrder(b).ToEquatableArray());
    }

    /// <summary>Inputs of one shape; a [C, 1, 1] gate (in NCHW each plane of the other input times one value); any other broadcast value by value, as eager float.</summary>
    protected override FloatLowering? LowerFloat(LoweringContext context, NoArgs args)
    {
        EquatableArray<int> a = context.InputShapeAt(0), b = context.InputShapeAt(1);
        if (a.Equals(b))
        {
            return arithmetic switch
            {
                Arithmetic.Add => new FloatAddLowering(),
                Arithmetic.AddRelu => new FloatAddReluLowering(),
                _ => new FloatMulLowering(Gate: null, Plane: 0),
            };
        }

        int[] aMemory = MemoryOrder(a), bMemory = MemoryOrder(b);
        if (arithmetic == Arithmetic.Mul && IsGateOf(bMemory, aMemory)) return new FloatMulLowering(Gate: 1, Plane: Product(aMemory, 0, aMemory.Length - 1));
        if (arithmetic == Arithmetic.Mul && IsGateOf(aMemory, bMemory)) return new FloatMulLowering(Gate: 0, Plane: Product(bMemory, 0, bMemory.Length - 1));
        return new FloatBroadcastLowering(arithmetic.ToString(), a, b);
    }

    private static bool IsGateOf(int[] gate, int[] x) =>
        gate.Length == x.Length && gate[gate.Length - 1] == x[x.Length - 1] && Product(gate, 0, gate.Length - 1) == 1;
}

/// <summary>Cat of tensors along one dimension (as PyTorch numbers it: 0 is the batch, which a generated pass cannot join: it maps n samples to n).</summary>
internal sealed class FunctionalCatOp() : FunctionalMethodOp<int>("Cat")
{
    public override int Arity => 2;

    public override bool TakesInputs(int count) => count >= 1;

    /// <summary>The dimension as written (default 0, PyTorch's).</summary>
    public override int Read(OpArgs args) => args.IntOr("dim", 0);

    protected override long[] InferShape(ShapeContext context, int dim)
    {
        int rank = context.Input.Length + 1;
        int axis = dim < 0 ? dim + rank : dim;
        if (axis == 0) throw context.Invalid($"dim {dim} joins along the batch dimension, which no generated pass can run (each maps n samples to n outputs; the eager model runs it); join along another dimension (channels: dim 1)", "dim");
        if (axis < 0 || axis >= rank) throw context.Invalid($"dim {dim} is out of range for inputs of {rank} dimensions (batch included)", "dim");
        long[] output = (long[])context.Input.Clone();
        for (int i = 1; i < context.Count; i++)
        {
            long[] shape = context.InputAt(i);
            bool fits = shape.Length == output.Length;
            for (int d = 0; fits && d < shape.Length; d++) fits = d == axis - 1 || shape[d] == output[d];
            if (!fits)
            {
                throw context.Mismatch($"inputs equal in every dimension but {dim}, as {ShapeContext.Format(context.Input)} ({context.From})",
                    ShapeContext.Format(shape), context.FromAt(i));
            }

            output[axis - 1] += shape[axis - 1];
        }

        return output;
    }

    protected override Int8Lowering Lower(LoweringContext context, int dim)
    {
        // In memory order the joined axis moves: the channels (axis 0 of a sample) are last.
        int rank = context.InputShape.Count;
        int axis = (dim < 0 ? dim + rank + 1 : dim) - 1;
        int at = axis == 0 ? rank - 1 : axis - 1;
        var blocks = new int[context.Step.Inputs.Count];
        for (int i = 0; i < blocks.Length; i++)
        {
            int[] memory = MemoryOrder(context.InputShapeAt(i));
            blocks[i] = Product(memory, at, memory.Length);
        }

        return new CatLowering(RowsPerSample: Product(MemoryOrder(context.InputShape), 0, at), blocks.ToEquatableArray());
    }

    /// <summary>Any number of inputs, as the int8 form; NCHW values are rows of blocks at the joined axis, as PyTorch lays them out.</summary>
    protected override FloatLowering? LowerFloat(LoweringContext context, int dim)
    {
        int rank = context.InputShape.Count;
        int axis = (dim < 0 ? dim + rank + 1 : dim) - 1;
        var blocks = new int[context.Step.Inputs.Count];
        for (int i = 0; i < blocks.Length; i++)
        {
            EquatableArray<int> shape = context.InputShapeAt(i);
            blocks[i] = 1;
            for (int d = axis; d < shape.Count; d++) blocks[i] *= shape[d];
        }

        return new FloatCatLowering(blocks.ToEquatableArray());
    }
}

/// <summary>AddScalar and MulScalar: one tensor and a constant; the shape passes through.</summary>
internal sealed class FunctionalScalarOp(string method, bool add) : FunctionalMethodOp<string>(method)
{
    /// <summary>The scalar as C# text.</summary>
    public override string Read(OpArgs args) => args.Arg("scalar")?.Text ?? "0";

    protected override long[] InferShape(ShapeContext context, string scalar) => context.Input;

    protected override Int8Lowering Lower(LoweringContext context, string scalar) => new ScalarLowering(add, scalar);

    protected override FloatLowering LowerFloat(LoweringContext context, string scalar) => new FloatScalarLowering(add, scalar);
}
