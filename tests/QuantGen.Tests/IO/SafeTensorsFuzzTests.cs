using QuantGen.IO;
using QuantGen.Tests.Infrastructure;
using QuantGen.Tests.IO.Fuzzing;

namespace QuantGen.Tests.IO;

/// <summary>
/// Damages the real small_cnn file at random, deterministically (6,000 variants: bytes flipped, cut, the length prefix
/// rewritten, and edits of the header aimed at each rule): every variant must either load or be
/// rejected with a <see cref="QuantGenException"/>. Anything else (an IndexOutOfRange, an OutOfMemory from a
/// trusted length, a raw JsonException…) is a bug, reported with the iteration and the mutation.
/// </summary>
public sealed class SafeTensorsFuzzTests
{
    private const int Iterations = 4000;
    private const int HeaderIterations = 2000;

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
            string mutation = random.Next(8) switch
            {
                < 2 => ByteMutations.Truncate(ref file, random, headerEnd),
                2 => ByteMutations.EditLengthPrefix(file, random),
                _ => ByteMutations.FlipBytes(file, random, headerEnd),
            };
            Count(file, $"iteration {iteration}, {mutation}", ref loaded, ref rejected, failures);
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

    [Fact]
    public void HeaderEdits_EitherLoadOrThrowQuantGenException()
    {
        byte[] original = File.ReadAllBytes(Fixtures.SmallCnnWeights);
        var random = new Random(20260117);
        var failures = new List<string>();
        int loaded = 0, rejected = 0;

        for (int iteration = 0; iteration < HeaderIterations; iteration++)
        {
            var (file, mutation) = HeaderMutations.Apply(original, random);
            Count(file, $"iteration {iteration}, {mutation}", ref loaded, ref rejected, failures);
        }

        Assert.True(failures.Count == 0, $"{failures.Count} untyped exceptions:{Environment.NewLine}" + string.Join(Environment.NewLine, failures.Take(20)));
        // Some edits are harmless (an empty tensor of an odd but valid shape, a number that stays in range).
        Assert.InRange(loaded, HeaderIterations / 50, HeaderIterations / 2);
        Assert.InRange(rejected, HeaderIterations / 2, HeaderIterations);
    }

    /// <summary>Reads one variant: loaded (and then written and read back the same), rejected with a QuantGenException, or a failure.</summary>
    private static void Count(byte[] file, string variant, ref int loaded, ref int rejected, List<string> failures)
    {
        try
        {
            StateDict dict = SafeTensors.Read(file, "fuzzed.safetensors");
            Assert.Equal(dict.Keys, SafeTensors.Read(SafeTensors.Serialize(dict)).Keys);
            loaded++;
        }
        catch (QuantGenException)
        {
            rejected++;
        }
        catch (Exception e)
        {
            failures.Add($"{variant}: {e.GetType().Name}: {e.Message}");
        }
    }
}
