using QuantGen.Kernels;
using QuantGen.Nn;

namespace QuantGen.Tests.Autograd;

/// <summary>
/// The 1-D layers' gradients against float64 finite differences: each is its 2-D counterpart over one row, so the
/// reference is the 2-D float64 reference with H = 1 — and the gradient has to reach the [N, C, L] input through
/// the views that make the row.
/// </summary>
public sealed class OneDimensionalGradientTests
{
    [Theory]
    [InlineData(3, 4, 3, 1, 1, 1, 1, true)]
    [InlineData(4, 6, 3, 2, 0, 2, 2, true)]
    [InlineData(4, 8, 3, 1, 1, 1, 4, false)]   // depthwise, channel multiplier 2
    [InlineData(5, 4, 1, 1, 0, 1, 1, true)]    // pointwise
    public void Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups, bool bias)
    {
        var conv = new Conv1d(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias);
        var x = GradCheck.Random(7, 2, inChannels, 9);
        var geometry = conv.GeometryFor(x);
        Tensor[] inputs = bias ? [x, conv.Weight, conv.Bias!] : [x, conv.Weight];
        GradCheck.Check(inputs, () => conv.Forward(x), v => DoubleReference.Conv2d(v[0], v[1], bias ? v[2] : null, geometry));
    }

    [Theory]
    [InlineData(true, 3)]
    [InlineData(false, 3)]
    [InlineData(true, 2)]   // [N, C]
    public void BatchNorm1dTraining(bool affine, int rank)
    {
        var bn = new BatchNorm1d(3, affine: affine);
        if (affine)
        {
            GradCheck.Random(11, 3).Data.CopyTo(bn.Weight!.Data, 0);
            GradCheck.Random(12, 3).Data.CopyTo(bn.Bias!.Data, 0);
        }
        var x = rank == 3 ? GradCheck.Random(13, 4, 3, 5) : GradCheck.Random(13, 6, 3);
        int batch = x.Size(0), plane = rank == 3 ? 5 : 1;
        Tensor[] inputs = affine ? [x, bn.Weight!, bn.Bias!] : [x];
        GradCheck.Check(inputs, () => bn.Forward(x),
            v => DoubleReference.BatchNormTraining(v[0], affine ? v[1] : null, affine ? v[2] : null, batch, 3, plane, bn.Eps));
    }

    [Theory]
    [InlineData(2, null, 0, 1, false)]
    [InlineData(3, 2, 1, 2, true)]
    public void MaxPool1d(int kernel, int? stride, int padding, int dilation, bool ceilMode)
    {
        var pool = new MaxPool1d(kernel, stride, padding, dilation, ceilMode);
        var x = GradCheck.Distinct(51, 2, 2, 11);
        var g = new PoolGeometry(4, 1, 11, 1, kernel, 1, stride ?? kernel, 0, padding, 1, dilation, ceilMode);
        GradCheck.Check([x], () => pool.Forward(x), v => DoubleReference.MaxPool(v[0], g));
    }

    [Theory]
    [InlineData(2, null, 0, true, false)]
    [InlineData(3, 2, 1, false, true)]
    public void AvgPool1d(int kernel, int? stride, int padding, bool countIncludePad, bool ceilMode)
    {
        var pool = new AvgPool1d(kernel, stride, padding, ceilMode, countIncludePad);
        var x = GradCheck.Random(52, 2, 2, 11);
        var g = new PoolGeometry(4, 1, 11, 1, kernel, 1, stride ?? kernel, 0, padding, 1, 1, ceilMode);
        GradCheck.Check([x], () => pool.Forward(x), v => DoubleReference.AvgPool(v[0], g, countIncludePad));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public void AdaptiveAvgPool1d(int outputSize)
    {
        var x = GradCheck.Random(53, 2, 3, 7);
        GradCheck.Check([x], () => new AdaptiveAvgPool1d(outputSize).Forward(x), v => DoubleReference.AdaptiveAvgPool(v[0], 6, 1, 7, 1, outputSize));
    }
}
