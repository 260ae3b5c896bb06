using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="QLookup.Apply"/> with the table held in registers: on AVX-512 VBMI, 64 bytes a step by two
/// <c>vpermi2b</c> (each a 128-entry lookup on the low seven bits) and a select on the top bit; elsewhere, and for
/// the tail, the reference loop. The same bytes either way. Immutable after construction: safe to share.
/// </summary>
internal sealed class Int8Lookup
{
    private readonly byte[] table;

    public Int8Lookup(byte[] table)
    {
        if (table.Length != QLookup.Entries) throw new ArgumentException($"A lookup table has {QLookup.Entries} entries, not {table.Length}.", nameof(table));
        this.table = table;
    }

    public static bool VbmiSupported => Avx512Vbmi.IsSupported && Vector512.IsHardwareAccelerated;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (VbmiSupported) ForwardVbmi(input, output);
        else QLookup.Apply(input, table, output);
    }

    /// <summary>The VBMI path, forced (callers check <see cref="VbmiSupported"/>).</summary>
    internal void ForwardVbmi(ReadOnlySpan<byte> input, Span<byte> output)
    {
        ReferenceChecks.SameLength(input.Length, output.Length, "Lookup");
        int i = 0;
        ref byte tableRef = ref MemoryMarshal.GetArrayDataReference(table);
        Vector512<byte> t0 = Vector512.LoadUnsafe(ref tableRef), t1 = Vector512.LoadUnsafe(ref tableRef, 64);
        Vector512<byte> t2 = Vector512.LoadUnsafe(ref tableRef, 128), t3 = Vector512.LoadUnsafe(ref tableRef, 192);
        ref byte inputRef = ref MemoryMarshal.GetReference(input), outputRef = ref MemoryMarshal.GetReference(output);
        Vector512<byte> high = Vector512.Create((byte)0x80);
        for (; i + 64 <= input.Length; i += 64)
        {
            Vector512<byte> x = Vector512.LoadUnsafe(ref inputRef, (nuint)i);
            Vector512<byte> low = Avx512Vbmi.PermuteVar64x8x2(t0, x, t1);    // entries 0..127 by x & 127
            Vector512<byte> upper = Avx512Vbmi.PermuteVar64x8x2(t2, x, t3);  // entries 128..255 by x & 127
            Vector512<byte> isUpper = Vector512.Equals(x & high, high);
            Vector512.ConditionalSelect(isUpper, upper, low).StoreUnsafe(ref outputRef, (nuint)i);
        }
        QLookup.Apply(input[i..], table, output[i..]);
    }
}
