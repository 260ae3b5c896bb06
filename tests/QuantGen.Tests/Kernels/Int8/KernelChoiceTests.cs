using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// Which kernels a path builds, shape by shape. AVX-512BW (AVX-512 machines without AVX-VNNI: Zen 4, Skylake-X to Ice
/// Lake): the ymm tiles where zmm panels would mostly pad N, and the four-tap depthwise kernel on outputs of 7×7 and
/// more. AVX-VNNI: the 24-column tile where its panels pad N less than 32-column ones. Each layer also equals the
/// reference, so a choice that reached a kernel unfit for its shape would fail here.
/// </summary>
public sealed class KernelChoiceTests(ITestOutputHelper output)
{
    /// <summary>
    /// On machines without AVX-512VL (Alder Lake) every N above 16 takes the 16-column tile, whose registers AVX2 has.
    /// With AVX-512BW too, K of 32 or less takes the 4×32 tile with its requantize on zmm where it pads N no more than an
    /// eighth beyond 24-column panels (the 144 of MobileNetV2's first expansions, but not 24 or 40).
    /// </summary>
    [Theory]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void VnniTilesFollowThePadding(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        bool wide = YmmTile4x32<VnniQuad>.IsSupported, zmm = YmmTile4x32ZmmEpilogue<VnniQuad>.IsSupported;
        foreach (var (depth, outputs, tile) in (ReadOnlySpan<(int, int, GemmTile)>)[
            (40, 10, GemmTile.Ymm4x16), (40, 16, GemmTile.Ymm4x16), (40, 24, GemmTile.Ymm4x24), (40, 32, GemmTile.Ymm4x32),
            (40, 40, GemmTile.Ymm4x24), (40, 96, GemmTile.Ymm4x32), (40, 144, GemmTile.Ymm4x24), (40, 160, GemmTile.Ymm4x32),
            (32, 16, GemmTile.Ymm4x16), (32, 24, GemmTile.Ymm4x24), (32, 40, GemmTile.Ymm4x24), (32, 32, GemmTile.Ymm4x32ZmmEpilogue),
            (32, 96, GemmTile.Ymm4x32ZmmEpilogue), (16, 144, GemmTile.Ymm4x32ZmmEpilogue), (24, 192, GemmTile.Ymm4x32ZmmEpilogue)])
        {
            var g = new ConvGeometry(2, depth, 5, 5, outputs, 1, 1);
            Int8Conv2d layer = Check(g, weightZeroPoint: 0, new Random(outputs));
            // Without AVX-512BW the padding alone decides, as for the longer K above.
            GemmTile withoutZmm = (outputs + 23) / 24 * 24 < (outputs + 31) / 32 * 32 ? GemmTile.Ymm4x24 : GemmTile.Ymm4x32;
            GemmTile expected = !wide ? GemmTile.Ymm4x16 : tile == GemmTile.Ymm4x32ZmmEpilogue && !zmm ? withoutZmm : tile;
            Assert.Equal(outputs <= 16 ? tile : expected, layer.Gemm?.Tile);
        }
    }

    [Theory]
    [Int8Path(Int8KernelPath.Avx512BW)]
    public void PointwiseTilesFollowThePadding(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        foreach (var (outputs, tile) in (ReadOnlySpan<(int, GemmTile)>)[
            (10, GemmTile.Ymm4x16), (16, GemmTile.Ymm4x16), (24, GemmTile.Ymm4x24), (32, GemmTile.Zmm4x32),
            (96, GemmTile.Zmm4x32), (144, GemmTile.Zmm4x32), (160, GemmTile.Zmm4x32)])
        {
            var g = new ConvGeometry(2, 24, 5, 5, outputs, 1, 1);
            Int8Conv2d layer = Check(g, weightZeroPoint: 0, new Random(outputs));
            Assert.Equal(tile, layer.Gemm?.Tile);
        }
    }

    [Theory]
    [Int8Path(Int8KernelPath.Avx512BW)]
    public void DepthwiseTakesFourTapsFromSevenBySeven(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        DepthwiseKernel small = Depthwise512.IsSupported ? DepthwiseKernel.Pairs512 : DepthwiseKernel.Maddubs256;
        DepthwiseKernel zeroPoints = Depthwise512.IsSupported ? DepthwiseKernel.Pairs512 : DepthwiseKernel.EvenOdd256;
        foreach (var (size, stride, weightZeroPoint, kernel) in (ReadOnlySpan<(int, int, int, DepthwiseKernel)>)[
            (7, 1, 0, DepthwiseKernel.Maddubs256), (14, 2, 0, DepthwiseKernel.Maddubs256), (13, 2, 0, DepthwiseKernel.Maddubs256),
            (4, 1, 0, small), (12, 2, 0, small), (1, 1, 0, small), (14, 1, 5, zeroPoints)])
        {
            var g = new ConvGeometry(2, 48, size, size, 48, 3, 3, stride, stride, 1, 1, Groups: 48);
            Int8Conv2d layer = Check(g, weightZeroPoint, new Random(size * 10 + stride));
            Assert.Equal(kernel, layer.DepthwiseKernel);
        }
    }

    private Int8Conv2d Check(in ConvGeometry g, int weightZeroPoint, Random random)
    {
        var weight = new sbyte[g.WeightLength];
        random.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(weight.AsSpan()));
        var input = new byte[g.InputLength];
        random.NextBytes(input);
        var bias = new int[g.OutChannels];
        for (int i = 0; i < bias.Length; i++) bias[i] = random.Next(-5000, 5001);
        var weightQ = WeightQParams.PerTensor(0.01f, weightZeroPoint);
        var inputQ = new ActivationQParams(0.02f, 7);
        var outputQ = new ActivationQParams(0.02f * 0.01f * 40 * MathF.Sqrt(g.KernelHeight * g.KernelWidth * g.InChannelsPerGroup), 128);

        var expected = new byte[g.OutputLength];
        QConv2d.Forward(g, input, inputQ, weight, weightQ, bias, outputQ, FusedActivation.None, expected);
        var layer = new Int8Conv2d(g, weight, weightQ, bias, inputQ, outputQ);
        var actual = Layout.Poisoned(g.OutputLength);
        layer.Forward(Layout.ToNhwc(input, g.Batch, g.InChannels, g.InHeight, g.InWidth), actual);
        string what = $"{layer.KernelName}, {g.InChannels}@{g.InHeight}×{g.InWidth} → {g.OutChannels}@{g.OutHeight}×{g.OutWidth}, weight zero point {weightZeroPoint}";
        Layout.AssertSame(expected, Layout.ToNchw(actual, g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), what);
        output.WriteLine($"{what}: equal to the reference.");
        return layer;
    }
}
