using QuantGen.Naming;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>Which layers a list of module paths keeps in float: what <see cref="EagerQuantization.Prepare"/> reads from <c>keepFloat</c>.</summary>
internal static class KeptLayers
{
    /// <summary>
    /// The layers under each path (the layer itself, or every layer inside a container such as a block), except the
    /// QuantStubs and DeQuantStubs, which stay the conversions they are. A layer fused into another stands for the layer
    /// it runs inside: the fused layer is kept.
    /// </summary>
    /// <exception cref="UnknownModulePathException">A path names no module; names the closest existing path.</exception>
    /// <exception cref="QuantizationException">A path keeps a FloatFunctional, which has no float form inside a converted model yet.</exception>
    public static HashSet<Layer> Resolve(Module model, IEnumerable<string> paths)
    {
        var modules = model.NamedModules().Where(m => m.Name.Length > 0 && !IsObserver(m.Module)).ToList();
        var kept = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
        foreach (string path in paths)
        {
            ArgumentNullException.ThrowIfNull(path, nameof(paths));
            if (!modules.Exists(m => m.Name == path))
            {
                throw new UnknownModulePathException(model.GetType().Name, path, ClosestName.Find(path, modules.Select(m => m.Name)));
            }
            foreach (var (name, module) in modules)
            {
                if (Covers(path, name) && module is Layer layer && Keepable(layer) is { } keptLayer) kept.Add(keptLayer);
            }
        }
        return kept;
    }

    /// <summary>True if <paramref name="name"/> is <paramref name="path"/> or lies under it.</summary>
    private static bool Covers(string path, string name) =>
        name.Length == path.Length ? name == path : name.Length > path.Length && name[path.Length] == '.' && name.StartsWith(path, StringComparison.Ordinal);

    private static Layer? Keepable(Layer layer)
    {
        if (layer is QuantStub or DeQuantStub) return null;
        if (Fusion.FusedInto(layer) is { } head) return head;
        if (layer is FloatFunctional)
        {
            throw new QuantizationException($"'{layer.Path}' is a FloatFunctional, which cannot be kept in float inside a converted model yet: keep the layers around it instead.");
        }
        return layer;
    }

    private static bool IsObserver(Module module) => module is Observer or FakeQuantize;
}
