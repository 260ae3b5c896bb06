using System.Runtime.InteropServices;
using QuantGen.IO;
using QuantGen.Kernels.Int8;
using QuantGen.Models;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using QuantGen.Tests.Kernels.Int8;
using QuantGen.Tests.Quantization;
using Xunit.Abstractions;

namespace QuantGen.Tests.Models;

/// <summary>
/// The ImageNet-size fixture (<c>mobilenetv2-224</c>), calibrated as its README says PyTorch's int8 model was: the
/// generated int8 pass on the fixture's four probes, against PyTorch's int8 logits and against the converted model on
/// the reference kernels, on every int8 kernel path. Its shapes (3 input channels, 112×112 depthwise layers, 1000
/// classes) are ones the MNIST models never build.
/// </summary>
public sealed class ImageNetFixtureTests(ITestOutputHelper output)
{
    private const int Probes = 4, Classes = MobileNetV2ImageNet.Classes, Image = 3 * 224 * 224;

    /// <summary>The README's bar: PyTorch itself moves this many output steps between calibrations on 1 and 2 threads.</summary>
    private const int PyTorchRunToRunSteps = 6;

    private static readonly Lazy<MobileNetV2ImageNet> Converted = new(CalibrateAndConvert);
    private static readonly Lazy<Tensor> ProbeImages = new(() => Tensor.FromArray(Floats("probe4.f32"), Probes, 3, 224, 224));
    private static readonly Lazy<Tensor> ReferenceLogits = new(() => EagerReference.Forward(Converted.Value, ProbeImages.Value));

    [Fact]
    public void Generated_int8_logits_are_within_PyTorchs_run_to_run_distance_of_its_int8_logits()
    {
        float[] logits = Generated(MobileNetV2ImageNet.Int8.From(Converted.Value));
        float[] pyTorch = Floats("probe4_int8_logits.f32");
        float outputScale = (float)ClassifierOutputScale();

        int steps = 0;
        for (int i = 0; i < Probes; i++)
        {
            ReadOnlySpan<float> ours = logits.AsSpan(i * Classes, Classes), theirs = pyTorch.AsSpan(i * Classes, Classes);
            Assert.True(Classification.ArgMax(ours) == Classification.ArgMax(theirs), $"probe {i}: class {Classification.ArgMax(ours)}, PyTorch's {Classification.ArgMax(theirs)}");
            for (int c = 0; c < Classes; c++) steps = Math.Max(steps, (int)MathF.Round(MathF.Abs(ours[c] - theirs[c]) / outputScale));
        }
        output.WriteLine($"Largest distance from PyTorch's int8 logits: {steps} output steps (bar: {PyTorchRunToRunSteps}).");
        Assert.InRange(steps, 0, PyTorchRunToRunSteps);
    }

    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void Generated_int8_logits_equal_the_reference_kernels_bit_for_bit(Int8KernelPath path)
    {
        MobileNetV2ImageNet converted = Converted.Value;   // calibrated and converted outside the forced path: only the pass is built on it
        MobileNetV2ImageNet.Int8 pass;
        using (Int8Paths.Force(path, output)) pass = MobileNetV2ImageNet.Int8.From(converted);

        float[] logits = Generated(pass);

        EagerReference.AssertBits(ReferenceLogits.Value, Tensor.FromArray(logits, Probes, Classes), $"224×224 probes on {path}");
    }

    /// <summary>
    /// The pass runs its first blocks one sample at a time and the rest as one pass of up to four (the generator's head):
    /// a batch of 3 and one of 6 (a pass of four, then one of two) give each sample the logits it gets alone.
    /// </summary>
    [Fact]
    public void Every_batch_size_gives_each_sample_its_logits_alone()
    {
        var pass = MobileNetV2ImageNet.Int8.From(Converted.Value);
        float[] images = ProbeImages.Value.Data;
        var alone = new float[Probes * Classes];
        for (int i = 0; i < Probes; i++) pass.Forward(images.AsSpan(i * Image, Image), alone.AsSpan(i * Classes, Classes), 1);

        var three = new float[3 * Classes];
        pass.Forward(images.AsSpan(0, 3 * Image), three, 3);
        Assert.Equal(alone.AsSpan(0, 3 * Classes).ToArray(), three);

        int[] order = [3, 1, 0, 2, 2, 1];
        var six = new float[order.Length * Image];
        for (int i = 0; i < order.Length; i++) images.AsSpan(order[i] * Image, Image).CopyTo(six.AsSpan(i * Image));
        var sixLogits = new float[order.Length * Classes];
        pass.Forward(six, sixLogits, order.Length);
        for (int i = 0; i < order.Length; i++)
        {
            Assert.True(alone.AsSpan(order[i] * Classes, Classes).SequenceEqual(sixLogits.AsSpan(i * Classes, Classes)), $"sample {i} (probe {order[i]}) of 6");
        }
    }

    private static float[] Generated(MobileNetV2ImageNet.Int8 pass)
    {
        var logits = new float[Probes * Classes];
        pass.Forward(ProbeImages.Value.Data, logits, Probes);
        return logits;
    }

    private static MobileNetV2ImageNet CalibrateAndConvert()
    {
        var model = new MobileNetV2ImageNet();
        model.Network.LoadStateDict(SafeTensors.Load(Fixture("mnv2_224_float.safetensors")));
        float[] calibration = Floats("calib32.f32");
        // PyTorch's default_qconfig over the 32 calibration images in batches of 8, as the README's script ran them.
        IEnumerable<Tensor> Batches()
        {
            for (int start = 0; start < 32; start += 8) yield return Tensor.FromArray(calibration.AsSpan(start * Image, 8 * Image).ToArray(), 8, 3, 224, 224);
        }
        model.Calibrate(Batches(), QConfig.Default).Convert();
        return model;
    }

    private static double ClassifierOutputScale()
    {
        using var meta = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Fixture("meta.json")));
        return meta.RootElement.GetProperty("classifier_output").GetProperty("scale").GetDouble();
    }

    private static float[] Floats(string file) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Fixture(file))).ToArray();

    private static string Fixture(string file) => SharedData.Fixture("mobilenetv2-224", file);
}
