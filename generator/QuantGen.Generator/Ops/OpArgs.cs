using QuantGen.Generator.Model;

namespace QuantGen.Generator.Ops;

/// <summary>
/// A step's constant arguments as the parser bound them (parameter name, C# text, integer value, where written), read
/// by name: each descriptor turns them into its own typed record once.
/// </summary>
internal readonly struct OpArgs(EquatableArray<LayerArg> args)
{
    public EquatableArray<LayerArg> All { get; } = args;

    public LayerArg? Arg(string name)
    {
        foreach (LayerArg arg in All)
        {
            if (arg.Name == name) return arg;
        }

        return null;
    }

    /// <summary>The integer value of an argument; 0 when it is absent or not an integer (the shape rules report it).</summary>
    public int Int(string name) => (int)(Arg(name)?.Integer ?? 0);

    /// <summary>An integer argument that may be null (<c>stride: null</c>): <paramref name="otherwise"/> then.</summary>
    public int IntOr(string name, int otherwise) => Arg(name)?.Integer is long value ? (int)value : otherwise;

    public bool Flag(string name, bool byDefault) => Arg(name)?.Text is string text ? text == "true" : byDefault;

    /// <summary>Where the argument was written; null when its default was taken.</summary>
    public LocationInfo? Location(string name) => Arg(name)?.Location;

    public bool Has(string name) => Arg(name) is not null;
}
