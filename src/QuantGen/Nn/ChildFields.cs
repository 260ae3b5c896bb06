using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace QuantGen.Nn;

/// <summary>
/// Finds a module's children among its fields, once per type: fields of module type, and arrays of modules,
/// in declaration order from the base class down (metadata order is declaration order in C#).
/// </summary>
internal static class ChildFields
{
    public const DynamicallyAccessedMemberTypes Members =
        DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields;

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

    private static FieldInfo[] FieldsOf([DynamicallyAccessedMembers(Members)] Type type) =>
        Cache.GetOrAdd(type, static t => Discover(t));

    [UnconditionalSuppressMessage("Trimming", "IL2075",
        Justification = "Module is annotated with DynamicallyAccessedMembers(fields), which keeps the fields of every derived type; base types are walked from there.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "As above: the annotated type itself.")]
    private static FieldInfo[] Discover(Type type)
    {
        var levels = new List<Type>();
        for (Type? t = type; t is not null && t != typeof(Module); t = t.BaseType) levels.Add(t);
        levels.Reverse();

        var fields = new List<FieldInfo>();
        foreach (var level in levels)
        {
            fields.AddRange(level
                .GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => typeof(Module).IsAssignableFrom(f.FieldType) || IsModuleArray(f.FieldType))
                .Where(f => !f.IsDefined(typeof(NotAChildAttribute), inherit: false))
                .OrderBy(f => f.MetadataToken));
        }
        return [.. fields];
    }

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
