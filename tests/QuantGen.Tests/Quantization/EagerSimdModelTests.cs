using QuantGen.IO;
using QuantGen.Kernels.Int8;
using QuantGen.Models;
using QuantGen.Quantization;
using QuantGen.Tests.IO;
using QuantGen.Tests.Kernels.Int8;
using Xunit.Abstractions;

namespace QuantGen.Tests.Quantization;

/// <summary>
/// Whole converted models, eager on the SIMD kernels against eager on the reference kernels, on MNIST test images:
/// the seed's MobileNetV2 on every int8 kernel path, the small CNN in both of its PyTorch configs, and MobileNetV2
/// called from several threads at once.
/// </summary>
public sealed class EagerSimdModelTests(ITestOutputHelper output)
{
    private const int Images = 32;
    private static readonly Lazy<MobileNetV2> MobileNet = new(() => QgmTestModels.StaticMobileNetV2(images: 128));
    private static readonly Lazy<MnistSet> Test = new(() => MnistSet.LoadTest());
    private static readonly Lazy<Tensor> MobileNetReference = new(() => EagerReference.Forward(MobileNet.Value, Test.Value.ToTensor(0, Images)));

    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void MobileNetV2_logits_equal_the_reference_kernels_bit_for_bit(Int8KernelPath path)
    {
        Tensor expected = MobileNetReference.Value;
        Tensor actual;
        using (Int8Paths.Force(path, output)) actual = MobileNet.Value.Forward(Test.Value.ToTensor(0, Images));

        EagerReference.AssertBits(expected, actual, $"MobileNetV2 on {path}");
        // Not vacuous: the logits classify as the trained model does.
        Assert.True(Correct(actual) >= Images * 9 / 10, $"{Correct(actual)} of {Images} correct");
    }

    public static TheoryData<string> SmallCnnConfigs => ["Default", "Onednn"];

    [Theory]
    [MemberData(nameof(SmallCnnConfigs))]
    public void SmallCnn_logits_equal_the_reference_kernels_bit_for_bit(string config)
    {
        var model = QgmTestModels.StaticSmallCnn(config == "Default" ? QConfig.Default : QConfig.Onednn);
        Tensor images = Test.Value.ToTensor(100, Images);

        EagerReference.AssertBits(EagerReference.Forward(model, images), model.Forward(images), $"SmallCnn ({config})");
        Assert.True(Correct(model.Forward(images), 100) >= Images * 9 / 10);
    }

    [Fact]
    public void Calls_from_several_threads_at_once_give_the_reference_bytes()
    {
        // Each layer's compiled kernel keeps scratch; calls that overlap rent forks of it, never the same one.
        Tensor expected = MobileNetReference.Value;
        var logits = new Tensor[8];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => logits[i] = MobileNet.Value.Forward(Test.Value.ToTensor(i * 4, 4)));

        for (int i = 0; i < logits.Length; i++)
        {
            var slice = Tensor.FromArray(expected.Data.AsSpan(i * 40, 40).ToArray(), 4, 10);
            EagerReference.AssertBits(slice, logits[i], $"images {i * 4}–{i * 4 + 3}");
        }
    }

    private static int Correct(Tensor logits, int first = 0)
    {
        int correct = 0;
        for (int i = 0; i < logits.Size(0); i++)
        {
            var row = logits.Data.AsSpan(i * 10, 10);
            int best = 0;
            for (int k = 1; k < 10; k++) if (row[k] > row[best]) best = k;
            if (best == Test.Value.Labels[first + i]) correct++;
        }
        return correct;
    }
}
