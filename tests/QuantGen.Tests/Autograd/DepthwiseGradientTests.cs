using QuantGen.Autograd;
using QuantGen.Kernels;

namespace QuantGen.Tests.Autograd;

/// <summary>The direct depthwise backward equals the general im2col/GEMM backward on random shapes.</summary>
public sealed class DepthwiseGradientTests
{
    /// <summary>
    /// Both sum the same products in another order (per row, in float, then in double, against GEMM blocks), so
    /// they agree to a few float ulps of the sum of magnitudes: at most 9·h·w terms of size ≤ 1 here, hence 1e-4.
    /// </summary>
    [Theory]
    [InlineData(2, 5, 7, 7, 3, 1, 1, 1)]
    [InlineData(3, 4, 8, 5, 3, 2, 1, 1)]
    [InlineData(1, 3, 9, 9, 3, 2, 0, 1)]
    [InlineData(5, 6, 6, 11, 5, 1, 2, 1)]
    [InlineData(2, 2, 7, 6, 3, 1, 2, 2)]
    [InlineData(4, 7, 4, 4, 1, 1, 0, 1)]
    public void DirectDepthwiseEqualsTheGeneralPath(int batch, int channels, int height, int width, int kernel, int stride, int padding, int dilation)
    {
        var g = new ConvGeometry(batch, channels, height, width, channels, kernel, kernel, stride, stride, padding, padding, dilation, dilation, channels);
        Assert.True(DepthwiseConvGrad.Covers(g));
        var x = GradCheck.Random(1, g.InputLength).Data;
        var w = GradCheck.Random(2, g.WeightLength).Data;
        var dy = GradCheck.Random(3, g.OutputLength).Data;
        float[] dxDirect = new float[x.Length], dwDirect = new float[w.Length], dxGeneral = new float[x.Length], dwGeneral = new float[w.Length];

        DepthwiseConvGrad.InputAndWeight(g, x, w, dy, dxDirect, dwDirect);
        Conv2dGrad.ThroughColumns(g, x, w, dy, dxGeneral, dwGeneral);

        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(dxDirect[i] - dxGeneral[i]) <= 1e-4f, $"dx[{i}]: {dxDirect[i]} vs {dxGeneral[i]}");
        for (int i = 0; i < w.Length; i++) Assert.True(Math.Abs(dwDirect[i] - dwGeneral[i]) <= 1e-4f * Math.Max(1, Math.Abs(dwGeneral[i])), $"dw[{i}]: {dwDirect[i]} vs {dwGeneral[i]}");
    }
}
