using System.Collections.Generic;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Planning;

/// <summary>
/// Places the int8 program's buffers in one byte arena at compile time: each buffer is alive from the step that
/// writes it to the last step that reads it (aliases included), and takes the lowest 64-byte-aligned offset where
/// it overlaps no buffer alive at the same time (first fit, in the order the buffers are written). A step's output
/// never shares bytes with its inputs: both are alive at that step.
/// </summary>
internal static class ArenaPlanner
{
    /// <summary>A cache line, and what SIMD loads of any width want.</summary>
    public const int Alignment = 64;

    /// <summary>The most bytes one arena may take: the longest array .NET allocates (<c>Array.MaxLength</c>).</summary>
    public const int MaxLength = 0x7FFFFFC7;

    /// <summary>
    /// Where, after the bytes of a value of <paramref name="values"/> elements, the float values a layer kept in float
    /// wrote begin: the next aligned offset, so that both live in the value's one slot.
    /// </summary>
    public static int KeptFloatsOffset(int values) => (int)Align(values);

    /// <summary>The bytes of a kept layer's value: its quint8 bytes, then its floats.</summary>
    public static long KeptFloatsSlot(int values) => Align(values) + 4L * values;

    /// <summary>One buffer to place: the value that owns it, its length in bytes, and its live steps [First, Last].</summary>
    public readonly record struct Buffer(int Value, int Length, int First, int Last);

    /// <summary>
    /// The slots and the arena's length. A length over <see cref="MaxLength"/> means there is no arena: the
    /// placing stops at the buffer that would end past it, and the length says where that would be.
    /// </summary>
    public static (EquatableArray<ArenaSlot> Slots, long Length) Place(IReadOnlyList<Buffer> buffers)
    {
        var ordered = new List<Buffer>(buffers);
        ordered.Sort(static (a, b) => a.First != b.First ? a.First.CompareTo(b.First) : a.Value.CompareTo(b.Value));

        var placed = new List<ArenaSlot>();
        long length = 0;
        foreach (Buffer buffer in ordered)
        {
            long offset = LowestFreeOffset(placed, buffer);
            length = System.Math.Max(length, Align(offset + buffer.Length));
            if (length > MaxLength) return (EquatableArray<ArenaSlot>.Empty, length);
            placed.Add(new ArenaSlot(buffer.Value, (int)offset, buffer.Length, buffer.First, buffer.Last));
        }

        placed.Sort(static (a, b) => a.Value.CompareTo(b.Value));
        return (placed.ToEquatableArray(), length);
    }

    /// <summary>
    /// The buffers of a program: one per value that owns its storage (<c>storage[v] == v</c>), of
    /// <paramref name="bytes"/> per sample, alive from the step that writes it to the last step that reads it or an
    /// alias of it. Value 0 is the caller's input, never in the arena.
    /// </summary>
    public static List<Buffer> Lifetimes(IReadOnlyList<ProgramStep> steps, int[] storage, System.Func<int, int> bytes)
    {
        var last = new int[storage.Length];
        for (int v = 0; v < last.Length; v++) last[v] = v - 1;
        foreach (ProgramStep step in steps)
        {
            foreach (int input in step.Inputs)
            {
                if (storage[input] > 0) last[storage[input]] = System.Math.Max(last[storage[input]], step.Step);
            }
        }

        var buffers = new List<Buffer>();
        for (int v = 1; v < storage.Length; v++)
        {
            if (storage[v] == v) buffers.Add(new Buffer(v, bytes(v), v - 1, last[v]));
        }

        return buffers;
    }

    private static long LowestFreeOffset(List<ArenaSlot> placed, Buffer buffer)
    {
        var live = new List<ArenaSlot>();
        foreach (ArenaSlot slot in placed)
        {
            if (slot.First <= buffer.Last && buffer.First <= slot.Last) live.Add(slot);
        }

        live.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
        long offset = 0;
        foreach (ArenaSlot slot in live)
        {
            if (offset + buffer.Length <= slot.Offset) break;
            offset = System.Math.Max(offset, Align(slot.Offset + slot.Length));
        }

        return offset;
    }

    private static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;
}
