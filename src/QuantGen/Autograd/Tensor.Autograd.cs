using QuantGen.Autograd;

namespace QuantGen;

// Reverse-mode autograd on Tensor, as PyTorch's requires_grad / grad / grad_fn / backward().
public sealed partial class Tensor
{
    private bool requiresGrad;

    /// <summary>
    /// True if ops on this tensor are recorded so that gradients flow back to it. Set it on leaves (parameters
    /// are registered with it set); results of recorded ops have it set and cannot drop it (use <see cref="Detach"/>).
    /// </summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (!value && GradFn is not null)
            {
                throw new InvalidOperationException($"{this} is the result of a recorded op ({GradFn.Describe()}); call Detach() for a copy that does not require grad.");
            }
            if (value && IsQuantized)
            {
                throw new InvalidOperationException($"{this} is quantized; only float tensors can require grad.");
            }
            requiresGrad = value;
        }
    }

    /// <summary>The gradient accumulated into this leaf by <see cref="Backward()"/>; null until one arrives.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>True for a tensor no recorded op produced: parameters, inputs, constants.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>The recorded op that produced this tensor, or null for a leaf.</summary>
    internal GradNode? GradFn { get; set; }

    /// <summary>The same storage, cut off from the graph: a leaf that does not require grad.</summary>
    public Tensor Detach() => IsQuantized
        ? FromQuantized(Shape, QuantizedData, QuantScale, QuantZeroPoint)
        : new Tensor(Shape, data!);

    /// <summary>Back-propagates from this scalar (a loss): d(this)/d(leaf) is added to every leaf's <see cref="Grad"/>.</summary>
    /// <exception cref="InvalidOperationException">This tensor holds more than one value, or does not require grad.</exception>
    public void Backward()
    {
        if (Length != 1)
        {
            throw new InvalidOperationException($"Backward() without a gradient needs a scalar, but {this} holds {Length} values; pass the gradient of the output.");
        }
        Backward([1f]);
    }

    /// <summary>Back-propagates <paramref name="gradient"/> (d loss / d this, same shape) into the graph behind this tensor.</summary>
    public void Backward(Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (gradient.Shape != Shape)
        {
            throw new ShapeMismatchException($"The gradient of {this} must have its shape {Shape}, got {gradient.Shape}.");
        }
        Backward(gradient.Data);
    }

    private void Backward(ReadOnlySpan<float> seed)
    {
        if (!RequiresGrad)
        {
            throw new InvalidOperationException($"{this} does not require grad: no recorded op produced it. Are the parameters in training mode, or was it computed under NoGrad?");
        }
        Backpropagation.Run(this, seed);
    }
}
