using QuantGen.IO;
using QuantGen.Kernels;
using QuantGen.Kernels.Float;
using QuantGen.Nn;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels;

/// <summary>
/// The float kernels whose sums calibration observes give PyTorch 1.13's outputs bit for bit, on every float path
/// (Fixtures/float_kernel_order.*, made by float_kernel_order.py): oneDNN's direct convolution with one and with two
/// blocks of input channels, its strided 1×1 and depthwise convolutions, BLAS's Linear, AdaptiveAvgPool2d to one cell
/// (torch.mean) and to several, bilinear Upsample and eval BatchNorm2d. A Histogram observer's range search is
/// discontinuous in the last bit of what it sees, so anything less would give other qparams than PyTorch's.
/// </summary>
public sealed class FloatKernelOrderTests(ITestOutputHelper output)
{
    private static readonly Lazy<StateDict> Truth = new(() => SafeTensors.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "float_kernel_order.safetensors")));

    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void Conv2d_sums_in_oneDNNs_order(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        foreach (string name in new[] { "stem", "two_blocks", "three_blocks", "pointwise_wide", "pointwise_strided", "depthwise" }) CheckConvolution(name);
    }

    private static void CheckConvolution(string name)
    {
        Tensor x = Get(name, "x"), weight = Get(name, "weight");
        (int stride, int padding, int groups) = name switch
        {
            "stem" => (2, 1, 1),
            "pointwise_strided" => (2, 0, 1),
            "pointwise_wide" => (1, 0, 1),
            "depthwise" => (1, 1, x.Size(1)),
            _ => (1, 1, 1),
        };
        var conv = new Conv2d(x.Size(1), weight.Size(0), weight.Size(2), stride, padding, groups: groups);
        Load(conv, name, "weight", "bias");
        conv.Eval();
        AssertBits(Get(name, "y"), conv.Forward(x), $"{name}, the module");

        var g = conv.GeometryFor(x);
        var raw = new float[g.OutputLength];
        FloatConv2d.Forward(g, x.Data, weight.Data, Get(name, "bias").Data, raw);
        AssertBits(Get(name, "y"), new Tensor(new Shape(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), raw), $"{name}, the raw kernel");
    }

    [Theory]
    [FloatPath(FloatKernelPath.Scalar), FloatPath(FloatKernelPath.Vector128), FloatPath(FloatKernelPath.Vector256), FloatPath(FloatKernelPath.Vector512)]
    public void Linear_sums_as_BLAS_sgemm(FloatKernelPath path)
    {
        using var forced = KernelPaths.Force(path, output);
        Tensor weight = Get("linear", "weight");
        var linear = new Linear(weight.Size(1), weight.Size(0));
        Load(linear, "linear", "weight", "bias");
        linear.Eval();
        AssertBits(Get("linear", "y"), linear.Forward(Get("linear", "x")), "eval (packed once)");
        linear.Train();
        AssertBits(Get("linear", "y"), linear.Forward(Get("linear", "x")), "training (packed per call)");

        // One row at a time (another tiling), and among four or more rows: the same order, the same bits.
        linear.Eval();
        Tensor x = Get("linear", "x"), y = Get("linear", "y");
        int features = x.Size(1), outputs = y.Size(1);
        for (int row = 0; row < x.Size(0); row++)
        {
            var single = new Tensor(new Shape(1, features), x.Data.AsSpan(row * features, features).ToArray());
            AssertBits(new Tensor(new Shape(1, outputs), y.Data.AsSpan(row * outputs, outputs).ToArray()), linear.Forward(single), $"row {row} alone");
        }
        var tiled = new Tensor(new Shape(5, features), [.. x.Data, .. x.Data, .. x.Data.AsSpan(0, features)]);
        AssertBits(new Tensor(new Shape(5, outputs), [.. y.Data, .. y.Data, .. y.Data.AsSpan(0, outputs)]), linear.Forward(tiled), "five rows");
    }

    [Fact]
    public void AdaptiveAvgPool2d_is_torch_mean_to_one_cell_and_row_sums_otherwise()
    {
        Tensor x = Get("adaptive_avg", "x");
        AssertBits(Get("adaptive_avg", "y1"), new AdaptiveAvgPool2d(1).Forward(x), "to 1×1");
        AssertBits(Get("adaptive_avg", "y2"), new AdaptiveAvgPool2d(2).Forward(x), "to 2×2");
    }

    [Fact]
    public void Bilinear_Upsample_and_eval_BatchNorm2d_fuse_as_ATens_AVX2_build()
    {
        AssertBits(Get("upsample", "y"), new Upsample(scaleFactor: 2, mode: UpsampleMode.Bilinear, alignCorners: false).Forward(Get("upsample", "x")), "upsample");

        var bn = new BatchNorm2d(4);
        var state = new StateDict();
        foreach (var (key, fixture) in new[] { ("running_mean", "mean"), ("running_var", "var"), ("weight", "weight"), ("bias", "bias") })
        {
            state.Add(key, Truth.Value[$"batch_norm.{fixture}"]);
        }
        bn.LoadStateDict(state, strict: false);
        bn.Eval();
        AssertBits(Get("batch_norm", "y"), bn.Forward(Get("batch_norm", "x")), "batch norm");
    }

    private static Tensor Get(string name, string part) => Truth.Value[$"{name}.{part}"].ToTensor();

    private static void Load(Module module, string name, params string[] keys)
    {
        var state = new StateDict();
        foreach (string key in keys) state.Add(key, Truth.Value[$"{name}.{key}"]);
        module.LoadStateDict(state);
    }

    private static void AssertBits(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        int differing = 0;
        for (int i = 0; i < expected.Length; i++) differing += BitConverter.SingleToInt32Bits(expected.Data[i]) == BitConverter.SingleToInt32Bits(actual.Data[i]) ? 0 : 1;
        Assert.True(differing == 0, $"{what}: {differing} of {expected.Length} outputs differ from PyTorch's in some bit");
    }
}
