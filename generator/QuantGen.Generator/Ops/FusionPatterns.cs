using System.Collections.Generic;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Ops;

/// <summary>
/// The <c>[Fuse]</c> vocabulary: the roles a pattern may name (each an op's <see cref="OpDescriptor.FuseRole"/>), and
/// the groups the runtime's fuser accepts (<c>QuantGen.Quantization.Fusion</c>, as PyTorch 1.13's
/// <c>fuse_modules</c>), which the analyzers offer to add. A role covers both dimensionalities — <c>Conv</c> is Conv2d
/// or Conv1d, <c>BN</c> BatchNorm2d or BatchNorm1d — and the shape rules keep a pair within one: a Conv2d's output is
/// no BatchNorm1d's input.
/// </summary>
internal static class FusionPatterns
{
    /// <summary>The roles in registry order: <c>Conv, BN, Linear, ReLU, ReLU6, ConvTranspose</c>.</summary>
    public static readonly IReadOnlyList<string> Roles = RolesOf(OpRegistry.All);

    /// <summary>The groups the runtime fuses, longest first.</summary>
    public static readonly EquatableArray<FusePattern> Fusible = new(new[]
    {
        Of(OpRegistry.Conv2d, OpRegistry.BatchNorm2d, OpRegistry.ReLU),
        Of(OpRegistry.Conv2d, OpRegistry.BatchNorm2d, OpRegistry.ReLU6),
        Of(OpRegistry.Conv2d, OpRegistry.BatchNorm2d),
        Of(OpRegistry.Conv2d, OpRegistry.ReLU),
        Of(OpRegistry.Conv2d, OpRegistry.ReLU6),
        Of(OpRegistry.Linear, OpRegistry.BatchNorm1d),
        Of(OpRegistry.Linear, OpRegistry.ReLU),
        Of(OpRegistry.ConvTranspose2d, OpRegistry.BatchNorm2d),
        Of(OpRegistry.BatchNorm2d, OpRegistry.ReLU),
    });

    /// <summary>How messages show a pattern: <c>[Fuse("Conv", "BN", "ReLU")]</c>.</summary>
    public static string Example => $"[Fuse({Quoted(Fusible[0].Kinds)})]";

    /// <summary><c>"Conv", "BN", "ReLU"</c>: the kinds as the attribute's arguments are written.</summary>
    public static string Quoted(IEnumerable<string> kinds)
    {
        var quoted = new List<string>();
        foreach (string kind in kinds) quoted.Add("\"" + kind + "\"");
        return string.Join(", ", quoted);
    }

    private static FusePattern Of(params OpDescriptor[] ops)
    {
        var roles = new string[ops.Length];
        for (int i = 0; i < ops.Length; i++) roles[i] = ops[i].FuseRole!;
        return new FusePattern(new EquatableArray<string>(roles), null);
    }

    private static List<string> RolesOf(IReadOnlyList<OpDescriptor> ops)
    {
        var roles = new List<string>();
        foreach (OpDescriptor op in ops)
        {
            if (op.FuseRole is string role && !roles.Contains(role)) roles.Add(role);
        }

        return roles;
    }
}
