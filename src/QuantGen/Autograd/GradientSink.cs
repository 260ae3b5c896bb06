namespace QuantGen.Autograd;

/// <summary>
/// Where one node's backward writes: a zero-initialised buffer per input that needs a gradient, shared with
/// every other node that feeds the same tensor. Inputs that need none get an empty span, so backward code
/// tests <see cref="Wants"/> (or the span's emptiness) and skips the work.
/// </summary>
internal readonly struct GradientSink(GradNode node, Backpropagation pass)
{
    public bool Wants(int input) => node.Inputs[input] is { RequiresGrad: true };

    /// <summary>The buffer gradient of input <paramref name="input"/> accumulates into, or empty if it needs none.</summary>
    public Span<float> For(int input) => ArrayFor(input);

    /// <summary>As <see cref="For"/>, as an array (for backward code that runs in parallel), or null if it needs none.</summary>
    public float[]? ArrayFor(int input) => node.Inputs[input] is { RequiresGrad: true } tensor ? pass.BufferFor(tensor) : null;
}
