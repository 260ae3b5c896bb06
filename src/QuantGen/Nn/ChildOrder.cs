using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;

namespace QuantGen.Nn;

/// <summary>
/// The declaration order of each module class's child fields, recorded at compile time by QuantGen's generator: every
/// C# compilation that references the QuantGen package (this runtime included) registers its module classes from a
/// module initializer, before any of them can be constructed. Reflection does not promise to list fields in
/// declaration order, and NativeAOT has no metadata tokens to sort them by; this record is what keeps
/// <see cref="Module.NamedChildren"/>, and so state dicts, in PyTorch's order under the JIT and NativeAOT alike.
/// Called by generated code; not for use by hand.
/// </summary>
/// <remarks>Safe for concurrent use: registration and lookup may run on any threads at once.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ChildOrder
{
    private static readonly ConcurrentDictionary<(Assembly Assembly, string TypeName), string[]> Orders = new();

    /// <summary>
    /// Records that the class <paramref name="typeName"/> (its <see cref="Type.FullName"/>; a generic class's
    /// definition) of <paramref name="assembly"/> declares the child fields <paramref name="fieldNames"/> in this order.
    /// </summary>
    public static void Register(Assembly assembly, string typeName, params string[] fieldNames)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(fieldNames);
        Orders[(assembly, typeName)] = fieldNames;
    }

    /// <summary>The recorded order of <paramref name="type"/>'s own child fields, or null if none was registered.</summary>
    internal static string[]? Of(Type type)
    {
        Type definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return definition.FullName is { } name && Orders.TryGetValue((definition.Assembly, name), out var order) ? order : null;
    }
}
