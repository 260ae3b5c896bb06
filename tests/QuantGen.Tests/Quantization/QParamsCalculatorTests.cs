using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

/// <summary>PyTorch's <c>_calculate_qparams</c> on cases worked out by hand.</summary>
public class QParamsCalculatorTests
{
    private static readonly QuantRange UInt8 = QuantRange.For(QDType.QUInt8);
    private static readonly QuantRange Int8 = QuantRange.For(QDType.QInt8);

    [Fact]
    public void All_zero_input_gives_the_eps_scale_and_zero_point_0()
    {
        var observer = new MinMaxObserver();
        observer.Forward(Tensor.Zeros(4, 4));

        var qparams = observer.CalculateQParams();

        Assert.Equal(QParamsCalculator.DefaultEps, qparams.Scale);
        Assert.Equal(0, qparams.ZeroPoint);
    }

    [Fact]
    public void All_positive_affine_quint8_starts_the_range_at_0_with_zero_point_0()
    {
        var qparams = QParamsCalculator.PerTensor(2f, 6f, QDType.QUInt8, QScheme.PerTensorAffine, UInt8);

        Assert.Equal(6f / 255f, qparams.Scale);
        Assert.Equal(0, qparams.ZeroPoint);
    }

    [Fact]
    public void A_range_that_does_not_contain_0_is_extended_to_0()
    {
        // [-6, -2] becomes [-6, 0]: 0 must be exactly representable (padding, ReLU outputs).
        var qparams = QParamsCalculator.PerTensor(-6f, -2f, QDType.QUInt8, QScheme.PerTensorAffine, UInt8);

        Assert.Equal(6f / 255f, qparams.Scale);
        Assert.Equal(255, qparams.ZeroPoint);
    }

    [Fact]
    public void Affine_zero_point_is_qmin_minus_the_rounded_min_over_scale()
    {
        // scale 4/255; -1 / scale = -63.75 rounds to -64, so zero point 64.
        var qparams = QParamsCalculator.PerTensor(-1f, 3f, QDType.QUInt8, QScheme.PerTensorAffine, UInt8);

        Assert.Equal(4f / 255f, qparams.Scale);
        Assert.Equal(64, qparams.ZeroPoint);
    }

    [Fact]
    public void The_zero_point_rounds_half_to_even()
    {
        // [-2.5, 252.5] over 255 steps: scale exactly 1, min / scale = -2.5 → -2 (half to even), not -3.
        var qparams = QParamsCalculator.PerTensor(-2.5f, 252.5f, QDType.QUInt8, QScheme.PerTensorAffine, UInt8);

        Assert.Equal(1f, qparams.Scale);
        Assert.Equal(2, qparams.ZeroPoint);
    }

    [Fact]
    public void Symmetric_quint8_puts_the_zero_point_at_128()
    {
        var qparams = QParamsCalculator.PerTensor(-1f, 3f, QDType.QUInt8, QScheme.PerTensorSymmetric, UInt8);

        Assert.Equal(3f / 127.5f, qparams.Scale);
        Assert.Equal(128, qparams.ZeroPoint);
    }

    [Fact]
    public void Symmetric_quint8_with_a_custom_range_puts_the_zero_point_at_its_floored_middle()
    {
        var range = QuantRange.For(QDType.QUInt8, quantMin: 0, quantMax: 127);

        var qparams = QParamsCalculator.PerTensor(-1f, 3f, QDType.QUInt8, QScheme.PerTensorSymmetric, range);

        Assert.Equal(3f / 63.5f, qparams.Scale);
        Assert.Equal(63, qparams.ZeroPoint);
    }

    [Fact]
    public void Symmetric_qint8_uses_the_larger_magnitude_and_zero_point_0()
    {
        var qparams = QParamsCalculator.PerTensor(-5f, 3f, QDType.QInt8, QScheme.PerTensorSymmetric, Int8);

        Assert.Equal(5f / 127.5f, qparams.Scale);
        Assert.Equal(0, qparams.ZeroPoint);
    }

    [Theory]
    [InlineData(QDType.QUInt8, 0, 127)]
    [InlineData(QDType.QInt8, -64, 63)]
    public void Reduce_range_drops_one_bit(QDType dtype, int expectedMin, int expectedMax)
    {
        var range = QuantRange.For(dtype, reduceRange: true);

        Assert.Equal((expectedMin, expectedMax, false), (range.Min, range.Max, range.IsCustom));
    }

    [Fact]
    public void Reduce_range_halves_the_steps_and_so_about_doubles_the_scale()
    {
        var full = QParamsCalculator.PerTensor(-1f, 3f, QDType.QUInt8, QScheme.PerTensorAffine, UInt8);
        var reduced = QParamsCalculator.PerTensor(-1f, 3f, QDType.QUInt8, QScheme.PerTensorAffine, QuantRange.For(QDType.QUInt8, reduceRange: true));

        Assert.Equal(4f / 127f, reduced.Scale);
        Assert.Equal(32, reduced.ZeroPoint);   // -1 / (4/127) = -31.75
        Assert.Equal((0, 127), (reduced.QuantMin, reduced.QuantMax));
        Assert.Equal(4f / 255f, full.Scale);
    }

    [Theory]
    [InlineData(QDType.QInt8, -128, 127, -64, 63)]
    [InlineData(QDType.QInt8, -127, 127, -64, 63)]   // Python's floor division: -127 // 2 == -64
    [InlineData(QDType.QUInt8, 0, 255, 0, 127)]
    public void Reduce_range_floor_halves_a_custom_range(QDType dtype, int min, int max, int expectedMin, int expectedMax)
    {
        var range = QuantRange.For(dtype, reduceRange: true, quantMin: min, quantMax: max);

        Assert.Equal((expectedMin, expectedMax, true), (range.Min, range.Max, range.IsCustom));
    }

    [Fact]
    public void The_scale_never_falls_below_eps()
    {
        var tiny = QParamsCalculator.PerTensor(0f, 1e-9f, QDType.QUInt8, QScheme.PerTensorAffine, UInt8);
        var custom = QParamsCalculator.PerTensor(-1f, 1f, QDType.QInt8, QScheme.PerTensorSymmetric, Int8, eps: 0.5f);

        Assert.Equal(QParamsCalculator.DefaultEps, tiny.Scale);
        Assert.Equal(0.5f, custom.Scale);
        Assert.Equal(QParamsCalculator.DefaultEps, MathF.BitIncrement(1f) - 1f);   // torch.finfo(torch.float32).eps
    }

    [Fact]
    public void Per_channel_parameters_are_the_per_tensor_ones_of_each_channel()
    {
        float[] mins = [-1f, 0f, -7f];
        float[] maxs = [3f, 0.5f, 2f];

        var qparams = QParamsCalculator.PerChannel(mins, maxs, 0, QDType.QInt8, QScheme.PerChannelSymmetric, Int8);

        Assert.Equal(0, qparams.Axis);
        for (int c = 0; c < mins.Length; c++)
        {
            var single = QParamsCalculator.PerTensor(mins[c], maxs[c], QDType.QInt8, QScheme.PerTensorSymmetric, Int8);
            Assert.Equal(single.Scale, qparams.Scales[c]);
            Assert.Equal(single.ZeroPoint, qparams.ZeroPoints[c]);
        }
    }

    [Fact]
    public void A_min_above_the_max_or_a_scheme_of_the_wrong_kind_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => QParamsCalculator.PerTensor(2f, 1f, QDType.QUInt8, QScheme.PerTensorAffine, UInt8));
        Assert.Throws<ArgumentException>(() => QParamsCalculator.PerTensor(0f, 1f, QDType.QUInt8, QScheme.PerChannelAffine, UInt8));
        Assert.Throws<ArgumentException>(() => QParamsCalculator.PerChannel([0f], [1f], 0, QDType.QInt8, QScheme.PerTensorSymmetric, Int8));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, 127)]        // must contain 0
    [InlineData(0, 300)]        // outside quint8
    [InlineData(5, 5)]
    public void Bad_custom_ranges_are_rejected(int? quantMin, int? quantMax)
    {
        Assert.Throws<ArgumentException>(() => QuantRange.For(QDType.QUInt8, quantMin: quantMin, quantMax: quantMax));
    }
}
