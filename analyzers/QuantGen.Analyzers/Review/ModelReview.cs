using System.Collections.Generic;
using QuantGen.Generator.Model;

namespace QuantGen.Analyzers.Review;

/// <summary>
/// The analyzers' advice on a planned model, as diagnostics in the generator's data form: each rule is a class of
/// its own in this folder. The plan is the generator's, so the advice is about the code the generator writes.
/// </summary>
internal static class ModelReview
{
    public static IEnumerable<DiagnosticInfo> Review(ModelPlan plan, LocationInfo? classLocation, LocationInfo? quantizeLocation)
    {
        var found = new List<DiagnosticInfo>();
        found.AddRange(FloatIslands.Find(plan));
        found.AddRange(FusionOpportunities.Find(plan));
        found.AddRange(UnusedFusePatterns.Find(plan));
        found.AddRange(DynamicMode.Check(plan.Model, quantizeLocation ?? classLocation));
        return found;
    }

    /// <summary>Static and QAT models convert to int8 layers; fusions and float islands concern them only.</summary>
    public static bool ConvertsToInt8(ModelSpec model) => model.Options.Mode is "Static" or "Qat";
}
