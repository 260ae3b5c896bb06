namespace QuantGen.Kernels.Int8;

/// <summary>Per-channel arrays (offsets, multipliers, zero points) laid out in the lane order a kernel leaves its channels in.</summary>
internal static class ChannelOrder
{
    /// <summary>
    /// <paramref name="values"/> in groups of <paramref name="group"/>, the value at <c>j</c> of each group moved to
    /// <paramref name="slotOf"/>(j) of the same group. A value whose slot falls past the end is dropped: that happens only
    /// in a last, partial group, past every real channel (the arrays are padded to whole groups of real channels), where
    /// the values are zeros.
    /// </summary>
    public static PinnedBuffer<T> Reordered<T>(ReadOnlySpan<T> values, int group, Func<int, int> slotOf)
        where T : unmanaged
    {
        var reordered = new PinnedBuffer<T>(values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            int slot = i - i % group + slotOf(i % group);
            if (slot < values.Length) reordered.Span[slot] = values[i];
        }
        return reordered;
    }
}
