using QuantGen.IO;

namespace QuantGen.Tests.IO;

/// <summary>
/// Damages small idx files, raw and gzipped, at random (seeded): each must load or throw an
/// <see cref="MnistFormatException"/>, never another exception from the header arithmetic or the inflater.
/// </summary>
public sealed class MnistFuzzTests
{
    private const int Iterations = 600;

    [Fact]
    public void RandomFlipsAndTruncations_EitherLoadOrThrowMnistFormatException()
    {
        using var temp = new TempDirectory();
        string labels = temp.WriteFile("labels.idx1", IdxFiles.Labels(Enumerable.Range(0, 40).Select(i => (byte)(i % 10)).ToArray()));
        byte[] raw = IdxFiles.Images(40, 28, 28, IdxFiles.Ramp(40 * 784));
        byte[][] originals = [raw, IdxFiles.Gzip(raw)];
        var random = new Random(7);
        var failures = new List<string>();
        int loaded = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            byte[] file = (byte[])originals[iteration % 2].Clone();
            string mutation = Mutate(ref file, random);
            string path = temp.WriteFile("fuzzed", file);
            try
            {
                MnistSet.Load(path, labels);
                loaded++;
            }
            catch (MnistFormatException)
            {
            }
            catch (Exception e)
            {
                failures.Add($"iteration {iteration} ({(iteration % 2 == 0 ? "raw" : "gzip")}), {mutation}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        Assert.InRange(loaded, Iterations / 20, Iterations - Iterations / 5);
    }

    /// <summary>Flips 1–4 bits, half the time within the 16-byte header (or gzip's first bytes), or truncates.</summary>
    private static string Mutate(ref byte[] file, Random random)
    {
        if (random.Next(5) == 0)
        {
            int length = random.Next(file.Length);
            file = file[..length];
            return $"truncated to {length} bytes";
        }
        var changes = new List<string>();
        for (int i = random.Next(1, 5); i > 0; i--)
        {
            int position = random.Next(2) == 0 ? random.Next(Math.Min(16, file.Length)) : random.Next(file.Length);
            byte before = file[position];
            file[position] ^= (byte)(1 << random.Next(8));
            changes.Add($"byte {position} 0x{before:X2}->0x{file[position]:X2}");
        }
        return "flipped " + string.Join(", ", changes);
    }
}
