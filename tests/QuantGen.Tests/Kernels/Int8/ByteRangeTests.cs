using QuantGen.Kernels.Int8;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary><see cref="ByteRange.AnyAbove127"/>, which picks <c>vpmaddubsw</c> or exact pairs per row block, against a plain scan.</summary>
public sealed unsafe class ByteRangeTests
{
    [Fact]
    public void FindsEveryByteAbove127AndOnlyThose()
    {
        var random = new Random(6101);
        for (int k = 1; k <= 70; k++)
        {
            foreach (int rows in new[] { 1, 2, 5, 9 })
            {
                // The rows in place (k apart, as a layer's buffer holds them) and the last one in a separate padded copy.
                byte[] data = new byte[rows * k], last = new byte[k + 64];
                for (int i = 0; i < data.Length; i++) data[i] = (byte)random.Next(128);
                int hot = random.Next(-2, data.Length);   // none about one time in (rows·k + 2) / 2
                if (hot >= 0) data[hot] = (byte)random.Next(128, 256);
                Array.Copy(data, (rows - 1) * k, last, 0, k);
                last[k] = 255;   // past K: never looked at
                int start = random.Next(rows), end = random.Next(start + 1, rows + 1);
                bool expected = hot >= start * k && hot < end * k;
                fixed (byte* a = data)
                fixed (byte* copy = last)
                {
                    Assert.True(expected == ByteRange.AnyAbove127(new Rows(a, k, rows, copy), start, end, k),
                        $"k {k}, rows {start}…{end} of {rows}, byte above 127 at {hot}");
                }
            }
        }
    }

    [Fact]
    public void ARunOfAnyLengthFindsAByteAbove127AnywhereInIt()
    {
        // Lengths across the byte loop, the single vectors and the four-vector steps (128 bytes), with the byte at every
        // place that ends or starts a load, or at none; the bytes around the run are above 127 and must not count.
        var random = new Random(6102);
        byte[] buffer = new byte[700];
        for (int length = 0; length <= 600; length++)
        {
            var places = new HashSet<int> { -1, 0, length - 1, length / 2, random.Next(Math.Max(length, 1)) };
            for (int edge = 32; edge < length; edge += 32)
            {
                places.Add(edge - 1);
                places.Add(edge);
            }
            foreach (int hot in places)
            {
                if (hot >= length) continue;
                Array.Fill(buffer, (byte)200);
                for (int i = 0; i < length; i++) buffer[50 + i] = (byte)random.Next(128);
                if (hot >= 0) buffer[50 + hot] = (byte)random.Next(128, 256);
                fixed (byte* b = buffer)
                {
                    Assert.True((hot >= 0) == ByteRange.AnyAbove127(b + 50, length), $"length {length}, byte above 127 at {hot}");
                }
            }
        }
    }
}
