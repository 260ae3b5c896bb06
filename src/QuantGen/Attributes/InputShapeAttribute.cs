namespace QuantGen;

/// <summary>
/// The shape of one input sample, without the batch dimension (<c>[InputShape(1, 28, 28)]</c> for one MNIST
/// image, channels first). The generator infers every layer's shape from it at compile time.
/// </summary>
/// <param name="shape">The dimensions, outermost first.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputShapeAttribute(params int[] shape) : Attribute
{
    /// <summary>The dimensions of one sample, outermost first.</summary>
    public IReadOnlyList<int> Shape { get; } = shape;
}
