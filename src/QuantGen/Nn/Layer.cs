using QuantGen.Autograd;

namespace QuantGen.Nn;

/// <summary>
/// The base of QuantGen's built-in leaf modules (Conv2d, Linear, ReLU, …). Its <see cref="Forward"/> is where
/// eager quantization hooks in, the way PyTorch swaps modules and adds forward hooks:
/// <list type="bullet">
/// <item>after fusion or conversion, a <see cref="Substitute"/> runs in the layer's place (an
/// <see cref="Identity"/> for a BatchNorm folded into its convolution, a quantized layer after convert);</item>
/// <item>after prepare, an <see cref="OutputObserver"/> records every output during calibration;</item>
/// <item>while the numeric suite compares a model, a <see cref="Hook"/> sees every call's inputs and output.</item>
/// </list>
/// In eval mode a layer records no graph unless its input requires grad, so inference never pays for autograd.
/// A C# field keeps its declared type, so instead of replacing <c>conv1</c> as PyTorch does, the layer
/// delegates; user models keep their typed fields and their <c>Forward</c> unchanged.
/// </summary>
public abstract class Layer : Module
{
    /// <summary>PyTorch's name for the observer attached to a module's output.</summary>
    public const string ObserverName = "activation_post_process";

    /// <summary>What runs instead of this layer's float computation, if anything.</summary>
    /// <remarks>It stands in the layer's place, so it takes the layer's path for its errors.</remarks>
    [field: NotAChild]
    public Module? Substitute
    {
        get;
        internal set
        {
            field = value;
            if (value is not null) value.Path = Path;
        }
    }

    /// <summary>The observer recording this layer's outputs, a child named <see cref="ObserverName"/>.</summary>
    public Module? OutputObserver
    {
        get => ChildOrNull(ObserverName);
        internal set => SetChild(ObserverName, value);
    }

    /// <summary>
    /// Told of every call's inputs and output, float or int8, as a PyTorch forward hook is; null (the usual case) costs a
    /// null check. The numeric suite sets it for one comparison and removes it.
    /// </summary>
    internal LayerHook? Hook { get; set; }

    public sealed override Tensor Forward(Tensor input)
    {
        if (Substitute is { } substitute) return Ran(substitute.Forward(input), input);
        using var scope = GradMode.ForLayer(this, input.RequiresGrad);
        return Ran(Observe(FloatForward(input)), input);
    }

    /// <summary>Returns <paramref name="output"/>, telling the <see cref="Hook"/> (if any) what this call took and gave.</summary>
    private protected Tensor Ran(Tensor output, params ReadOnlySpan<Tensor> inputs)
    {
        Hook?.Invoke(this, inputs.ToArray(), output);
        return output;
    }

    /// <summary>The layer's own computation, in float.</summary>
    protected abstract Tensor FloatForward(Tensor input);

    /// <summary>The float computation alone, without substitute or observer (what a float island runs).</summary>
    internal Tensor ForwardFloat(Tensor input) => FloatForward(input);

    /// <summary>Passes <paramref name="output"/> through the observer, if one is attached.</summary>
    protected Tensor Observe(Tensor output) => OutputObserver is { } observer ? observer.Forward(output) : output;
}
