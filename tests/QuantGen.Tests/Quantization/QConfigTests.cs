using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

/// <summary>The presets build the observers PyTorch 1.13's qconfigs build.</summary>
public class QConfigTests
{
    [Fact]
    public void Default_is_MinMax_0_to_127_activations_and_per_tensor_symmetric_qint8_weights()
    {
        var activation = Assert.IsType<MinMaxObserver>(QConfig.Default.CreateActivationObserver());
        var weight = Assert.IsType<MinMaxObserver>(QConfig.Default.CreateWeightObserver());

        AssertObserver(activation, QDType.QUInt8, QScheme.PerTensorAffine, 0, 127);
        Assert.True(activation.Range.IsCustom);   // quant_min=0, quant_max=127 rather than reduce_range
        AssertObserver(weight, QDType.QInt8, QScheme.PerTensorSymmetric, -128, 127);
    }

    [Theory]
    [InlineData("Fbgemm")]
    [InlineData("X86")]
    public void Fbgemm_and_x86_are_reduced_range_histograms_with_per_channel_symmetric_weights(string backend)
    {
        var qconfig = backend == "Fbgemm" ? QConfig.Fbgemm : QConfig.X86;

        var activation = Assert.IsType<HistogramObserver>(qconfig.CreateActivationObserver());
        var weight = Assert.IsType<PerChannelMinMaxObserver>(qconfig.CreateWeightObserver());

        AssertObserver(activation, QDType.QUInt8, QScheme.PerTensorAffine, 0, 127);
        Assert.True(activation.ReduceRange);
        AssertObserver(weight, QDType.QInt8, QScheme.PerChannelSymmetric, -128, 127);
        Assert.Equal(0, weight.ChannelAxis);
    }

    [Fact]
    public void Qnnpack_is_a_full_range_histogram_with_per_tensor_weights()
    {
        var activation = Assert.IsType<HistogramObserver>(QConfig.Qnnpack.CreateActivationObserver());
        var weight = Assert.IsType<MinMaxObserver>(QConfig.Qnnpack.CreateWeightObserver());

        AssertObserver(activation, QDType.QUInt8, QScheme.PerTensorAffine, 0, 255);
        AssertObserver(weight, QDType.QInt8, QScheme.PerTensorSymmetric, -128, 127);
    }

    [Fact]
    public void Onednn_is_the_fixture_s_histogram_per_channel_and_equals_the_same_combination_built_by_hand()
    {
        var byHand = new QConfig(
            () => new HistogramObserver(),
            () => new PerChannelMinMaxObserver(dtype: QDType.QInt8, qscheme: QScheme.PerChannelSymmetric));

        foreach (var qconfig in new[] { QConfig.Onednn, byHand })
        {
            var activation = Assert.IsType<HistogramObserver>(qconfig.CreateActivationObserver());
            var weight = Assert.IsType<PerChannelMinMaxObserver>(qconfig.CreateWeightObserver());
            AssertObserver(activation, QDType.QUInt8, QScheme.PerTensorAffine, 0, 255);
            Assert.Equal((2048, 128), (activation.Bins, activation.UpsampleRate));
            AssertObserver(weight, QDType.QInt8, QScheme.PerChannelSymmetric, -128, 127);
        }
    }

    [Fact]
    public void Default_dynamic_has_per_tensor_weights_and_no_activation_observer()
    {
        Assert.True(QConfig.DefaultDynamic.IsDynamic);
        AssertObserver(QConfig.DefaultDynamic.CreateWeightObserver(), QDType.QInt8, QScheme.PerTensorSymmetric, -128, 127);
        Assert.Throws<InvalidOperationException>(() => QConfig.DefaultDynamic.CreateActivationObserver());
    }

    [Fact]
    public void Every_call_makes_a_new_observer_and_a_factory_handing_out_a_used_one_is_caught()
    {
        Assert.NotSame(QConfig.Default.CreateActivationObserver(), QConfig.Default.CreateActivationObserver());

        var used = new MinMaxObserver();
        used.Forward(Tensor.Full(1f, 3));
        var shared = new QConfig(() => used, () => new MinMaxObserver());

        Assert.Throws<InvalidOperationException>(() => shared.CreateActivationObserver());
    }

    [Theory]
    [MemberData(nameof(ObserverKinds.Names), MemberType = typeof(ObserverKinds))]
    public void Clone_gives_the_same_settings_and_no_statistics(string kind)
    {
        var observer = ObserverKinds.Create(kind);
        observer.Forward(Tensor.Full(2f, 3, 4));

        var clone = observer.Clone();

        Assert.IsType(observer.GetType(), clone);
        Assert.False(clone.HasObserved);
        Assert.Equal((observer.DType, observer.QScheme, observer.Range, observer.Eps), (clone.DType, clone.QScheme, clone.Range, clone.Eps));
    }

    private static void AssertObserver(Observer observer, QDType dtype, QScheme scheme, int quantMin, int quantMax)
    {
        Assert.Equal((dtype, scheme, quantMin, quantMax), (observer.DType, observer.QScheme, observer.QuantMin, observer.QuantMax));
        Assert.False(observer.HasObserved);
    }
}
