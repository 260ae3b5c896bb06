using System.Collections.Generic;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;

namespace QuantGen.Analyzers.Review;

/// <summary>QG0011: a [Fuse] pattern that fuses nothing in the plan (a typo, or a layer since removed).</summary>
internal static class UnusedFusePatterns
{
    public static IEnumerable<DiagnosticInfo> Find(ModelPlan plan)
    {
        var used = new HashSet<EquatableArray<string>>();
        foreach (PlannedFusion fusion in plan.Fusions) used.Add(fusion.Pattern);

        foreach (FusePattern pattern in plan.Model.Fuses)
        {
            if (used.Contains(pattern.Kinds)) continue;
            yield return DiagnosticInfo.Create(DiagnosticDescriptors.UnusedFusePattern, pattern.Location, FusionPatterns.Quoted(pattern.Kinds), plan.Model.ClassName);
        }
    }
}
