using System.Text.Json;
using QuantGen.IO;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>
/// A network of the zoo (<c>Zoo/</c>): its C# port, its PyTorch weights (safetensors) and its PyTorch truth (JSON: the
/// 64 probe images as bytes, float and int8 logits, observers' qparams, int8 top-1 per qconfig), all made by the
/// Python script beside them.
/// </summary>
public sealed class ZooFixture(string className, string fileStem)
{
    private readonly Lazy<JsonDocument> truth = new(() => JsonDocument.Parse(File.ReadAllBytes(ZooFile(fileStem + ".json"))));

    private readonly Lazy<GeneratorRun> run = new(() => InMemoryAssembly.Compile(
        (File.ReadAllText(ZooFile(className + ".cs")), className + ".cs"), (Sources.Driver(className), "Driver.cs")));

    public JsonElement Truth => truth.Value.RootElement;

    /// <summary>The port and its driver, compiled once with the generator.</summary>
    public GeneratorRun Run => run.Value;

    public static string ZooFile(string name) => Path.Combine(SampleSources.RepoRoot, "tests", "QuantGen.Generator.Tests", "Zoo", name);

    /// <summary>A fresh model of the port with PyTorch's trained weights, in eval mode.</summary>
    public ICompiledDriver Loaded()
    {
        ICompiledDriver driver = InMemoryAssembly.Driver(Run, "Sample.Driver");
        driver.Model.LoadStateDict(SafeTensors.Load(ZooFile(fileStem + ".safetensors")));
        driver.Model.Eval();
        return driver;
    }

    /// <summary>The first 64 test images, stored as bytes in the fixture, normalised as MNIST's loader does (and PyTorch did).</summary>
    public Tensor Probes()
    {
        byte[] pixels = Convert.FromBase64String(Truth.GetProperty("probes").GetString()!);
        Assert.True(pixels.AsSpan().SequenceEqual(CompiledModels.Mnist.Value.Test.Pixels[..pixels.Length]), "the probes are the first 64 test images");
        return new Tensor(new Shape(64, 1, 28, 28), [.. pixels.Select(MnistSet.Normalize)]);
    }

    /// <summary>Rows of logits, flattened.</summary>
    public static float[] Logits(JsonElement rows) => [.. rows.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle())];

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }

        return best;
    }
}
