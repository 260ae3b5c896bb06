using QuantGen.Nn;

namespace QuantGen.IO.Qgm;

/// <summary>
/// The float model inside a fused, prepared or converted one: its own modules, as the constructor built them,
/// without the substitutes and observers that quantization hung on its layers (which
/// <see cref="Module.NamedModules"/> also lists), and the state each of them owns.
/// </summary>
internal static class FloatTree
{
    /// <summary>The model's modules depth first with their dotted paths, each once, in <see cref="Module.NamedModules"/>'s order.</summary>
    public static List<(string Path, Module Module)> Modules(Module model)
    {
        var result = new List<(string, Module)>();
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        Visit(model, "");
        return result;

        void Visit(Module module, string path)
        {
            if (!seen.Add(module)) return;
            result.Add((path, module));
            var layer = module as Layer;
            foreach (var (name, child) in module.NamedChildren())
            {
                if (layer is not null && (ReferenceEquals(child, layer.Substitute) || ReferenceEquals(child, layer.OutputObserver))) continue;
                Visit(child, path.Length == 0 ? name : $"{path}.{name}");
            }
        }
    }

    /// <summary>
    /// The model's state dict grouped by the module that owns each entry (the path before the entry's last dot:
    /// parameter and buffer names have none of their own), in state dict order.
    /// </summary>
    public static Dictionary<string, List<(string Key, TensorData Value)>> StateByOwner(Module model)
    {
        var owners = new Dictionary<string, List<(string, TensorData)>>(StringComparer.Ordinal);
        foreach (var (key, value) in model.StateDict())
        {
            int dot = key.LastIndexOf('.');
            string owner = dot < 0 ? "" : key[..dot];
            if (!owners.TryGetValue(owner, out var entries)) owners[owner] = entries = [];
            entries.Add((key, value));
        }
        return owners;
    }
}
