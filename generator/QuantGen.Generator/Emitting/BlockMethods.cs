using System;
using System.Collections.Generic;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// Which steps of a pass the emitter groups into one method per block, so that the generated
/// <c>Forward</c> reads as the model does (<c>Features3(); // InvertedResidual(24, 24, 1, 6)</c>). A step belongs to
/// the outermost block around it that is a class of the user's (Sequential containers such as <c>features</c> hold
/// whole networks and are not grouped); a block whose steps do not run one after another is not grouped either.
/// </summary>
internal sealed class BlockMethods
{
    public sealed record Block(BlockSpec Spec, string Method, int First, int Last);

    private readonly Block?[] byStep;

    private BlockMethods(Block?[] byStep, List<Block> all) => (this.byStep, All) = (byStep, all);

    public IReadOnlyList<Block> All { get; }

    public Block? Of(int step) => byStep[step];

    public static BlockMethods For(ModelPlan plan, PassProgram program, string[] stepNames)
    {
        ModelSpec model = plan.Model;
        var owner = new BlockSpec?[program.Steps.Count];
        for (int i = 0; i < owner.Length; i++) owner[i] = model.OutermostBlock(model.Forward[i].Block);

        // Block methods sit beside the step methods and Int8's own members.
        var used = new HashSet<string>(stepNames, StringComparer.Ordinal);
        used.UnionWith(StepNames.Reserved);
        var all = new List<Block>();
        var byStep = new Block?[owner.Length];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int first = 0; first < owner.Length;)
        {
            BlockSpec? spec = owner[first];
            int last = first;
            while (last + 1 < owner.Length && owner[last + 1] == spec) last++;
            // A block met a second time runs interleaved with others, one that holds the QuantStub or the DeQuantStub
            // would need Forward's input or output, and one across the pass's head would run on both sides of it:
            // leave their steps in Forward.
            if (spec is not null && (ReadsOrWritesCaller(program, first, last) || Straddles(program, first, last)))
            {
                seen.Add(spec.Path);
            }
            else if (spec is not null && seen.Add(spec.Path))
            {
                var block = new Block(spec, Unique(StepNames.Pascal(spec.Path), used), first, last);
                all.Add(block);
                for (int i = first; i <= last; i++) byStep[i] = block;
            }
            else if (spec is not null)
            {
                foreach (Block earlier in all)
                {
                    if (earlier.Spec == spec) Ungroup(earlier, byStep);
                }
            }

            first = last + 1;
        }

        all.RemoveAll(block => byStep[block.First] != block);
        return new BlockMethods(byStep, all);
    }

    /// <summary>Whether steps <paramref name="first"/>…<paramref name="last"/> lie on both sides of the pass's head (the planner splits between blocks).</summary>
    private static bool Straddles(PassProgram program, int first, int last) =>
        program.Head is { } head && first < head.Steps && head.Steps <= last;

    private static bool ReadsOrWritesCaller(PassProgram program, int first, int last)
    {
        for (int i = first; i <= last; i++)
        {
            if (program.Steps[i].Lowering.UsesCaller) return true;
        }

        return false;
    }

    private static void Ungroup(Block block, Block?[] byStep)
    {
        for (int i = block.First; i <= block.Last; i++) byStep[i] = null;
    }

    private static string Unique(string name, HashSet<string> used)
    {
        string unique = name;
        for (int n = 2; !used.Add(unique); n++) unique = name + "Block" + (n == 2 ? "" : n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return unique;
    }
}
