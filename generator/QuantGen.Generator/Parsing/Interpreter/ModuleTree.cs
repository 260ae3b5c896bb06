using System.Collections.Generic;
using System.Linq;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Parsing.Interpreter;

/// <summary>
/// Names a built module tree as the runtime's <c>NamedModules()</c> does: depth first, registered children
/// (a Sequential's 0, 1, …) before child fields in declaration order, arrays as <c>name.i</c>, each module once.
/// </summary>
internal sealed class ModuleTree
{
    /// <summary>Deeper trees than this are not walked (the walk recurses); no real model comes close.</summary>
    public const int MaxDepth = 64;

    public List<LayerSpec> Layers { get; } = [];

    public List<BlockSpec> Blocks { get; } = [];

    /// <summary>Every module's path, by reference.</summary>
    public Dictionary<ModuleValue, string> Paths { get; } = [];

    /// <summary>False when the tree is deeper than <see cref="MaxDepth"/>.</summary>
    public bool Complete { get; private set; } = true;

    public static ModuleTree Walk(ModuleValue root)
    {
        var tree = new ModuleTree();
        tree.Visit(root, "", 0);
        return tree;
    }

    private void Visit(ModuleValue module, string path, int depth)
    {
        if (Paths.ContainsKey(module)) return;
        if (depth > MaxDepth)
        {
            Complete = false;
            return;
        }

        Paths[module] = path;
        if (module.Op is { } op)
        {
            Layers.Add(new LayerSpec(path, op, module.LeafArgs.ToEquatableArray(), LocationInfo.From(module.Creation)));
            return;
        }

        if (path.Length > 0)
        {
            string arguments = module.Arguments.Length > 0 || module.Registered.Count == 0 || !IsPlainSequential(module)
                ? module.Arguments
                : string.Join(", ", module.Registered.Select(child => child.Type.Name));
            Blocks.Add(new BlockSpec(path, module.Type.Name, arguments, LocationInfo.From(module.Creation)));
        }

        for (int i = 0; i < module.Registered.Count; i++) Visit(module.Registered[i], Join(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), depth + 1);
        foreach (string member in module.ChildMembers)
        {
            switch (module.Fields.TryGetValue(member, out object? value) ? value : null)
            {
                case ModuleValue child:
                    Visit(child, Join(path, member), depth + 1);
                    break;
                case ListValue array:
                    for (int i = 0; i < array.Items.Count; i++)
                    {
                        if (array.Items[i] is ModuleValue element) Visit(element, Join(path, member + "." + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), depth + 1);
                    }

                    break;
            }
        }
    }

    private static bool IsPlainSequential(ModuleValue module) => ConstantInterpreter.IsNamed(module.Type, ConstantInterpreter.SequentialType);

    private static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "." + name;
}
