using System;
using System.Collections.Generic;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Planning;

/// <summary>
/// Where a batch is tiled through the first steps of an int8 pass. A pass whose arena lets few samples run at once
/// (MobileNetV2 at 224×224: one) runs a batch sample by sample; its last layers, on small images, would run many at
/// once, reading their weights once for all of them. So the steps up to a block boundary run one sample at a time
/// (the head), and the rest as one pass of the batch (the tail), with the one buffer alive across the boundary copied
/// from the head's region into its sample's place in the tail's.
/// </summary>
/// <remarks>
/// A batch of 8 at 224×224 run as one pass measured no faster than eight passes of one, on Zen 3 and on Sapphire Rapids:
/// the first layers' activations left L2 (the 112² depthwise took 1.7 times as long), where the 7×7 blocks took 0.88–0.93 of
/// their time and the classifier 0.37 (bench/RESULTS.md). The tail starts at the first block boundary from which it
/// runs <see cref="MinGain"/> times the whole pass's samples within the same arena budget.
/// </remarks>
internal static class HeadPlanner
{
    /// <summary>How many times the whole pass's samples a tail must run at once to be worth a head.</summary>
    private const int MinGain = 4;

    /// <summary>The tiled arena: the head, and the tail's slots, length per sample and samples a pass.</summary>
    public sealed record Tiling(PassHead Head, EquatableArray<ArenaSlot> Slots, int Length, int MaxBatch);

    /// <summary>The tiling of a pass whose whole arena runs <paramref name="wholeBatch"/> samples at once, or null where none pays.</summary>
    public static Tiling? Plan(ModelSpec model, IReadOnlyList<ProgramStep> steps, IReadOnlyList<ArenaPlanner.Buffer> buffers, int wholeBatch)
    {
        if (wholeBatch * MinGain > Int8Planner.MaxSamples) return null;
        bool[] splits = Boundaries(model, steps);
        for (int boundary = 1; boundary < steps.Count; boundary++)
        {
            if (!splits[boundary] || Crossing(buffers, boundary) is not { } crossing) continue;
            var tail = new List<ArenaPlanner.Buffer>();
            var head = new List<ArenaPlanner.Buffer>();
            foreach (ArenaPlanner.Buffer buffer in buffers)
            {
                // The crossing buffer is in both: the head writes it, the copy reads it; the tail has it from its start.
                if (buffer.Last >= boundary) tail.Add(buffer.Value == crossing.Value ? buffer with { First = boundary } : buffer);
                if (buffer.First < boundary) head.Add(buffer.Value == crossing.Value ? buffer with { Last = boundary - 1 } : buffer);
            }

            (EquatableArray<ArenaSlot> tailSlots, long tailLength) = ArenaPlanner.Place(tail);
            int tailBatch = Int8Planner.MaxBatch(tailLength, 0);
            if (tailBatch < wholeBatch * MinGain) continue;
            (EquatableArray<ArenaSlot> headSlots, long headLength) = ArenaPlanner.Place(head);
            return new Tiling(new PassHead(boundary, headSlots, (int)headLength, crossing.Value), tailSlots, (int)tailLength, tailBatch);
        }

        return null;
    }

    /// <summary>
    /// Before which steps the pass can split: after every step that reads the caller's input and before every step
    /// that writes the caller's output, and between blocks, so that each block's method runs whole. A block around
    /// the stubs is no method (it reads the caller's input), so the blocks inside it are the ones that count.
    /// </summary>
    private static bool[] Boundaries(ModelSpec model, IReadOnlyList<ProgramStep> steps)
    {
        var splits = new bool[steps.Count];
        int afterInput = 1, beforeOutput = steps.Count;
        for (int i = 0; i < steps.Count; i++)
        {
            if (steps[i].Lowering.ReadsCallerInput) afterInput = i + 1;
            if (steps[i].Lowering.Storage == Ops.StepStorage.CallerOutput) beforeOutput = Math.Min(beforeOutput, i);
        }

        for (int b = afterInput; b <= beforeOutput && b < steps.Count; b++) splits[b] = true;
        foreach (BlockSpec block in model.Blocks)
        {
            if (block.IsContainer) continue;
            int first = -1, last = -1;
            bool caller = false;
            for (int i = 0; i < steps.Count; i++)
            {
                if (!block.Contains(model.Forward[i].Block)) continue;
                if (first < 0) first = i;
                last = i;
                caller |= steps[i].Lowering.UsesCaller;
            }

            for (int b = first + 1; !caller && first >= 0 && b <= last; b++) splits[b] = false;
        }

        return splits;
    }

    /// <summary>The one buffer alive across the boundary, or null where there are several.</summary>
    private static ArenaPlanner.Buffer? Crossing(IReadOnlyList<ArenaPlanner.Buffer> buffers, int boundary)
    {
        ArenaPlanner.Buffer? crossing = null;
        foreach (ArenaPlanner.Buffer buffer in buffers)
        {
            if (buffer.First >= boundary || buffer.Last < boundary) continue;
            if (crossing is not null) return null;
            crossing = buffer;
        }

        return crossing;
    }
}
