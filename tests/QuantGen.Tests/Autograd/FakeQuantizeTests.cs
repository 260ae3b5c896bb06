using QuantGen.Kernels.Reference;
using QuantGen.Quantization;

namespace QuantGen.Tests.Autograd;

/// <summary>FakeQuantize: its forward is the reference quantize → dequantize; its gradient is the straight-through estimator with the clamp mask.</summary>
public sealed class FakeQuantizeTests
{
    [Fact]
    public void ForwardEqualsReferenceQuantizeThenDequantizeBitForBit()
    {
        var fakeQuantize = new FakeQuantize(new MovingAverageMinMaxObserver());
        var x = GradCheck.Random(1, 4, 50);
        fakeQuantize.Forward(x);
        var qparams = fakeQuantize.QParams!;
        var reference = new ActivationQParams(qparams.Scales[0], qparams.ZeroPoints[0]);
        // Exact halfway points between levels, and values far beyond both ends of the range.
        float[] edges = [reference.Scale * 2.5f, reference.Scale * -3.5f, -100f, 100f, float.NaN];
        var probe = Tensor.FromArray([.. x.Data, .. edges], x.Length + edges.Length);

        var y = fakeQuantize.DisableObserver().Forward(probe);
        for (int i = 0; i < probe.Length; i++)
        {
            Assert.Equal(Dequantize.FromUInt8(Quantize.ToUInt8(probe.Data[i], reference), reference), y.Data[i]);
        }
    }

    [Fact]
    public void PerChannelWeightsEqualTheReferencePerChannel()
    {
        var fakeQuantize = new FakeQuantize(new PerChannelMinMaxObserver(dtype: QDType.QInt8, qscheme: QScheme.PerChannelSymmetric));
        var w = GradCheck.Random(2, 3, 2, 3, 3);
        for (int i = 0; i < 18; i++) w.Data[i] *= 5;   // channels of different ranges
        var y = fakeQuantize.Forward(w);
        var qparams = fakeQuantize.QParams!;
        for (int i = 0; i < w.Length; i++)
        {
            int c = i / 18;
            float expected = Dequantize.FromInt8(Quantize.ToInt8(w.Data[i], qparams.Scales[c], qparams.ZeroPoints[c]), qparams.Scales[c], qparams.ZeroPoints[c]);
            Assert.Equal(expected, y.Data[i]);
        }
    }

    [Fact]
    public void GradientPassesStraightThroughInsideTheRangeAndStopsWhereClamped()
    {
        var fakeQuantize = new FakeQuantize(new MovingAverageMinMaxObserver());
        fakeQuantize.Forward(Tensor.FromArray([-1f, 1f], 2));
        fakeQuantize.DisableObserver();
        var x = Tensor.FromArray([-3f, -0.999f, -0.3f, 0f, 0.42f, 0.999f, 1.5f, 40f], 8);
        x.RequiresGrad = true;
        var y = fakeQuantize.Forward(x);
        y.Backward(Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], 8));
        Assert.Equal([0f, 2f, 3f, 4f, 5f, 6f, 0f, 0f], x.Grad!.Data);
    }

    [Fact]
    public void ObserverRefreshesTheParametersUntilFrozen()
    {
        var fakeQuantize = new FakeQuantize(new MinMaxObserver());
        fakeQuantize.Forward(Tensor.FromArray([-1f, 1f], 2));
        var first = fakeQuantize.QParams;
        fakeQuantize.Forward(Tensor.FromArray([-4f, 4f], 2));
        var widened = fakeQuantize.QParams;
        Assert.NotEqual(first, widened);

        fakeQuantize.DisableObserver();
        var y = fakeQuantize.Forward(Tensor.FromArray([-10f, 10f], 2));
        Assert.Equal(widened, fakeQuantize.QParams);
        Assert.Equal(-widened!.Scales[0] * widened.ZeroPoints[0], y.Data[0]);   // clamped to the frozen range

        var x = Tensor.FromArray([0.123f], 1);
        Assert.Same(x, fakeQuantize.DisableFakeQuant().Forward(x));
    }

    [Fact]
    public void FakeQuantizingBeforeAnyObservationIsATypedError()
    {
        var fakeQuantize = new FakeQuantize(new MinMaxObserver()).DisableObserver();
        Assert.Throws<NotCalibratedException>(() => fakeQuantize.Forward(Tensor.Zeros(2)));
    }
}
