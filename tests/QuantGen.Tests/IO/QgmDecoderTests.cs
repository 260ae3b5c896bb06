using QuantGen.IO;
using QuantGen.IO.Qgm;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using static QuantGen.Quantization.EagerQuantization;
using static QuantGen.Tests.IO.QgmTestModels;

namespace QuantGen.Tests.IO;

/// <summary>
/// The decoder's int8 layers in a .qgm file (format version 2): a ConvTranspose2d with its BatchNorm folded in (its
/// folded bias the file carries, the layer having none of its own) and a standalone BatchNorm2d with a fused ReLU,
/// whose statistics stay float; each loads into a freshly built model and computes what the converted one does, bit for
/// bit, and saves again to the same bytes. Files of version 1 still load.
/// </summary>
public sealed class QgmDecoderTests
{
    /// <summary>A small U-Net-like network: a convolutional encoder, a transposed-convolution decoder with a Cat skip, an Upsample with a BatchNorm2d of its own.</summary>
    private sealed class EncoderDecoder : Module
    {
        public static readonly string[][] FusionGroups =
        [
            ["enc1", "enc1_bn", "enc1_act"], ["enc2", "enc2_bn", "enc2_act"], ["up1", "up1_bn"], ["dec1", "dec1_act"], ["up2_bn", "up2_act"],
        ];

        private readonly QuantStub quant = new();
        private readonly Conv2d enc1 = new(1, 4, kernelSize: 3, padding: 1, bias: false);
        private readonly BatchNorm2d enc1_bn = new(4);
        private readonly ReLU enc1_act = new();
        private readonly MaxPool2d pool1 = new(2);
        private readonly Conv2d enc2 = new(4, 8, kernelSize: 3, padding: 1, bias: false);
        private readonly BatchNorm2d enc2_bn = new(8);
        private readonly ReLU enc2_act = new();
        private readonly MaxPool2d pool2 = new(2);
        private readonly ConvTranspose2d up1 = new(8, 4, kernelSize: 2, stride: 2, bias: false);
        private readonly BatchNorm2d up1_bn = new(4);
        private readonly ReLU up1_act = new();
        private readonly FloatFunctional skip = new();
        private readonly Conv2d dec1 = new(12, 4, kernelSize: 3, padding: 1);
        private readonly ReLU dec1_act = new();
        private readonly Upsample up2 = new(scaleFactor: 2, mode: UpsampleMode.Bilinear, alignCorners: false);
        private readonly BatchNorm2d up2_bn = new(4);
        private readonly ReLU up2_act = new();
        private readonly Conv2d head = new(4, 2, kernelSize: 1);
        private readonly DeQuantStub dequant = new();

        public override Tensor Forward(Tensor x)
        {
            var e1 = enc1_act.Forward(enc1_bn.Forward(enc1.Forward(quant.Forward(x))));      // [4, 16, 16]
            var e2 = enc2_act.Forward(enc2_bn.Forward(enc2.Forward(pool1.Forward(e1))));     // [8, 8, 8]
            var d = up1_act.Forward(up1_bn.Forward(up1.Forward(pool2.Forward(e2))));         // [8, 4, 4] → [4, 8, 8]
            d = dec1_act.Forward(dec1.Forward(skip.Cat([d, e2], 1)));                        // [12, 8, 8] → [4, 8, 8]
            d = up2_act.Forward(up2_bn.Forward(up2.Forward(d)));                               // [4, 16, 16]
            return dequant.Forward(head.Forward(d));
        }
    }

    [Fact]
    public void A_converted_encoder_decoder_round_trips_bit_for_bit_and_saves_again_to_the_same_bytes()
    {
        var random = new Random(25);
        var converted = Converted(random);
        Tensor input = Images(random, 6);
        Tensor expected = converted.Forward(input);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "encoder_decoder.qgm");
        QgmFile.Save(converted, path);

        var info = QgmFile.Inspect(path);
        Assert.Equal("QuantizedConvTranspose2d", info.Substitutes["up1"]);
        Assert.Equal("Identity", info.Substitutes["up1_bn"]);
        Assert.Equal("BatchNorm2d", info.Fusions["up1"]);
        Assert.Equal("QuantizedBatchNorm2d", info.Substitutes["up2_bn"]);
        Assert.Equal("ReLU", info.Fusions["up2_bn"]);
        var file = SafeTensors.Load(path);
        Assert.Equal(DType.I8, file["up1.weight"].DType);
        Assert.Equal(new Shape(8, 4, 2, 2), file["up1.weight"].Shape);
        Assert.Equal(new Shape(), file["up1.weight_scale"].Shape);   // per tensor: PyTorch's only transposed-convolution kind
        Assert.Contains("up1.bias", file.Keys);                       // the folded bias of a layer built without one
        Assert.Contains("up2_bn.running_mean", file.Keys);            // a quantized BatchNorm2d computes from its float statistics
        Assert.DoesNotContain("up1_bn.running_mean", file.Keys);      // folded away

        var loaded = QgmFile.Load(new EncoderDecoder(), path);
        AssertBitIdentical(expected, loaded.Forward(input));
        AssertSameSubstitutes(converted, loaded);
        Assert.True(expected.Data.Distinct().Count() > 50, "the outputs should vary, or the comparison proves little");

        string again = Path.Combine(temp.Path, "again.qgm");
        QgmFile.Save(loaded, again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void A_transposed_convolution_and_a_BatchNorm2d_converted_alone_round_trip()
    {
        static Sequential Build() => new(new QuantStub(), new ConvTranspose2d(2, 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1), new BatchNorm2d(3), new DeQuantStub());
        var random = new Random(26);
        Init.ManualSeed(26);
        var model = Build();
        Randomize((BatchNorm2d)model[2], random);
        model.Eval();
        Prepare(model, QConfig.Default);
        Tensor Batch() => Tensor.FromArray([.. Enumerable.Range(0, 4 * 2 * 5 * 5).Select(_ => random.NextSingle() * 4 - 2)], 4, 2, 5, 5);
        Calibrate(model, [Batch(), Batch()]);
        Convert(model);
        Assert.IsType<QuantizedBatchNorm2d>(((Layer)model[2]).Substitute);

        var input = Batch();
        var expected = model.Forward(input);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "decoder.qgm");
        QgmFile.Save(model, path);
        var loaded = QgmFile.Load(Build(), path);
        AssertBitIdentical(expected, loaded.Forward(input));
        AssertSameSubstitutes(model, loaded);
    }

    [Fact]
    public void A_file_of_format_version_1_still_loads()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp), metadata: m => m["format_version"] = "1");
        var input = CalibrationBatches(64).First();

        var loaded = QgmFile.Load(new SmallCnn(), path);

        Assert.Equal(1, QgmFile.Inspect(path).FormatVersion);
        AssertBitIdentical(QgmFile.Load(new SmallCnn(), SavedSmallCnn(temp)).Forward(input), loaded.Forward(input));
    }

    [Fact]
    public void A_quantized_BatchNorm2d_named_for_a_convolution_is_refused_naming_both()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp), metadata: m => m["substitutes"] = m["substitutes"].Replace("\"conv2\":\"QuantizedConv2d\"", "\"conv2\":\"QuantizedBatchNorm2d\""));

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        Assert.Contains("'conv2' the value \"QuantizedBatchNorm2d\", but 'conv2' is a Conv2d", error.Message);
    }

    private static EncoderDecoder Converted(Random random)
    {
        Init.ManualSeed(25);
        var model = new EncoderDecoder();
        foreach (var bn in model.Modules().OfType<BatchNorm2d>()) Randomize(bn, random);
        model.Eval();
        FuseModules(model, EncoderDecoder.FusionGroups);
        Prepare(model, QConfig.Default);
        Calibrate(model, [Images(random, 8), Images(random, 8)]);
        Convert(model);
        return model;
    }

    /// <summary>Running statistics and affine parameters away from the identity, so that folding and BatchNorm change something.</summary>
    private static void Randomize(BatchNorm2d bn, Random random)
    {
        for (int c = 0; c < bn.NumFeatures; c++)
        {
            bn.RunningMean.Data[c] = random.NextSingle() - 0.5f;
            bn.RunningVar.Data[c] = random.NextSingle() + 0.5f;
            bn.Weight!.Data[c] = random.NextSingle() + 0.5f;
            bn.Bias!.Data[c] = random.NextSingle() - 0.5f;
        }
    }

    private static Tensor Images(Random random, int n) =>
        Tensor.FromArray([.. Enumerable.Range(0, n * 256).Select(_ => random.NextSingle() * 3 - 0.5f)], n, 1, 16, 16);
}
