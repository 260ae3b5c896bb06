using System.Collections.Generic;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;

namespace QuantGen.Analyzers.Review;

/// <summary>
/// QG0009: layers with no int8 kernel. The converted model dequantizes their input, runs them in float and
/// quantizes their output again, so each costs a round trip over its values (its input and output have one shape).
/// A layer a <c>[Fuse]</c> folds into the one before it (a BatchNorm1d into its Conv1d) runs nowhere: no island.
/// </summary>
internal static class FloatIslands
{
    public static IEnumerable<DiagnosticInfo> Find(ModelPlan plan)
    {
        ModelSpec model = plan.Model;
        if (!ModelReview.ConvertsToInt8(model)) yield break;
        var absorbed = new HashSet<string>();
        foreach (PlannedFusion fusion in plan.Fusions)
        {
            for (int j = 1; j < fusion.Layers.Count; j++) absorbed.Add(fusion.Layers[j]);
        }

        for (int i = 0; i < model.Forward.Count; i++)
        {
            ForwardStep step = model.Forward[i];
            OpArgs args = model.ArgsOf(step);
            if (step.Op.Int8FormFor(args) != Int8Form.FloatIsland || model.Layer(step.Layer) is not LayerSpec layer || absorbed.Contains(step.Layer)) continue;

            long values = 1;
            foreach (int dim in plan.Steps[i].InputShape) values *= dim;
            // An op whose int8 kernel does not cover these arguments says which and why, in place of its kind.
            string kind = step.Op.IslandReason(args) is string reason ? $"{layer.Kind}, {reason}" : layer.Kind;
            yield return DiagnosticInfo.Create(DiagnosticDescriptors.FloatIsland, layer.Location ?? step.Location, layer.Name, kind, values.ToString())
                with { AsError = model.Options.Strict };
        }
    }
}
