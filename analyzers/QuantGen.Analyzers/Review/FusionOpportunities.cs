using System.Collections.Generic;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Planning;

namespace QuantGen.Analyzers.Review;

/// <summary>
/// QG0010: runs of layers that a pattern the runtime can fuse would join, but that no [Fuse] of the class fuses.
/// One diagnostic per pattern (a MobileNetV2 has dozens of runs of one pattern), at the first run's first layer.
/// </summary>
internal static class FusionOpportunities
{
    public static IEnumerable<DiagnosticInfo> Find(ModelPlan plan)
    {
        ModelSpec model = plan.Model;
        if (!ModelReview.ConvertsToInt8(model)) yield break;

        var fused = new HashSet<string>();
        foreach (PlannedFusion fusion in plan.Fusions) fused.UnionWith(fusion.Layers);

        // Runs that overlap a fusion the class already asks for are left alone: the user chose that grouping.
        var runsByPattern = new Dictionary<EquatableArray<string>, List<PlannedFusion>>();
        var order = new List<EquatableArray<string>>();
        foreach (PlannedFusion candidate in ShapePlanner.FindFusions(model, FusionPatterns.Fusible))
        {
            if (fused.Overlaps(candidate.Layers)) continue;
            if (!runsByPattern.TryGetValue(candidate.Pattern, out List<PlannedFusion>? runs))
            {
                runsByPattern[candidate.Pattern] = runs = [];
                order.Add(candidate.Pattern);
            }

            runs.Add(candidate);
        }

        foreach (EquatableArray<string> pattern in order)
        {
            List<PlannedFusion> runs = runsByPattern[pattern];
            PlannedFusion first = runs[0];
            string kinds = FusionPatterns.Quoted(pattern);
            string count = runs.Count == 1 ? "1 run of layers" : $"{runs.Count} runs of layers";
            yield return DiagnosticInfo.Create(DiagnosticDescriptors.FusionOpportunity, model.Layer(first.Layers[0])?.Location,
                count, model.ClassName, kinds, Arrow(first.Layers)) with { FixValue = kinds };
        }
    }

    private static string Arrow(EquatableArray<string> layers)
    {
        var quoted = new List<string>();
        foreach (string layer in layers) quoted.Add("'" + layer + "'");
        return string.Join(" → ", quoted);
    }
}
