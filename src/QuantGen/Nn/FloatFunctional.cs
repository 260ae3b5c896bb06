using QuantGen.Autograd;
using QuantGen.Quantization;

namespace QuantGen.Nn;

/// <summary>
/// PyTorch's <c>FloatFunctional</c>: the tensor ops that combine tensors — <see cref="Add"/>, <see cref="AddRelu"/>,
/// <see cref="Mul"/>, <see cref="Cat"/>, <see cref="AddScalar"/>, <see cref="MulScalar"/> — as a module, so that eager
/// quantization can observe their output (<c>activation_post_process</c>) and give it its own scale. Add, AddRelu and
/// Mul broadcast as PyTorch does (a squeeze-excite gate [N, C, 1, 1] times [N, C, H, W]). In float they record
/// gradients, so training and QAT run through them; after convert, <see cref="QFunctional"/> runs them in int8.
/// AddScalar and MulScalar are not observed, as in PyTorch: their int8 form derives its qparams from the input's.
/// Use one instance per call site, as PyTorch's examples do: all calls on one instance share its observer.
/// </summary>
/// <remarks>Holds no state of its own; one instance runs one call at a time (its observer records as it runs).</remarks>
public sealed class FloatFunctional : Layer
{
    public Tensor Add(Tensor a, Tensor b) => Ran(Substitute switch
    {
        null => Run(a, b, () => Functional.AddBroadcast(a, b, Describe() + " Add")),
        QFunctional q => q.Add(a, b),
        var other => Refused(other, a),
    }, a, b);

    /// <summary>relu(a + b), PyTorch's <c>add_relu</c>.</summary>
    public Tensor AddRelu(Tensor a, Tensor b) => Ran(Substitute switch
    {
        null => Run(a, b, () => Functional.Relu(Functional.AddBroadcast(a, b, Describe() + " AddRelu"))),
        QFunctional q => q.AddRelu(a, b),
        var other => Refused(other, a),
    }, a, b);

    public Tensor Mul(Tensor a, Tensor b) => Ran(Substitute switch
    {
        null => Run(a, b, () => Functional.Mul(a, b)),
        QFunctional q => q.Mul(a, b),
        var other => Refused(other, a),
    }, a, b);

    /// <summary>Concatenation along <paramref name="dim"/> (negative counts from the end), PyTorch's <c>cat(x, dim=0)</c>.</summary>
    public Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        switch (Substitute)
        {
            case null:
                bool requiresGrad = false;
                foreach (Tensor t in tensors) requiresGrad |= t?.RequiresGrad ?? false;
                using (GradMode.ForLayer(this, requiresGrad)) return Ran(Observe(Functional.Cat(tensors, dim)), [.. tensors]);
            case QFunctional q:
                return Ran(q.Cat(tensors, dim), [.. tensors]);
            case var other:
                return Refused(other, tensors.Count > 0 ? tensors[0] : null);
        }
    }

    /// <summary>x + c; not observed (its int8 form moves the zero point instead).</summary>
    public Tensor AddScalar(Tensor x, double scalar) => Ran(Substitute switch
    {
        null => RunUnobserved(x, () => Functional.AddBroadcast(x, Tensor.Full((float)scalar), Describe() + " AddScalar")),
        QFunctional q => q.AddScalar(x, scalar),
        var other => Refused(other, x),
    }, x);

    /// <summary>x · c; not observed (its int8 form scales the scale instead).</summary>
    public Tensor MulScalar(Tensor x, double scalar) => Ran(Substitute switch
    {
        null => RunUnobserved(x, () => Functional.Mul(x, Tensor.Full((float)scalar))),
        QFunctional q => q.MulScalar(x, scalar),
        var other => Refused(other, x),
    }, x);

    /// <summary>PyTorch's FloatFunctional has no forward either.</summary>
    protected override Tensor FloatForward(Tensor input) =>
        throw new NotSupportedException($"{Describe()} is not called with Forward: call its Add, AddRelu, Mul, Cat, AddScalar or MulScalar.");

    private Tensor Run(Tensor a, Tensor b, Func<Tensor> op)
    {
        using var scope = GradMode.ForLayer(this, a.RequiresGrad || b.RequiresGrad);
        return Observe(op());
    }

    private Tensor RunUnobserved(Tensor x, Func<Tensor> op)
    {
        using var scope = GradMode.ForLayer(this, x.RequiresGrad);
        return op();
    }

    /// <summary>A substitute other than the int8 form (a layer calibration never reached) explains itself.</summary>
    private static Tensor Refused(Module substitute, Tensor? input) => substitute.Forward(input!);
}
