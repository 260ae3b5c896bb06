using System.Runtime.InteropServices;
using System.Text.Json;
using QuantGen.IO;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>
/// A model PyTorch trained and quantized (Fixtures/<c>name</c>.py): its float weights (<c>name</c>.safetensors) and what
/// PyTorch computed with them (<c>name</c>.json: logits as float32 hex, top-1 percentages), and the checks against them.
/// </summary>
public sealed class PyTorchFixture(string name)
{
    private readonly Lazy<JsonElement> truth = new(() => JsonDocument.Parse(File.ReadAllText(PathOf(name + ".json"))).RootElement);

    /// <summary>How many MNIST test images (the first) the fixture's logits are for.</summary>
    public int Probes => truth.Value.GetProperty("probes").GetInt32();

    public StateDict Weights() => SafeTensors.Load(PathOf(name + ".safetensors"));

    /// <summary>A float32 array the fixture wrote as hex.</summary>
    public float[] Logits(string property) => MemoryMarshal.Cast<byte, float>(Convert.FromHexString(truth.Value.GetProperty(property).GetString()!)).ToArray();

    public double Number(string property) => truth.Value.GetProperty(property).GetDouble();

    /// <summary>
    /// Every logit within <paramref name="relative"/> of PyTorch's (relative to its size, absolute below 1), and every
    /// sample's argmax PyTorch's.
    /// </summary>
    public static void AssertClose(float[] pytorch, float[] logits, int classes, float relative)
    {
        Assert.Equal(pytorch.Length, logits.Length);
        for (int i = 0; i < logits.Length; i++)
        {
            Assert.True(Math.Abs(logits[i] - pytorch[i]) <= relative * Math.Max(1f, Math.Abs(pytorch[i])),
                $"logit {i % classes} of probe {i / classes}: {logits[i]:R}, PyTorch {pytorch[i]:R}");
        }

        for (int p = 0; p < logits.Length / classes; p++)
        {
            Assert.True(ArgMax(pytorch.AsSpan(p * classes, classes)) == ArgMax(logits.AsSpan(p * classes, classes)), $"the argmax of probe {p}");
        }
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int k = 1; k < values.Length; k++) best = values[k] > values[best] ? k : best;
        return best;
    }

    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);
}
