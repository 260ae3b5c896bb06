namespace QuantGen;

/// <summary>
/// A fusion pattern the generator applies wherever consecutive layers of the model match it, e.g.
/// <c>[Fuse("Conv", "BN", "ReLU")]</c> or <c>[Fuse("Linear", "ReLU")]</c>. Repeat the attribute for several patterns.
/// </summary>
/// <param name="pattern">
/// The layer kinds in order: <c>"Conv"</c>, <c>"BN"</c>, <c>"Linear"</c>, <c>"ReLU"</c>, <c>"ReLU6"</c>.
/// </param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FuseAttribute(params string[] pattern) : Attribute
{
    /// <summary>The layer kinds of the pattern, in order.</summary>
    public IReadOnlyList<string> Pattern { get; } = pattern;
}
