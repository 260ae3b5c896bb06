using QuantGen.IO;
using QuantGen.IO.Qgm;
using QuantGen.Models;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Quantization.EagerQuantization;
using static QuantGen.Tests.IO.QgmTestModels;

namespace QuantGen.Tests.IO;

/// <summary>
/// Files whose checksum is valid (recomputed after the edit, as a buggy writer would) but whose values cannot run:
/// refused at load naming the layer, or, where only the layers around a residual add decide, before running with the
/// add named. And metadata a JSON reader cannot decode is a format error, not an InvalidOperationException.
/// </summary>
public sealed class QgmValueTests
{
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(0f)]
    [InlineData(1e-30f)]      // normal, but s_in·s_w/s_out would leave float32's normal range
    [InlineData(8.5e9f)]      // just over 2^32
    [InlineData(1e30f)]
    public void A_weight_scale_outside_the_kernels_range_is_refused_at_load_naming_the_layer(float scale)
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp),
            tensor: (key, value) => key == "conv2.weight_scale" ? TensorData.FromFloat32(value.Shape, Enumerable.Repeat(scale, (int)value.Shape.ElementCount).ToArray()) : value);
        var model = new SmallCnn();

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(model, path));

        Assert.Equal("conv2.weight_scale", error.Key);
        Assert.Contains($"the weight scale of layer 'conv2': value 0 is {scale}; expected a float32 scale in [2^-32, 2^32]", error.Message);
        Assert.All(model.Modules().OfType<QuantGen.Nn.Layer>(), l => Assert.Null(l.Substitute));
    }

    [Theory]
    [InlineData(2.3283064E-10f)]   // 2^-32
    [InlineData(4.2949673E+09f)]   // 2^32
    public void Scales_at_the_ends_of_the_range_load_and_run(float scale)
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp), tensor: (key, value) => key == "fc1.scale" ? TensorData.FromFloat32(new Shape(), [scale]) : value);

        var model = QgmFile.Load(new SmallCnn(), path);
        var logits = new float[10];
        SmallCnn.Int8.From(model).Forward(Fixtures.LoadProbeImages().Data[..784], logits);

        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udfff")]
    public void An_unpaired_surrogate_escaped_in_the_substitutes_map_is_a_format_error(string escape)
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp), metadata: m => m[QgmFormat.SubstitutesKey] = m[QgmFormat.SubstitutesKey].Replace("\"conv1\"", $"\"conv1{escape}\""));

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        Assert.Contains("its \"substitutes\" is not a JSON object of strings: a name or value escapes an unpaired UTF-16 surrogate", error.Message);
    }

    [Fact]
    public void A_residual_add_whose_scales_qnnpack_cannot_requantize_is_named_by_Int8_From_and_by_the_eager_add()
    {
        var converted = StaticMobileNetV2(64);
        using var temp = new TempDirectory();
        string saved = Path.Combine(temp.Path, "mnv2.qgm");
        QgmFile.Save(converted, saved);
        // A thousandth of the calibrated output scale: both inputs' scales are then over 2^8 times the output's.
        string path = Edited(temp, saved, tensor: (key, value) =>
            key == "features.3.skipAdd.scale" ? TensorData.FromFloat32(new Shape(), [value.ToFloat32()[0] / 1000]) : value);

        var model = QgmFile.Load(new MobileNetV2(), path);
        var fromError = Assert.Throws<QuantizationException>(() => MobileNetV2.Int8.From(model));
        var eagerError = Assert.Throws<QuantizationException>(() => model.Forward(MnistSet.LoadTest().ToTensor(0, 1)));

        Assert.StartsWith("'features.3.skipAdd' (Add) cannot run in int8: its inputs' scales", fromError.Message);
        Assert.Contains("qnnpack's add takes ratios in [2^-14, 2^8)", fromError.Message);
        Assert.Equal(fromError.Message, eagerError.Message);
    }
}
