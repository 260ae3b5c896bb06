using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.Nn;

public class ModuleStateTests
{
    [Fact]
    public void SmallCnn_state_dict_has_exactly_the_fixture_keys_shapes_and_dtypes()
    {
        var file = SafeTensors.Load(Fixtures.SmallCnnWeights);
        var ours = new SmallCnn().StateDict();

        Assert.Equal(file.Keys.Order(StringComparer.Ordinal), ours.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, value) in file)
        {
            Assert.Equal(value.Shape, ours[key].Shape);
            Assert.Equal(value.DType, ours[key].DType);
        }
    }

    [Fact]
    public void Loading_copies_every_value_and_the_state_dict_gives_them_back_bit_for_bit()
    {
        var file = SafeTensors.Load(Fixtures.SmallCnnWeights);
        var model = new SmallCnn();
        var result = model.LoadStateDict(file);

        Assert.Empty(result.MissingKeys);
        Assert.Empty(result.UnexpectedKeys);
        foreach (var (key, value) in model.StateDict())
        {
            Assert.True(file[key].Bytes.SequenceEqual(value.Bytes), $"{key} differs after a load/save round trip");
        }
    }

    [Fact]
    public void A_strict_load_reports_missing_unexpected_and_misshaped_keys_together_and_loads_nothing()
    {
        var model = new SmallCnn();
        var before = model.StateDict();
        var broken = new StateDict("broken.safetensors");
        foreach (var (key, value) in SafeTensors.Load(Fixtures.SmallCnnWeights))
        {
            if (key == "fc2.bias") continue;                                             // missing
            bool misshaped = key == "conv2.weight";
            broken.Add(key, misshaped ? TensorData.FromFloat32(new Shape(16, 8, 5, 5), new float[16 * 8 * 25]) : value);
        }
        broken.Add("fc3.weight", Tensor.Zeros(2, 2));                                    // unexpected

        var error = Assert.Throws<StateDictLoadException>(() => model.LoadStateDict(broken));

        Assert.Equal(["fc2.bias"], error.MissingKeys);
        Assert.Equal(["fc3.weight"], error.UnexpectedKeys);
        var mismatch = Assert.Single(error.Mismatches);
        Assert.Equal("conv2.weight", mismatch.Key);
        Assert.Contains("expected shape [16, 8, 3, 3], got [16, 8, 5, 5]", mismatch.Problem);
        Assert.Contains("broken.safetensors", error.Message);
        foreach (var (key, value) in model.StateDict())
        {
            Assert.True(before[key].Bytes.SequenceEqual(value.Bytes), $"{key} was changed by a load that failed");
        }
    }

    [Fact]
    public void A_key_whose_shape_does_not_match_the_module_names_the_file_the_key_and_the_expected_shape()
    {
        var dict = SafeTensors.Load(Fixtures.SmallCnnWeights);
        var altered = new StateDict();
        foreach (var (key, value) in dict)
        {
            altered.Add(key, key == "fc1.weight" ? TensorData.FromFloat32(new Shape(32, 100), new float[3200]) : value);
        }
        string path = Path.Combine(Path.GetTempPath(), $"qg-misshaped-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, altered);
            var error = Assert.Throws<StateDictLoadException>(() => new SmallCnn().LoadStateDict(SafeTensors.Load(path)));
            Assert.Contains(path, error.Message);
            Assert.Contains("fc1.weight", error.Message);
            Assert.Contains("expected shape [32, 784], got [32, 100]", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_non_strict_load_returns_what_it_skipped_and_loads_the_rest()
    {
        var partial = new StateDict();
        var fc2 = Tensor.Full(0.5f, 10, 32);
        partial.Add("fc2.weight", fc2);
        partial.Add("head.weight", Tensor.Zeros(1));
        var model = new SmallCnn();

        var result = model.LoadStateDict(partial, strict: false);

        Assert.Equal(["head.weight"], result.UnexpectedKeys);
        Assert.Contains("conv1.weight", result.MissingKeys);
        Assert.DoesNotContain("fc2.weight", result.MissingKeys);
        Assert.All(model.StateDict()["fc2.weight"].ToFloat32(), v => Assert.Equal(0.5f, v));
    }

    [Fact]
    public void A_dtype_that_cannot_feed_a_float_parameter_is_a_mismatch()
    {
        var model = new Linear(2, 1);
        var dict = new StateDict();
        dict.Add("weight", TensorData.FromInt64(new Shape(1, 2), [1, 2]));
        dict.Add("bias", Tensor.Zeros(1));

        var error = Assert.Throws<StateDictLoadException>(() => model.LoadStateDict(dict));
        Assert.Contains("expected a floating-point tensor", Assert.Single(error.Mismatches).Problem);
    }

    [Fact]
    public void Half_precision_weights_widen_into_float_parameters()
    {
        var model = new Linear(2, 1, bias: false);
        var dict = new StateDict();
        dict.Add("weight", new TensorData(DType.F16, new Shape(1, 2), [0x00, 0x3C, 0x00, 0xC0]));   // 1.0, −2.0

        model.LoadStateDict(dict);

        Assert.Equal([1f, -2f], model.Weight.Data);
    }

    [Fact]
    public void Mode_changes_reach_every_descendant()
    {
        var model = new MobileNetV2();
        Assert.All(model.Modules(), m => Assert.True(m.Training));
        model.Eval();
        Assert.All(model.Modules(), m => Assert.False(m.Training));
    }

    [Fact]
    public void Modules_are_named_by_their_dotted_path()
    {
        var names = new MobileNetV2().NamedModules().Select(m => m.Name).ToList();

        Assert.Equal("", names[0]);
        Assert.Contains("features.1.conv.0.0", names);
        Assert.Contains("features.17.conv.2", names);
        Assert.Contains("classifier.1", names);
    }

    [Fact]
    public void A_wrong_input_shape_names_the_module_and_both_shapes()
    {
        var model = new MobileNetV2();
        model.Eval();

        var error = Assert.Throws<ShapeMismatchException>(() => model.Forward(Tensor.Zeros(2, 3, 28, 28)));

        Assert.Contains("'features.0.0' Conv2d(1, 32", error.Message);
        Assert.Contains("[N, 1, H, W]", error.Message);
        Assert.Contains("[2, 3, 28, 28]", error.Message);
    }

    [Fact]
    public void A_linear_layer_fed_the_wrong_width_names_both_widths()
    {
        var error = Assert.Throws<ShapeMismatchException>(() => new Linear(100, 10).Forward(Tensor.Zeros(4, 784)));

        Assert.Equal("[*, 100]", error.Expected);
        Assert.Equal(new Shape(4, 784), error.Actual);
        Assert.Contains("Linear(in_features=100, out_features=10", error.Message);
    }

    [Fact]
    public void A_convolution_in_eval_mode_sees_new_weights_after_a_load_and_after_MarkModified()
    {
        var conv = new Conv2d(2, 3, kernelSize: 1, bias: false);
        conv.Eval();
        var x = Tensor.Full(1f, 1, 2, 2, 2);
        conv.Forward(x);   // packs the initial weights

        var dict = new StateDict();
        dict.Add("weight", Tensor.Full(0.5f, 3, 2, 1, 1));
        conv.LoadStateDict(dict);
        Assert.All(conv.Forward(x).Data, v => Assert.Equal(1f, v));

        conv.Weight.Data.AsSpan().Fill(2f);
        conv.Weight.MarkModified();
        Assert.All(conv.Forward(x).Data, v => Assert.Equal(4f, v));
    }

    [Fact]
    public void Walking_a_submodule_keeps_every_path_in_the_whole_model()
    {
        var model = new MobileNetV2();
        model.Eval();
        var block = model.GetSubmodule("features.3")!;

        block.Train();   // walks from the block
        var names = block.NamedModules().Select(m => m.Name).ToList();

        Assert.Contains("conv.0.0", names);   // names relative to the walk's root, as PyTorch's named_modules
        Assert.Equal("features.3", block.Path);
        Assert.Equal("features.3.conv.0.0", block.GetSubmodule("conv.0.0")!.Path);
    }
}
