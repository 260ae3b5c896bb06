namespace QuantGen;

/// <summary>
/// Layers of a <c>[Quantize]</c> class that stay in float inside its int8 model, by module path, e.g.
/// <c>[KeepFloat("features.18", "classifier.1")]</c>: a path naming a container (a block, a Sequential) keeps every
/// layer under it. The generator checks each path at compile time (QG0015 names the closest existing path, with a code
/// fix), runs the kept layers as float steps of the generated int8 pass with the conversions around them planned at
/// compile time, and its generated <c>Calibrate</c> passes the same paths to
/// <see cref="Quantization.EagerQuantization.Prepare"/>, so the eager and generated models agree bit for bit. Repeat the
/// attribute or list several paths.
/// </summary>
/// <remarks>
/// An attribute of its own rather than a property of <c>[Quantize]</c>: a list of paths reads best as one, it repeats
/// like <c>[Fuse]</c>, and each path is its own argument, where the compiler error and its code fix point.
/// </remarks>
/// <param name="paths">Module paths as <c>NamedModules()</c> names them (<c>"classifier"</c>, <c>"features.3.conv.1.0"</c>).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KeepFloatAttribute(params string[] paths) : Attribute
{
    /// <summary>The module paths kept in float.</summary>
    public IReadOnlyList<string> Paths { get; } = paths;
}
