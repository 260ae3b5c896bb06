namespace QuantGen;

/// <summary>
/// Marks a <c>partial</c> model class for the QuantGen source generator: at compile time it reads the class's
/// module fields and its <c>Forward</c>, infers every shape from <see cref="InputShapeAttribute"/>, reports
/// mismatches as compile errors and emits the specialized int8 code for the class.
/// </summary>
/// <param name="mode">The quantization workflow (static, dynamic or quantization-aware training).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class QuantizeAttribute(QuantMode mode) : Attribute
{
    /// <summary>The quantization workflow.</summary>
    public QuantMode Mode { get; } = mode;

    /// <summary>How weights are quantized; per-tensor symmetric unless set.</summary>
    public WeightScheme Weights { get; set; } = WeightScheme.PerTensorSymmetric;

    /// <summary>The observer for activation ranges; min/max unless set.</summary>
    public ObserverKind Activations { get; set; } = ObserverKind.MinMax;

    /// <summary>
    /// When true, a layer that has no int8 kernel (a float island) or that the generator cannot read is a
    /// compile error instead of a warning.
    /// </summary>
    public bool Strict { get; set; }
}
