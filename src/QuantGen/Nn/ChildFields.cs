using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace QuantGen.Nn;

/// <summary>
/// Finds a module's children among its fields, once per type: fields of module type, and arrays of modules,
/// class by class from the base class down, each class's in declaration order as <see cref="ChildOrder"/> recorded it
/// at compile time. A class compiled without QuantGen's generator (not C#, or the generator excluded) keeps the order
/// reflection lists its fields in, which is metadata order on CoreCLR and NativeAOT today but not a promise.
/// </summary>
/// <remarks>Safe for concurrent use: the per-type cache is concurrent, and reading fields changes nothing.</remarks>
internal static class ChildFields
{
    public const DynamicallyAccessedMemberTypes Members =
        DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields;

    private const BindingFlags Declared =
        BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly ConcurrentDictionary<Type, FieldInfo[]> Cache = new();

    public static IEnumerable<(string Name, Module Module)> Read(Module owner)
    {
        foreach (var field in FieldsOf(owner.GetType()))
        {
            string name = NameOf(field);
            switch (field.GetValue(owner))
            {
                case Module child:
                    yield return (name, child);
                    break;
                case Module?[] array:
                    for (int i = 0; i < array.Length; i++)
                    {
                        if (array[i] is { } element) yield return ($"{name}.{i}", element);
                    }
                    break;
            }
        }
    }

    private static FieldInfo[] FieldsOf([DynamicallyAccessedMembers(Members)] Type type)
    {
        if (Cache.TryGetValue(type, out var cached)) return cached;
        var fields = new List<FieldInfo>();
        AddClassAndBases(type, fields);
        return Cache.GetOrAdd(type, fields.ToArray());
    }

    /// <summary>The base classes' children first (below <see cref="Module"/>), then this class's own.</summary>
    private static void AddClassAndBases([DynamicallyAccessedMembers(Members)] Type type, List<FieldInfo> fields)
    {
        if (type == typeof(Module)) return;
        if (BaseModuleClass(type) is { } baseType) AddClassAndBases(baseType, fields);
        fields.AddRange(InDeclarationOrder(type, type.GetFields(Declared).Where(IsChild).ToArray()));
    }

    /// <summary>
    /// The base class, for its own fields. The trim analysis cannot follow <see cref="Type.BaseType"/> with non-public
    /// members, but nothing is lost: <see cref="Module"/>'s <see cref="DynamicallyAccessedMembersAttribute"/> applies to
    /// every class derived from it, and every base class walked here (they stop at Module) is one.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2073",
        Justification = "Every class between a module and Module derives from Module, whose [DynamicallyAccessedMembers(fields)] keeps its fields.")]
    [return: DynamicallyAccessedMembers(Members)]
    private static Type? BaseModuleClass(Type type) => type.BaseType;

    private static IEnumerable<FieldInfo> InDeclarationOrder(Type type, FieldInfo[] own)
    {
        if (own.Length < 2 || ChildOrder.Of(type) is not { } order) return own;
        return own.OrderBy(f => Array.IndexOf(order, f.Name) is int i and >= 0 ? i : int.MaxValue).ThenBy(f => f.Name, StringComparer.Ordinal);
    }

    private static bool IsChild(FieldInfo field) =>
        (typeof(Module).IsAssignableFrom(field.FieldType) || IsModuleArray(field.FieldType))
        && !field.IsDefined(typeof(NotAChildAttribute), inherit: false);

    private static bool IsModuleArray(Type type) =>
        type.IsArray && type.GetElementType() is { } element && typeof(Module).IsAssignableFrom(element);

    /// <summary>An auto-property's backing field <c>&lt;Name&gt;k__BackingField</c> is named as the property.</summary>
    private static string NameOf(FieldInfo field)
    {
        string name = field.Name;
        if (name.StartsWith('<'))
        {
            int end = name.IndexOf('>');
            if (end > 1) return name[1..end];
        }
        return name;
    }
}
