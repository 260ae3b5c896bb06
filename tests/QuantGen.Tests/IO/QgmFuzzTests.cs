using QuantGen.IO.Qgm;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using QuantGen.Tests.IO.Fuzzing;
using static QuantGen.Tests.IO.QgmTestModels;

namespace QuantGen.Tests.IO;

/// <summary>
/// 5,200 damaged or doctored copies of a saved small CNN (seeded, see <see cref="QgmMutations"/>): each must be rejected
/// with a <see cref="QuantGenException"/>, or load and then run, eagerly and through the generated
/// <see cref="SmallCnn.Int8"/>, to finite logits. A file whose values the kernels cannot take must not get past the
/// load; the only typed refusals left to running are those a well-formed file can ask for: a layer saved uncalibrated,
/// or fusions other than the class's <c>[Fuse]</c> (which the generated pass refuses).
/// </summary>
public sealed class QgmFuzzTests
{
    private const int Iterations = 5200;

    [Fact]
    public void Corrupt_files_are_refused_with_a_QuantGenException_or_load_and_run()
    {
        using var temp = new TempDirectory();
        var mutations = new QgmMutations(File.ReadAllBytes(SavedSmallCnn(temp)));
        float[] image = Fixtures.LoadProbeImages().Data[..784].ToArray();
        var random = new Random(16_2026);
        var failures = new List<string>();
        int rejected = 0, ran = 0, uncalibrated = 0, otherLayout = 0;
        var fresh = new SmallCnn();

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            var (file, mutation) = mutations.Next(random);
            SmallCnn model;
            try
            {
                model = QgmFile.Load(fresh, file, "fuzzed.qgm");
            }
            catch (QuantizationException e)
            {
                // Only a model that is not fresh gets this: a refused load changed the model it was given.
                failures.Add($"iteration {iteration}, {mutation}: a refused load left the model changed: {e.Message}");
                fresh = new SmallCnn();
                continue;
            }
            catch (QuantGenException)
            {
                // A refused load leaves the model as it was, so the next variant loads into the same one.
                rejected++;
                continue;
            }
            catch (Exception e)
            {
                failures.Add($"iteration {iteration}, {mutation}: load threw {e.GetType().Name}: {e.Message}");
                fresh = new SmallCnn();
                continue;
            }
            fresh = new SmallCnn();

            try
            {
                RunEagerly(model, image);
            }
            catch (QuantGenException) when (model.Modules().OfType<Layer>().Any(l => l.Substitute is UncalibratedLayer))
            {
                uncalibrated++;
                continue;
            }
            catch (Exception e)
            {
                failures.Add($"iteration {iteration}, {mutation}: loaded, then ran eagerly into {e.GetType().Name}: {e.Message}");
                continue;
            }

            try
            {
                RunGenerated(model, image);
                ran++;
            }
            catch (QuantizationException e) when (e.Message.Contains("in the generated code", StringComparison.Ordinal))
            {
                otherLayout++;
            }
            catch (Exception e)
            {
                failures.Add($"iteration {iteration}, {mutation}: loaded and ran eagerly, then Int8 threw {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} failures:{Environment.NewLine}" + string.Join(Environment.NewLine, failures.Take(20)));
        // Most variants must be refused, and some must get through, or the mutations miss the loader's checks.
        Assert.InRange(rejected, Iterations * 3 / 4, Iterations);
        Assert.InRange(ran, Iterations / 100, Iterations / 4);
        Assert.True(uncalibrated + otherLayout < Iterations / 100, $"{uncalibrated} loaded files with an uncalibrated layer, {otherLayout} fused otherwise than [Fuse] says");
    }

    /// <summary>The loaded model's eager forward pass: finite logits.</summary>
    private static void RunEagerly(SmallCnn model, float[] image)
    {
        Tensor logits = model.Forward(Tensor.FromArray(image, 1, 1, 28, 28));
        Assert.All(logits.Data.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    /// <summary>
    /// The generated pass built from the loaded model: finite logits. A model fused otherwise than the class's
    /// <c>[Fuse]</c> (a file whose fusions were edited, and resealed) is refused by <c>From</c>, saying so.
    /// </summary>
    private static void RunGenerated(SmallCnn model, float[] image)
    {
        var logits = new float[10];
        SmallCnn.Int8.From(model).Forward(image, logits);
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
    }
}
