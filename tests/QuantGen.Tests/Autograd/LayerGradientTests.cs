using QuantGen.Kernels;
using QuantGen.Nn;

namespace QuantGen.Tests.Autograd;

/// <summary>Every differentiable layer's gradients against float64 finite differences, on small random shapes, through the modules.</summary>
public sealed class LayerGradientTests
{
    public static TheoryData<int, int, int, int, int, int, int, bool> Convolutions => new()
    {
        // in, out, kernel, stride, padding, dilation, groups, bias
        { 3, 4, 3, 1, 1, 1, 1, true },
        { 4, 6, 3, 2, 0, 2, 2, true },
        { 4, 8, 3, 1, 1, 1, 4, true },   // depthwise, channel multiplier 2
        { 3, 3, 3, 2, 1, 1, 3, false },  // depthwise, stride 2
        { 5, 4, 1, 1, 0, 1, 1, false },  // pointwise
        { 2, 3, 2, 1, 0, 1, 1, true },
    };

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups, bool bias)
    {
        var conv = new Conv2d(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias);
        var x = GradCheck.Random(7, 2, inChannels, 6, 5);
        var geometry = conv.GeometryFor(x);
        Tensor[] inputs = bias ? [x, conv.Weight, conv.Bias!] : [x, conv.Weight];
        GradCheck.Check(inputs, () => conv.Forward(x), v => DoubleReference.Conv2d(v[0], v[1], bias ? v[2] : null, geometry));
    }

    [Fact]
    public void Conv2dWithFusedRelu()
    {
        // Seeded here: the default initializer's generator is per thread, so the weights would depend on which tests
        // ran on this thread before, and some draws put an output within the numeric step of ReLU's kink.
        Init.ManualSeed(5);
        var conv = new Conv2d(2, 3, 3, padding: 1) { Activation = FusedActivation.ReLU };
        var x = GradCheck.Random(3, 2, 2, 5, 5);
        var geometry = conv.GeometryFor(x);
        GradCheck.Check([x, conv.Weight, conv.Bias!], () => conv.Forward(x),
            v => DoubleReference.Clamp(DoubleReference.Conv2d(v[0], v[1], v[2], geometry), 0, double.PositiveInfinity));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(7, true)]     // past the dot-product path: the tiled GEMM
    [InlineData(3, false)]
    public void Linear(int rows, bool bias)
    {
        var linear = new Linear(6, 5, bias);
        var x = GradCheck.Random(5, rows, 6);
        Tensor[] inputs = bias ? [x, linear.Weight, linear.Bias!] : [x, linear.Weight];
        GradCheck.Check(inputs, () => linear.Forward(x), v => DoubleReference.Linear(v[0], v[1], bias ? v[2] : null, 6, 5));
    }

    [Fact]
    public void LinearOverTrailingDimension()
    {
        var linear = new Linear(4, 3);
        var x = GradCheck.Random(9, 2, 3, 4);
        GradCheck.Check([x, linear.Weight, linear.Bias!], () => linear.Forward(x), v => DoubleReference.Linear(v[0], v[1], v[2], 4, 3));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNormTraining(bool affine)
    {
        var bn = new BatchNorm2d(3, affine: affine);
        if (affine)
        {
            GradCheck.Random(11, 3).Data.CopyTo(bn.Weight!.Data, 0);
            GradCheck.Random(12, 3).Data.CopyTo(bn.Bias!.Data, 0);
        }
        var x = GradCheck.Random(13, 4, 3, 3, 2);
        Tensor[] inputs = affine ? [x, bn.Weight!, bn.Bias!] : [x];
        GradCheck.Check(inputs, () => bn.Forward(x),
            v => DoubleReference.BatchNormTraining(v[0], affine ? v[1] : null, affine ? v[2] : null, 4, 3, 6, bn.Eps));
    }

    [Fact]
    public void BatchNormEvalWithInputRequiringGrad()
    {
        var bn = new BatchNorm2d(3);
        GradCheck.Random(21, 3).Data.CopyTo(bn.Weight!.Data, 0);
        GradCheck.Random(22, 3).Data.CopyTo(bn.RunningMean.Data, 0);
        for (int c = 0; c < 3; c++) bn.RunningVar.Data[c] = 0.5f + c;
        bn.Eval();
        var x = GradCheck.Random(23, 2, 3, 2, 3);
        var mean = Array.ConvertAll(bn.RunningMean.Data, v => (double)v);
        var variance = Array.ConvertAll(bn.RunningVar.Data, v => (double)v);
        GradCheck.Check([x, bn.Weight!, bn.Bias!], () => bn.Forward(x),
            v => DoubleReference.BatchNormEval(v[0], v[1], v[2], mean, variance, 2, 3, 6, bn.Eps));
    }

    [Fact]
    public void LayerNorm()
    {
        var norm = new LayerNorm([2, 5]);
        GradCheck.Random(31, 2, 5).Data.CopyTo(norm.Weight!.Data, 0);
        GradCheck.Random(32, 2, 5).Data.CopyTo(norm.Bias!.Data, 0);
        var x = GradCheck.Random(33, 3, 2, 5);
        GradCheck.Check([x, norm.Weight!, norm.Bias!], () => norm.Forward(x), v => DoubleReference.LayerNorm(v[0], 10, v[1], v[2], norm.Eps));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Softmax(int dim)
    {
        var x = GradCheck.Random(41, 2, 4, 3);
        var (outer, size, inner) = dim == 1 ? (2, 4, 3) : (8, 3, 1);
        GradCheck.Check([x], () => new Softmax(dim).Forward(x), v => DoubleReference.Softmax(v[0], outer, size, inner, log: false));
    }

    [Fact]
    public void LogSoftmax()
    {
        var x = GradCheck.Random(42, 3, 5);
        GradCheck.Check([x], () => Functional.LogSoftmax(x, -1), v => DoubleReference.Softmax(v[0], 3, 5, 1, log: true));
    }

    [Theory]
    [InlineData(2, null, 0, 1, false)]
    [InlineData(3, 2, 1, 1, false)]
    [InlineData(2, 1, 0, 2, false)]
    [InlineData(3, 2, 0, 1, true)]
    public void MaxPool2d(int kernel, int? stride, int padding, int dilation, bool ceilMode)
    {
        var pool = new MaxPool2d(kernel, stride, padding, dilation, ceilMode);
        var x = GradCheck.Distinct(51, 2, 2, 6, 7);
        var g = new PoolGeometry(4, 6, 7, kernel, kernel, stride ?? kernel, stride ?? kernel, padding, padding, dilation, dilation, ceilMode);
        GradCheck.Check([x], () => pool.Forward(x), v => DoubleReference.MaxPool(v[0], g));
    }

    [Theory]
    [InlineData(2, null, 0, true, false)]
    [InlineData(3, 2, 1, true, false)]
    [InlineData(3, 2, 1, false, false)]
    [InlineData(3, 2, 1, false, true)]
    public void AvgPool2d(int kernel, int? stride, int padding, bool countIncludePad, bool ceilMode)
    {
        var pool = new AvgPool2d(kernel, stride, padding, ceilMode, countIncludePad);
        var x = GradCheck.Random(52, 2, 2, 6, 7);
        var g = new PoolGeometry(4, 6, 7, kernel, kernel, stride ?? kernel, stride ?? kernel, padding, padding, 1, 1, ceilMode);
        GradCheck.Check([x], () => pool.Forward(x), v => DoubleReference.AvgPool(v[0], g, countIncludePad));
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(1, 1)]
    public void AdaptiveAvgPool2d(int outHeight, int outWidth)
    {
        var pool = new AdaptiveAvgPool2d((outHeight, outWidth));
        var x = GradCheck.Random(53, 2, 3, 5, 7);
        GradCheck.Check([x], () => pool.Forward(x), v => DoubleReference.AdaptiveAvgPool(v[0], 6, 5, 7, outHeight, outWidth));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]   // in place is ignored while recording: the graph may need the input
    public void Relu(bool inplace)
    {
        var x = GradCheck.Distinct(61, 3, 7);
        GradCheck.Check([x], () => new ReLU(inplace).Forward(x), v => DoubleReference.Clamp(v[0], 0, double.PositiveInfinity));
    }

    [Fact]
    public void Relu6()
    {
        var x = GradCheck.Distinct(62, 4, 40);
        for (int i = 0; i < x.Length; i++) x.Data[i] *= 40;   // spans [-10, 10], 0.5 apart: both kinks are crossed, none is hit
        GradCheck.Check([x], () => new ReLU6().Forward(x), v => DoubleReference.Clamp(v[0], 0, 6));
    }

    [Fact]
    public void AddModuleAndOperator()
    {
        var a = GradCheck.Random(71, 2, 3);
        var b = GradCheck.Random(72, 2, 3);
        var add = new Add();
        GradCheck.Check([a, b], () => add.Forward(a, b) + a, v => v[0].Select((x, i) => 2 * x + v[1][i]).ToArray());
    }

    [Fact]
    public void FlattenThenLinear()
    {
        var linear = new Linear(12, 2);
        var x = GradCheck.Random(81, 2, 3, 2, 2);
        GradCheck.Check([x, linear.Weight], () => linear.Forward(new Flatten().Forward(x)), v => DoubleReference.Linear(v[0], v[1], Array.ConvertAll(linear.Bias!.Data, f => (double)f), 12, 2));
    }
}
