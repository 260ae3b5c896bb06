using QuantGen.Autograd;

namespace QuantGen.Nn;

/// <summary>max(x, 0). With <c>inplace</c> it overwrites its input, as PyTorch's <c>ReLU(inplace=True)</c>.</summary>
public sealed class ReLU(bool inplace = false) : Layer
{
    public bool Inplace { get; } = inplace;

    protected override Tensor FloatForward(Tensor input) => Functional.Relu(input, Inplace);

    protected override string ExtraRepr() => Inplace ? "inplace=True" : "";
}

/// <summary>min(max(x, 0), 6), as in the standard MobileNetV2; <c>inplace</c> as for <see cref="ReLU"/>.</summary>
public sealed class ReLU6(bool inplace = false) : Layer
{
    public bool Inplace { get; } = inplace;

    protected override Tensor FloatForward(Tensor input) => Functional.Relu6(input, Inplace);

    protected override string ExtraRepr() => Inplace ? "inplace=True" : "";
}

/// <summary>Passes its input through; what fusion leaves where a BatchNorm or ReLU was folded away.</summary>
public sealed class Identity : Module
{
    public override Tensor Forward(Tensor input) => input;
}

/// <summary>
/// Zeroes each value with probability <see cref="P"/> and scales the rest by 1/(1 − p) in training mode;
/// the identity in eval mode.
/// </summary>
public sealed class Dropout : Layer
{
    private readonly Random random;

    public Dropout(float p = 0.5f, int seed = 0)
    {
        if (p is < 0 or > 1) throw new ArgumentException($"Dropout: p must be in [0, 1], got {p}.");
        P = p;
        random = new Random(seed);
    }

    public float P { get; }

    protected override Tensor FloatForward(Tensor input)
    {
        if (!Training || P == 0) return input;
        var output = new Tensor(input.Shape);
        float keep = 1 - P, scale = keep > 0 ? 1 / keep : 0;
        var factors = new float[input.Length];
        for (int i = 0; i < input.Length; i++)
        {
            factors[i] = random.NextSingle() < keep ? scale : 0f;
            output.Data[i] = factors[i] == 0 ? 0f : input.Data[i] * scale;
        }
        return GradMode.Records(input) ? ElementwiseGrad.RecordMask(output, input, factors) : output;
    }

    protected override string ExtraRepr() => $"p={P}";
}

/// <summary>Softmax along <see cref="Dim"/>. Has no int8 kernel: stays float in a quantized model.</summary>
public sealed class Softmax(int dim = -1) : Layer
{
    public int Dim { get; } = dim;

    protected override Tensor FloatForward(Tensor input)
    {
        int axis = Dim < 0 ? Dim + input.Rank : Dim;
        if ((uint)axis >= (uint)input.Rank) throw InputShapeError($"a tensor with dimension {Dim}", input);
        return Functional.Softmax(input, Dim);
    }

    protected override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>
/// Element-wise sum of two inputs: a residual connection, a module (as PyTorch's <c>FloatFunctional</c>) so that
/// quantization can observe its output and give it its own scale.
/// </summary>
public sealed class Add : Layer
{
    public Tensor Forward(Tensor a, Tensor b)
    {
        if (a.Shape != b.Shape) throw new ShapeMismatchException(Describe(), $"two tensors of one shape; the first is {a.Shape}", b.Shape);
        if (Substitute is IBinaryModule substitute) return Ran(substitute.Forward(a, b), a, b);
        using var scope = GradMode.ForLayer(this, a.RequiresGrad || b.RequiresGrad);
        return Ran(Observe(Functional.Add(a, b)), a, b);
    }

    protected override Tensor FloatForward(Tensor input) =>
        throw new NotSupportedException($"{Describe()} takes two inputs: call Forward(a, b).");
}

/// <summary>A module of two inputs, such as the quantized form of <see cref="Add"/>.</summary>
internal interface IBinaryModule
{
    Tensor Forward(Tensor a, Tensor b);
}
