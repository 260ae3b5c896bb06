namespace QuantGen.Kernels.Float;

/// <summary>
/// Per-thread scratch memory for the float kernels: one pinned array that grows to the largest request
/// seen on the thread and is then reused, so steady-state calls allocate nothing. Pinned so that kernels
/// can hold raw pointers into it without <c>fixed</c>.
/// </summary>
internal static unsafe class FloatScratch
{
    private const int AlignmentFloats = 16; // 64 bytes: one cache line, one 512-bit vector

    [ThreadStatic]
    private static float[]? buffer;

    /// <summary>
    /// 64-byte-aligned room for <paramref name="floats"/> floats, valid until the next call on this thread.
    /// Each public kernel entry calls this once and carves the result, so calls never nest.
    /// </summary>
    public static float* Acquire(long floats)
    {
        long needed = floats + AlignmentFloats;
        if (needed > Array.MaxLength) throw new OutOfMemoryException($"A float kernel asked for {floats} floats of scratch.");
        if (buffer is null || buffer.Length < needed)
        {
            int length = (int)Math.Min(Array.MaxLength, Math.Max(needed, (buffer?.Length ?? 0) * 3L / 2));
            buffer = GC.AllocateUninitializedArray<float>(length, pinned: true);
        }
        fixed (float* start = buffer)
        {
            return (float*)(((nint)start + 63) & ~(nint)63);
        }
    }
}
