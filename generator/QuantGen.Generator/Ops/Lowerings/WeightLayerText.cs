using QuantGen.Generator.Emitting;

namespace QuantGen.Generator.Ops.Lowerings;

/// <summary>The comment of a layer with int8 weights, fused or not.</summary>
internal static class WeightLayerText
{
    public static string Describe(StepText step, string fusion) =>
        fusion.Length > 0
            ? $"{step.Subject} {fusion}."
            : $"{step.Subject}: int8 weights, int32 bias at s_in·s_w, requantized to its output's qparams.";
}
