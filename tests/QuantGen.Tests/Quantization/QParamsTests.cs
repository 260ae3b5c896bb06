using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

public class QParamsTests
{
    [Fact]
    public void Records_with_equal_arrays_are_equal_and_hash_alike()
    {
        var a = QParams.PerChannel([0.5f, 0.25f], [0, 0], 0, QDType.QInt8, -128, 127);
        var b = QParams.PerChannel([0.5f, 0.25f], [0, 0], 0, QDType.QInt8, -128, 127);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, QParams.PerChannel([0.5f, 0.125f], [0, 0], 0, QDType.QInt8, -128, 127));
        Assert.NotEqual(a, QParams.PerChannel([0.5f, 0.25f], [0, 0], 1, QDType.QInt8, -128, 127));
        Assert.NotEqual(a, QParams.PerChannel([0.5f, 0.25f], [0, 0], 0, QDType.QInt8, -64, 63));
    }

    [Fact]
    public void Per_tensor_parameters_have_a_scale_and_zero_point_and_per_channel_ones_say_why_not()
    {
        var perTensor = QParams.PerTensor(0.1f, 3, QDType.QUInt8, 0, 255);
        var perChannel = QParams.PerChannel([0.1f, 0.2f], [0, 0], 0, QDType.QInt8, -128, 127);

        Assert.Equal((0.1f, 3, -1, false), (perTensor.Scale, perTensor.ZeroPoint, perTensor.Axis, perTensor.IsPerChannel));
        var error = Assert.Throws<InvalidOperationException>(() => perChannel.Scale);
        Assert.Contains("per channel (2 channels along axis 0)", error.Message);
        Assert.Contains("Scales[channel]", error.Message);
        Assert.Throws<InvalidOperationException>(() => perChannel.ZeroPoint);
    }

    [Fact]
    public void Invalid_parameters_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => QParams.PerTensor(0f, 0, QDType.QUInt8, 0, 255));
        Assert.Throws<ArgumentException>(() => QParams.PerTensor(float.NaN, 0, QDType.QUInt8, 0, 255));
        Assert.Throws<ArgumentException>(() => QParams.PerTensor(1f, 128, QDType.QUInt8, 0, 127));
        Assert.Throws<ArgumentException>(() => QParams.PerTensor(1f, 0, QDType.QInt8, -129, 127));
        Assert.Throws<ArgumentException>(() => QParams.PerChannel([1f, 1f], [0], 0, QDType.QInt8, -128, 127));
        Assert.Throws<ArgumentException>(() => new QParams([1f, 1f], [0, 0], -1, QDType.QInt8, -128, 127));
    }

    [Fact]
    public void The_text_form_shows_the_values()
    {
        var qparams = QParams.PerTensor(0.025f, 17, QDType.QUInt8, 0, 127);

        Assert.Equal("QParams { Scale = 0.025, ZeroPoint = 17, DType = QUInt8, QuantMin = 0, QuantMax = 127 }", qparams.ToString());
    }
}
