using QuantGen.Kernels.Int8;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Kernels.Int8;
using Xunit.Abstractions;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization;

/// <summary>
/// Eager int8 runs the generated pass's SIMD kernels on channels-last activations; each converted module kind gives
/// the reference kernels' bytes, on every int8 kernel path this machine has, per tensor and per channel.
/// </summary>
public sealed class EagerSimdTests(ITestOutputHelper output)
{
    /// <summary>Every kind of converted module, in one chain over 12×12 images of 3 channels.</summary>
    private sealed class EveryKind : Module
    {
        readonly QuantStub quant = new();
        readonly Conv2d stem = new(3, 8, kernelSize: 3, padding: 1, bias: false);            // direct on 256-bit paths, else im2col
        readonly BatchNorm2d bn = new(8);
        readonly ReLU relu = new();
        readonly Conv2d expand = new(8, 24, kernelSize: 1);                                   // pointwise GEMM
        readonly ReLU6 relu6 = new();
        readonly Conv2d depthwise = new(24, 24, kernelSize: 3, stride: 2, padding: 1, groups: 24);
        readonly Conv2d grouped = new(24, 24, kernelSize: 3, padding: 1, groups: 4);          // no SIMD kernel: the reference
        readonly Conv2d spatial = new(24, 24, kernelSize: 3, padding: 1, dilation: 1);        // im2col GEMM
        readonly Add add = new();
        readonly Hardswish hardswish = new();                                                 // observed output qparams
        readonly ReLU clamp = new();                                                          // unfused: a clamp on bytes
        readonly Hardsigmoid hardsigmoid = new();                                             // PyTorch's fixed qparams
        readonly MaxPool2d maxPool = new(2);
        readonly AvgPool2d avgPool = new(3, stride: 1, padding: 1);
        readonly AdaptiveAvgPool2d adaptive = new(2);                                         // 3×3 → 2×2: overlapping windows
        readonly Linear fc = new(24 * 2 * 2, 16);
        readonly ReLU fcRelu = new();
        readonly LayerNorm norm = new(16);                                                    // a float island
        readonly Linear head = new(16, 5);
        readonly DeQuantStub dequant = new();

        public static readonly string[][] FusionGroups = [["stem", "bn", "relu"], ["expand", "relu6"], ["fc", "fcRelu"]];

        public override Tensor Forward(Tensor x) => Stages(x)[^1].Output;

        /// <summary>Each module's output on the way, named.</summary>
        public List<(string Name, Tensor Output)> Stages(Tensor x)
        {
            var stages = new List<(string, Tensor)>();
            Tensor Step(string name, Tensor y)
            {
                stages.Add((name, y));
                return y;
            }

            x = Step("quant", quant.Forward(x));
            x = Step("stem+bn+relu", relu.Forward(bn.Forward(stem.Forward(x))));
            x = Step("expand+relu6", relu6.Forward(expand.Forward(x)));
            x = Step("depthwise", depthwise.Forward(x));
            x = Step("grouped", grouped.Forward(x));
            x = Step("add", add.Forward(x, Step("spatial", spatial.Forward(x))));
            x = Step("hardswish", hardswish.Forward(x));
            x = Step("clamp", clamp.Forward(x));
            x = Step("hardsigmoid", hardsigmoid.Forward(x));
            x = Step("maxPool", maxPool.Forward(x));
            x = Step("avgPool", avgPool.Forward(x));
            x = Step("adaptive", adaptive.Forward(x));
            x = Step("flatten", Flatten(x));
            x = Step("fc+relu", fcRelu.Forward(fc.Forward(x)));
            x = Step("norm", norm.Forward(x));
            x = Step("head", head.Forward(x));
            Step("dequant", dequant.Forward(x));
            return stages;
        }
    }

    private static readonly Lazy<EveryKind> PerTensor = new(() => Converted(QConfig.Default));
    private static readonly Lazy<EveryKind> PerChannel = new(() => Converted(QConfig.Onednn));

    private static EveryKind Converted(QConfig qconfig)
    {
        Init.ManualSeed(17);
        var model = new EveryKind();
        model.Eval();
        FuseModules(model, EveryKind.FusionGroups);
        Prepare(model, qconfig);
        var random = new Random(17);
        Calibrate(model, Enumerable.Range(0, 4).Select(_ => Images(random, 16)));
        Convert(model);
        return model;
    }

    private static Tensor Images(Random random, int batch) =>
        Tensor.FromArray([.. Enumerable.Range(0, batch * 3 * 12 * 12).Select(_ => (float)(random.NextDouble() * 4 - 2))], batch, 3, 12, 12);

    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void Every_module_kind_gives_the_reference_bytes_per_tensor_and_per_channel(Int8KernelPath path)
    {
        EveryStageMatches(PerTensor.Value, path, "per tensor");
        EveryStageMatches(PerChannel.Value, path, "per channel");
    }

    /// <summary>Batches of 5, then 2 (kernels built for 5 serve it), then 7 (built again, larger).</summary>
    private void EveryStageMatches(EveryKind model, Int8KernelPath path, string weights)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(23);
        foreach (int batch in (int[])[5, 2, 7])
        {
            Tensor images = Images(random, batch);
            var expected = EagerReference.Run(() => model.Stages(images));
            var actual = model.Stages(images);
            for (int i = 0; i < expected.Count; i++)
            {
                EagerReference.AssertBits(expected[i].Output, actual[i].Output, $"{weights}, batch {batch}, {actual[i].Name}");
            }
        }
    }

    [Fact]
    public void Activations_stay_channels_last_between_int8_layers_and_are_read_in_PyTorchs_order()
    {
        var stages = PerTensor.Value.Stages(Images(new Random(5), 2)).ToDictionary(s => s.Name, s => s.Output);

        // Several channels and pixels: stored NHWC, as the kernels read them (so no layer transposes its input).
        foreach (string name in (string[])["quant", "stem+bn+relu", "expand+relu6", "spatial", "add", "hardswish", "clamp", "hardsigmoid", "maxPool", "avgPool"])
        {
            Assert.True(stages[name].IsChannelsLast, $"{name} is not stored channels-last");
        }

        // Read in PyTorch's order by the grouped convolution's reference kernel and by Flatten: transposed once and kept so.
        Assert.False(stages["depthwise"].IsChannelsLast);
        Assert.False(stages["adaptive"].IsChannelsLast);
        Assert.False(stages["grouped"].IsChannelsLast);
        Assert.False(stages["dequant"].IsQuantized);
    }
}
