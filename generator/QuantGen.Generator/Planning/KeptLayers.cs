using System;
using System.Collections.Generic;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Naming;

namespace QuantGen.Generator.Planning;

/// <summary>
/// The layers <c>[KeepFloat]</c> keeps in float, by the rule eager <c>Prepare(model, qconfig, keepFloat)</c> follows: a
/// path keeps the layer it names or every layer under it, but the stubs and pass-throughs (Dropout, Identity); a layer
/// fused into another keeps the fused layer (its head). A path that names no module is QG0015, with the closest path.
/// </summary>
internal static class KeptLayers
{
    /// <summary>The paths of the kept layers (fusion heads for fused layers), and a QG0015 for each unknown path.</summary>
    public static (HashSet<string> Layers, List<DiagnosticInfo> Unknown) Resolve(ModelPlan plan)
    {
        ModelSpec model = plan.Model;
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var unknown = new List<DiagnosticInfo>();
        if (model.KeepFloat.Count == 0) return (kept, unknown);

        var headOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (PlannedFusion fusion in plan.Fusions)
        {
            foreach (string layer in fusion.Layers) headOf[layer] = fusion.Layers[0];
        }

        List<string> paths = AllPaths(model);
        foreach (KeptPath keep in model.KeepFloat)
        {
            if (!paths.Contains(keep.Path))
            {
                string closest = ModulePaths.Closest(keep.Path, paths) ?? "";
                unknown.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownKeepFloatPath, keep.Location, model.ClassName, keep.Path, closest) with { FixValue = closest });
                continue;
            }

            foreach (LayerSpec layer in model.Layers)
            {
                if (!ModulePaths.Covers(keep.Path, layer.Name) || !Keepable(layer.Op)) continue;
                kept.Add(headOf.TryGetValue(layer.Name, out string? head) ? head : layer.Name);
            }
        }

        return (kept, unknown);
    }

    /// <summary>Stubs stay conversions; an op that is the identity in int8 passes on whatever it reads.</summary>
    private static bool Keepable(OpDescriptor op) => op.Int8Form is not (Int8Form.Quantize or Int8Form.Dequantize or Int8Form.Identity);

    /// <summary>Every module path of the class in the order the runtime walks it: each layer after the containers above it.</summary>
    private static List<string> AllPaths(ModelSpec model)
    {
        var paths = new List<string>();
        foreach (LayerSpec layer in model.Layers)
        {
            for (int dot = layer.Name.IndexOf('.'); dot >= 0; dot = layer.Name.IndexOf('.', dot + 1))
            {
                string container = layer.Name.Substring(0, dot);
                if (!paths.Contains(container)) paths.Add(container);
            }

            if (!paths.Contains(layer.Name)) paths.Add(layer.Name);
        }

        foreach (BlockSpec block in model.Blocks)
        {
            if (!paths.Contains(block.Path)) paths.Add(block.Path);
        }

        return paths;
    }
}
