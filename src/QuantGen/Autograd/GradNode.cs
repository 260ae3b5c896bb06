using QuantGen.Nn;

namespace QuantGen.Autograd;

/// <summary>
/// Computes an op's input gradients from its output gradient, adding them into the sink's buffers
/// (gradients accumulate, as in PyTorch, so a tensor used twice gets both contributions).
/// </summary>
internal delegate void BackwardFunction(float[] outputGradient, GradientSink inputs);

/// <summary>
/// One recorded op: its inputs (null where an optional input such as a bias is absent), the function that
/// carries gradients back to them, and the layer that ran it, to name it in errors.
/// </summary>
internal sealed class GradNode
{
    private GradNode(string op, Tensor?[] inputs, BackwardFunction backward)
    {
        Op = op;
        Inputs = inputs;
        Backward = backward;
        Layer = GradMode.CurrentLayer;
    }

    public string Op { get; }

    public Tensor?[] Inputs { get; }

    public BackwardFunction Backward { get; }

    public Module? Layer { get; }

    /// <summary>Makes <paramref name="output"/> the result of a recorded op, so gradients flow through it.</summary>
    public static Tensor Record(Tensor output, string op, Tensor?[] inputs, BackwardFunction backward)
    {
        output.GradFn = new GradNode(op, inputs, backward);
        output.RequiresGrad = true;
        return output;
    }

    /// <summary>How errors name this op: the layer that ran it, with its path, or the op alone.</summary>
    public string Describe() => Layer is null
        ? Op
        : Layer.Path.Length == 0 ? $"{Layer.GetType().Name} ({Op})" : $"'{Layer.Path}' {Layer.GetType().Name} ({Op})";
}
