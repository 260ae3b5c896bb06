using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>The lookup kernel's AVX-512 VBMI path equals the reference loop bit for bit, on random tables, inputs and lengths.</summary>
public sealed class Int8LookupTests
{
    private sealed class VbmiFactAttribute : FactAttribute
    {
        public VbmiFactAttribute()
        {
            if (!Int8Lookup.VbmiSupported) Skip = "NOT RUN: this machine has no AVX-512 VBMI, the lookup kernel's vector path.";
        }
    }

    [VbmiFact]
    public void The_VBMI_path_equals_the_reference_on_random_tables_and_lengths()
    {
        var random = new Random(14);
        for (int trial = 0; trial < 200; trial++)
        {
            var table = new byte[QLookup.Entries];
            random.NextBytes(table);
            int length = trial < 130 ? trial : random.Next(130, 5000);   // every tail length, then long runs
            var input = new byte[length];
            random.NextBytes(input);
            var expected = new byte[length];
            var actual = new byte[length];
            QLookup.Apply(input, table, expected);

            new Int8Lookup(table).ForwardVbmi(input, actual);

            Assert.True(expected.AsSpan().SequenceEqual(actual), $"trial {trial}, length {length}");
        }
    }

    [Fact]
    public void Every_byte_goes_through_its_own_entry()
    {
        var table = new byte[QLookup.Entries];
        for (int i = 0; i < table.Length; i++) table[i] = (byte)(255 - i);
        var input = new byte[512];
        for (int i = 0; i < input.Length; i++) input[i] = (byte)(i * 7);
        var output = new byte[input.Length];

        new Int8Lookup(table).Forward(input, output);

        for (int i = 0; i < input.Length; i++) Assert.Equal(255 - input[i], output[i]);
    }
}
