namespace QuantGen.Nn;

/// <summary>max(x, 0). With <c>inplace</c> it overwrites its input, as PyTorch's <c>ReLU(inplace=True)</c>.</summary>
public sealed class ReLU(bool inplace = false) : Module
{
    public bool Inplace { get; } = inplace;

    public override Tensor Forward(Tensor input) => Functional.Relu(input, Inplace);

    protected override string ExtraRepr() => Inplace ? "inplace=True" : "";
}

/// <summary>min(max(x, 0), 6), as in the standard MobileNetV2; <c>inplace</c> as for <see cref="ReLU"/>.</summary>
public sealed class ReLU6(bool inplace = false) : Module
{
    public bool Inplace { get; } = inplace;

    public override Tensor Forward(Tensor input) => Functional.Relu6(input, Inplace);

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
public sealed class Dropout : Module
{
    private readonly Random random;

    public Dropout(float p = 0.5f, int seed = 0)
    {
        if (p is < 0 or > 1) throw new ArgumentException($"Dropout: p must be in [0, 1], got {p}.");
        P = p;
        random = new Random(seed);
    }

    public float P { get; }

    public override Tensor Forward(Tensor input)
    {
        if (!Training || P == 0) return input;
        var output = new Tensor(input.Shape);
        float keep = 1 - P, scale = keep > 0 ? 1 / keep : 0;
        for (int i = 0; i < input.Length; i++)
        {
            output.Data[i] = random.NextSingle() < keep ? input.Data[i] * scale : 0f;
        }
        return output;
    }

    protected override string ExtraRepr() => $"p={P}";
}

/// <summary>Softmax along <see cref="Dim"/>. Has no int8 kernel: stays float in a quantized model.</summary>
public sealed class Softmax(int dim = -1) : Module
{
    public int Dim { get; } = dim;

    public override Tensor Forward(Tensor input)
    {
        int axis = Dim < 0 ? Dim + input.Rank : Dim;
        if ((uint)axis >= (uint)input.Rank) throw InputShapeError($"a tensor with dimension {Dim}", input);
        return Functional.Softmax(input, Dim);
    }

    protected override string ExtraRepr() => $"dim={Dim}";
}

/// <summary>Element-wise sum of two inputs: a residual connection (PyTorch's <c>FloatFunctional.add</c>), a module so that quantization can observe it.</summary>
public sealed class Add : Module
{
    public Tensor Forward(Tensor a, Tensor b)
    {
        if (a.Shape != b.Shape) throw new ShapeMismatchException(Describe(), $"two tensors of one shape; the first is {a.Shape}", b.Shape);
        return Functional.Add(a, b);
    }
}
