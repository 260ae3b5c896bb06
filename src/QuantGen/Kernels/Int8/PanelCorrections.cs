using System.Runtime.CompilerServices;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="StepPairing"/>'s corrections by panel, in the slots the panel's sums use, for
/// <see cref="GemmDriver{TTile, TExact}"/> to add to a tile's int32 sums before they are requantized. Read-only once
/// built, so any number of threads may apply them at once.
/// </summary>
internal sealed unsafe class PanelCorrections
{
    private readonly PinnedBuffer<int> starts;
    private readonly PinnedBuffer<Entry> entries;

    /// <summary>Sorts <paramref name="corrections"/> of an N-column GEMM into panels of <paramref name="width"/> columns;
    /// <paramref name="slotOfColumn"/> says where a panel keeps column j's sum (the packing's order), or is null for slot j.</summary>
    public PanelCorrections(ReadOnlySpan<Correction> corrections, int n, int width, Func<int, int>? slotOfColumn)
    {
        int panels = (n + width - 1) / width;
        starts = new PinnedBuffer<int>(panels + 1);
        entries = new PinnedBuffer<Entry>(Math.Max(1, corrections.Length));
        var byPanel = new List<Entry>[panels];
        for (int panel = 0; panel < panels; panel++) byPanel[panel] = [];
        foreach (Correction c in corrections)
        {
            int j = c.Column % width;
            byPanel[c.Column / width].Add(new Entry(c.K, slotOfColumn is null ? j : slotOfColumn(j), c.Delta));
        }
        int next = 0;
        for (int panel = 0; panel < panels; panel++)
        {
            starts.Span[panel] = next;
            foreach (Entry entry in byPanel[panel]) entries.Span[next++] = entry;
        }
        starts.Span[panels] = next;
    }

    /// <summary>Whether panel <paramref name="panel"/> has any correction: pairing leaves most panels without one.</summary>
    public bool Any(int panel) => starts.Pointer[panel + 1] > starts.Pointer[panel];

    /// <summary>Panel <paramref name="panel"/>'s corrections, for a tile that adds them to its accumulators in registers.</summary>
    public Span Of(int panel) => new(entries.Pointer + starts.Pointer[panel], entries.Pointer + starts.Pointer[panel + 1]);

    /// <summary>
    /// Adds panel <paramref name="panel"/>'s corrections for the four rows <paramref name="a0"/>…<paramref name="a3"/>
    /// of a tile to their <paramref name="sums"/>, <paramref name="width"/> a row. The adds wrap, as the sums do.
    /// </summary>
    /// <remarks>
    /// The tile's row pointers come in ready, and its four adds are unrolled: indexing <see cref="Rows"/> for every row
    /// and correction (the multiply, the last-row test) took about twenty instructions an add, and the 32 → 16
    /// projection at 112×112 with its two corrections 119 µs where it now takes 107 (Zen 4). Adding whole vectors
    /// instead, so that the requantize's vector loads would not wait on a narrower store, measured slower still.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(int panel, byte* a0, byte* a1, byte* a2, byte* a3, int* sums, int width)
    {
        Entry* entry = entries.Pointer + starts.Pointer[panel], end = entries.Pointer + starts.Pointer[panel + 1];
        for (; entry < end; entry++)
        {
            int k = entry->K, delta = entry->Delta;
            int* sum = sums + entry->Slot;
            unchecked
            {
                sum[0] += a0[k] * delta;
                sum[width] += a1[k] * delta;
                sum[2 * width] += a2[k] * delta;
                sum[3 * width] += a3[k] * delta;
            }
        }
    }

    /// <summary>As <see cref="Apply(int, byte*, byte*, byte*, byte*, int*, int)"/> for one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Apply(int panel, byte* a, int* sums)
    {
        Entry* entry = entries.Pointer + starts.Pointer[panel], end = entries.Pointer + starts.Pointer[panel + 1];
        for (; entry < end; entry++)
        {
            unchecked { sums[entry->Slot] += a[entry->K] * entry->Delta; }
        }
    }

    /// <summary>One correction: the product of the activation at <see cref="K"/> and <see cref="Delta"/>, added to the sum in <see cref="Slot"/>.</summary>
    public readonly record struct Entry(int K, int Slot, int Delta);

    /// <summary>One panel's corrections: none for most panels (an empty span costs a tile one compare).</summary>
    public readonly struct Span(Entry* first, Entry* end)
    {
        public Entry* First => first;

        public Entry* End => end;
    }
}
