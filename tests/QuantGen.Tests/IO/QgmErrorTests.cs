using QuantGen.IO;
using QuantGen.IO.Qgm;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Infrastructure;
using static QuantGen.Quantization.EagerQuantization;
using static QuantGen.Tests.IO.QgmTestModels;

namespace QuantGen.Tests.IO;

/// <summary>
/// Every way a load or save can fail is a typed error naming the file (and the tensor, when one is at fault),
/// saying what was wrong and what to do; a failed load leaves the model as it was.
/// </summary>
public sealed class QgmErrorTests
{
    [Fact]
    public void A_plain_safetensors_file_is_not_a_qgm_file_and_the_message_says_how_to_load_float_weights()
    {
        string path = Fixtures.SmallCnnWeights;

        var load = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));
        var inspect = Assert.Throws<QgmFormatException>(() => QgmFile.Inspect(path));

        Assert.Equal(path, load.FilePath);
        Assert.Contains("its metadata says \"format\": \"pt\", not \"format\": \"quantgen.qgm\", so it is not a .qgm model file", load.Message);
        Assert.Contains("model.LoadStateDict(SafeTensors.Load(path))", load.Message);
        Assert.Contains("QgmFile.Save", load.Message);
        Assert.Equal(load.Message, inspect.Message);
    }

    [Fact]
    public void A_safetensors_file_without_a_format_marker_is_refused_too()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp), metadata: m => m.Remove("format"));

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        Assert.Contains("its metadata has no \"format\", not \"format\": \"quantgen.qgm\", so it is not a .qgm model file", error.Message);
    }

    [Fact]
    public void A_newer_format_version_says_which_and_to_use_the_newer_QuantGen_or_save_again()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp), metadata: m => m["format_version"] = "3", reseal: false);

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        Assert.Contains("written by format version 3; this QuantGen reads versions 1 to 2", error.Message);
        Assert.Contains("newer QuantGen", error.Message);
        Assert.Contains("save the model again", error.Message);
    }

    [Fact]
    public void An_older_format_version_says_to_save_again()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp), metadata: m => m["format_version"] = "0", reseal: false);

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Inspect(path));

        Assert.Contains("written by format version 0; this QuantGen reads versions 1 to 2 and no longer reads older ones", error.Message);
        Assert.Contains("save the model again with this QuantGen", error.Message);
    }

    [Fact]
    public void Another_architecture_names_both_classes()
    {
        using var temp = new TempDirectory();
        string path = SavedSmallCnn(temp);

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new MobileNetV2(), path));

        Assert.Contains("this file holds a QuantGen.Models.SmallCnn; the model passed is a QuantGen.Models.MobileNetV2", error.Message);
        Assert.Contains("Load it into a new QuantGen.Models.SmallCnn", error.Message);
    }

    [Fact]
    public void The_same_class_built_with_other_arguments_is_refused_and_the_first_difference_named()
    {
        var converted = new MobileNetV2();
        converted.Eval();
        QuantizeDynamic(converted);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "mnv2_dynamic.qgm");
        QgmFile.Save(converted, path);

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new MobileNetV2(numClasses: 5), path));

        Assert.Contains("this file holds a QuantGen.Models.MobileNetV2 of another structure than the model passed", error.Message);
        Assert.Contains("'classifier.1.weight' is [10, 1280] in the file, [5, 1280] in the model", error.Message);
        Assert.Contains("construct the model as the saved one was", error.Message);
    }

    [Fact]
    public void A_truncated_file_is_a_qgm_error_wrapping_the_containers_error()
    {
        using var temp = new TempDirectory();
        byte[] whole = File.ReadAllBytes(SavedSmallCnn(temp));
        string path = temp.WriteFile("cut.qgm", whole[..(whole.Length / 2)]);

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        var inner = Assert.IsType<SafeTensorsException>(error.InnerException);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("the file is damaged: its safetensors container cannot be read", error.Message);
        Assert.Contains(inner.Problem, error.Message);
        Assert.Contains("truncated or corrupted", error.Message);
        Assert.Contains("copy it again", error.Message);
    }

    [Fact]
    public void A_flipped_weight_byte_fails_the_checksum()
    {
        using var temp = new TempDirectory();
        byte[] bytes = File.ReadAllBytes(SavedSmallCnn(temp));
        bytes[^5000] ^= 0x10;   // inside fc1's int8 weight, the largest tensor
        string path = temp.WriteFile("flipped.qgm", bytes);
        var model = new SmallCnn();

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(model, path));

        Assert.Contains("its contents do not match its checksum", error.Message);
        Assert.Contains("the file is corrupted", error.Message);
        Assert.All(model.Modules().OfType<Layer>(), l => Assert.Null(l.Substitute));
    }

    [Fact]
    public void A_missing_tensor_is_named_with_the_shape_it_should_have_and_the_model_is_left_as_it_was()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp), tensor: (key, value) => key == "conv2.weight_scale" ? null : value);
        var model = new SmallCnn();

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(model, path));

        Assert.Equal("conv2.weight_scale", error.Key);
        Assert.Contains("tensor 'conv2.weight_scale': the tensor is missing; expected F32 [] or F32 [16], the weight scale of 'conv2'", error.Message);
        Assert.Contains("save the converted model again", error.Message);
        Assert.All(model.Modules().OfType<Layer>(), l => Assert.Null(l.Substitute));
        Assert.False(((Conv2d)model.GetSubmodule("conv1")!).HasFoldedBatchNorm);
    }

    [Fact]
    public void A_misshaped_tensor_says_what_it_is_and_what_was_expected()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp),
            tensor: (key, value) => key == "fc1.weight" ? TensorData.FromInt8(new Shape(32, 700), new sbyte[32 * 700]) : value);

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        Assert.Equal("fc1.weight", error.Key);
        Assert.Contains("it is I8 [32, 700]; expected I8 [32, 784], the int8 weight of 'fc1'", error.Message);
    }

    [Fact]
    public void A_float_weight_where_int8_belongs_is_a_dtype_error()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp),
            tensor: (key, value) => key == "conv1.weight" ? TensorData.FromFloat32(value.Shape, new float[72]) : value);

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        Assert.Contains("it is F32 [8, 1, 3, 3]; expected I8 [8, 1, 3, 3], the int8 weight of 'conv1'", error.Message);
    }

    [Fact]
    public void A_scale_that_is_not_positive_is_refused()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp),
            tensor: (key, value) => key == "fc2.scale" ? TensorData.FromFloat32(new Shape(), [-0.5f]) : value);

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        Assert.Equal("fc2.scale", error.Key);
        Assert.Contains("the output scale of layer 'fc2': value 0 is -0.5; expected a float32 scale in [2^-32, 2^32]", error.Message);
    }

    [Fact]
    public void A_tensor_the_model_has_no_place_for_is_refused()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp), extra: [("conv1.extra", TensorData.FromFloat32(new Shape(1), [1f]))]);

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        Assert.Equal("conv1.extra", error.Key);
        Assert.Contains("the model has no place for this tensor", error.Message);
    }

    [Fact]
    public void Substitutes_naming_a_layer_the_model_lacks_are_refused()
    {
        using var temp = new TempDirectory();
        string path = Edited(temp, SavedSmallCnn(temp),
            metadata: m => m["substitutes"] = m["substitutes"].Replace("\"bn1\"", "\"bn9\"", StringComparison.Ordinal));

        var error = Assert.Throws<QgmFormatException>(() => QgmFile.Load(new SmallCnn(), path));

        Assert.Contains("its \"substitutes\" give 'bn9' the value \"Identity\", but the model has no module 'bn9'", error.Message);
    }

    [Fact]
    public void Saving_a_float_fused_or_prepared_model_says_to_convert_first()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "never.qgm");
        var fused = TrainedModels.SmallCnn();
        FuseModules(fused, SmallCnn.FusionGroups);
        var prepared = TrainedModels.SmallCnn();
        Prepare(prepared, QConfig.Default);

        var unquantized = Assert.Throws<QuantizationException>(() => QgmFile.Save(TrainedModels.SmallCnn(), path));
        var onlyFused = Assert.Throws<QuantizationException>(() => QgmFile.Save(fused, path));
        var onlyPrepared = Assert.Throws<QuantizationException>(() => QgmFile.Save(prepared, path));

        Assert.Contains("SmallCnn is not quantized: it has no int8 layers", unquantized.Message);
        Assert.Contains("Convert (or QuantizeDynamic)", unquantized.Message);
        Assert.Contains("SafeTensors.Save(path, model.StateDict())", unquantized.Message);
        Assert.Contains("(it is fused, but not converted)", onlyFused.Message);
        Assert.Contains("SmallCnn is prepared but not converted: 'quant', 'conv1', 'bn1', … still carry observers", onlyPrepared.Message);
        Assert.Contains("call Convert(model)", onlyPrepared.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Loading_into_a_model_that_is_already_converted_asks_for_a_fresh_one()
    {
        using var temp = new TempDirectory();
        string path = SavedSmallCnn(temp);
        var converted = QgmFile.Load(new SmallCnn(), path);

        var error = Assert.Throws<QuantizationException>(() => QgmFile.Load(converted, path));

        Assert.Contains("'quant' of this SmallCnn is already converted", error.Message);
        Assert.Contains("Pass a new SmallCnn", error.Message);
    }
}
