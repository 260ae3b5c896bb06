using QuantGen.IO;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.IO;

/// <summary>
/// Damages the real small_cnn file at random, deterministically: every variant must either load or be
/// rejected with a <see cref="QuantGenException"/>. Anything else (an IndexOutOfRange, an OutOfMemory from a
/// trusted length, a raw JsonException…) is a bug, reported with the iteration and the mutation.
/// </summary>
public sealed class SafeTensorsFuzzTests
{
    private const int Iterations = 4000;

    // Bytes that change JSON's meaning rather than just a value.
    private static readonly byte[] JsonBytes = "{}[]\":,-0123456789.eE \\nu"u8.ToArray();

    [Fact]
    public void RandomFlipsAndTruncations_EitherLoadOrThrowQuantGenException()
    {
        byte[] original = File.ReadAllBytes(Fixtures.SmallCnnWeights);
        int headerEnd = 8 + SafeTensorsFiles.HeaderLength(original);
        var random = new Random(20240601);
        var failures = new List<string>();
        int loaded = 0, rejected = 0;
        long largestIteration = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            byte[] file = (byte[])original.Clone();
            string mutation = random.Next(4) == 0
                ? Truncate(ref file, random, headerEnd)
                : FlipBytes(file, random, headerEnd);
            try
            {
                StateDict dict = SafeTensors.Read(file, "fuzzed.safetensors");
                // Whatever was accepted must also be writable and read back the same.
                Assert.Equal(dict.Keys, SafeTensors.Read(SafeTensors.Serialize(dict)).Keys);
                loaded++;
            }
            catch (QuantGenException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                failures.Add($"iteration {iteration}, {mutation}: {e.GetType().Name}: {e.Message}");
            }

            largestIteration = Math.Max(largestIteration, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        // Both outcomes must be common, or the mutations are not exercising the parser.
        Assert.InRange(loaded, Iterations / 20, Iterations);
        Assert.InRange(rejected, Iterations / 4, Iterations);
        // A header that lies about sizes must be rejected before anything is allocated for it: no iteration
        // allocates more than a few copies of the file (a clone, a read, a write and a read back).
        Assert.True(largestIteration < 16L * original.Length, $"one iteration allocated {largestIteration:N0} bytes for a {original.Length:N0}-byte file.");
    }

    /// <summary>
    /// Changes 1–8 bytes within one region picked per iteration: the length prefix (rarely, as almost any
    /// change there is caught at once), the JSON header (mostly), or anywhere. In the header, digits tend to
    /// become other digits so that shapes and offsets lie while the JSON stays valid.
    /// </summary>
    private static string FlipBytes(byte[] file, Random random, int headerEnd)
    {
        (int from, int to, string region) = random.Next(10) switch
        {
            0 => (0, 8, "prefix"),
            < 8 => (8, headerEnd, "header"),
            _ => (0, file.Length, "anywhere"),
        };
        int count = random.Next(1, 9);
        var changes = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            int position = random.Next(from, to);
            byte before = file[position];
            file[position] = random.Next(3) switch
            {
                0 when char.IsAsciiDigit((char)before) => (byte)('0' + random.Next(10)),
                1 => JsonBytes[random.Next(JsonBytes.Length)],
                _ => (byte)(before ^ (1 << random.Next(8))),
            };
            changes.Add($"byte {position} 0x{before:X2}->0x{file[position]:X2}");
        }
        return $"flipped in the {region}: " + string.Join(", ", changes);
    }

    /// <summary>Cuts the file short: usually inside the prefix or header, sometimes inside the data.</summary>
    private static string Truncate(ref byte[] file, Random random, int headerEnd)
    {
        int length = random.Next(2) == 0 ? random.Next(headerEnd + 1) : random.Next(headerEnd, file.Length);
        file = file[..length];
        return $"truncated to {length} bytes";
    }
}
