using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization;

/// <summary>Prepare's keepFloat: which layers stay float, what they read and write, and the error on a path that names nothing.</summary>
public class KeepFloatTests
{
    private sealed class Mlp : Module
    {
        readonly QuantStub quant = new();
        readonly Linear fc1 = new(16, 24);
        readonly ReLU relu = new();
        readonly Sequential head = new(new Linear(24, 12), new ReLU(), new Dropout(0.1f), new Linear(12, 5));
        readonly DeQuantStub dequant = new();

        public override Tensor Forward(Tensor x) => dequant.Forward(head.Forward(relu.Forward(fc1.Forward(quant.Forward(x)))));
    }

    [Fact]
    public void An_unknown_path_is_a_typed_error_naming_the_closest_path_and_leaves_the_model_unprepared()
    {
        var model = Prepared(out _, keepFloat: null);
        var fresh = new Mlp();
        fresh.Eval();

        var error = Assert.Throws<UnknownModulePathException>(() => Prepare(fresh, QConfig.Default, "fc1", "haed.3"));

        Assert.Equal("haed.3", error.Path);
        Assert.Equal("head.3", error.Closest);
        Assert.Contains("'haed.3'", error.Message);
        Assert.Contains("closest path is 'head.3'", error.Message);
        Assert.Empty(Observers(fresh));
        Assert.NotEmpty(Observers(model));
    }

    [Fact]
    public void A_kept_last_layer_computes_float_logits_from_the_dequantized_int8_activations_unrounded()
    {
        var model = Prepared(out var batches, keepFloat: ["head.3"]);
        Calibrate(model, batches);
        Convert(model);
        var probe = Inputs(new Random(5), 32);

        // The same computation from the converted int8 layers one by one and a float Linear on their dequantized output.
        Tensor hidden = probe;
        foreach (string path in new[] { "quant", "fc1", "relu", "head.0", "head.1", "head.2" }) hidden = model.GetSubmodule(path)!.Forward(hidden);
        Assert.True(hidden.IsQuantized);
        var last = (Linear)model.GetSubmodule("head.3")!;
        var dequantized = new float[hidden.Length];
        Dequantize.Activations(hidden.QuantizedData, new ActivationQParams(hidden.QuantScale, hidden.QuantZeroPoint), dequantized);
        Tensor expected = Functional.Linear(new Tensor(hidden.Shape, dequantized), last.Weight, last.Bias);

        Tensor logits = model.Forward(probe);

        Assert.IsType<KeptFloatLayer>(last.Substitute);
        Assert.False(logits.IsQuantized);
        Assert.Equal(expected.Data, logits.Data);
        // Not rounded to the 8-bit grid of the range observed at the kept layer.
        var grid = ((KeptFloatLayer)last.Substitute!).Output;
        Assert.Contains(logits.Data, v => MathF.Abs(v / grid.Scale - MathF.Round(v / grid.Scale)) > 0.01f);
    }

    [Fact]
    public void A_kept_container_keeps_every_layer_under_it_and_int8_layers_after_a_kept_one_read_its_output_quantized()
    {
        var model = Prepared(out var batches, keepFloat: ["fc1", "head"]);
        Calibrate(model, batches);
        Convert(model);

        string[] kept = [.. model.NamedModules().Where(m => m.Module is Layer { Substitute: KeptFloatLayer }).Select(m => m.Name)];
        Assert.Equal(["fc1", "head.0", "head.1", "head.2", "head.3"], kept);

        // fc1 is float, relu (not kept) then reads its output as quint8 bytes: the kept value's float values are set
        // aside by a layer that is not kept, and head.0 (kept) dequantizes the bytes ReLU wrote.
        Tensor x = Inputs(new Random(6), 8);
        Tensor fromFc1 = model.GetSubmodule("fc1")!.Forward(model.GetSubmodule("quant")!.Forward(x));
        Tensor afterRelu = model.GetSubmodule("relu")!.Forward(fromFc1);
        Assert.True(fromFc1.IsQuantized);
        Assert.True(afterRelu.IsQuantized);
        Assert.Null(afterRelu.KeptFloat);
        Assert.NotNull(fromFc1.KeptFloat);
    }

    [Fact]
    public void Keeping_a_layer_fused_into_another_keeps_the_fused_layer()
    {
        var model = new Mlp();
        model.Eval();
        FuseModules(model, ["fc1", "relu"]);

        Prepare(model, QConfig.Default, "relu");
        Calibrate(model, [Inputs(new Random(3), 16)]);
        Convert(model);

        Assert.IsType<KeptFloatLayer>(((Layer)model.GetSubmodule("fc1")!).Substitute);
        Assert.IsType<Identity>(((Layer)model.GetSubmodule("relu")!).Substitute);
    }

    private static Mlp Prepared(out List<Tensor> batches, string[]? keepFloat)
    {
        Init.ManualSeed(21);
        var model = new Mlp();
        model.Eval();
        var random = new Random(22);
        batches = [.. Enumerable.Range(0, 4).Select(_ => Inputs(random, 32))];
        Prepare(model, QConfig.Default, keepFloat ?? []);
        return model;
    }

    private static Tensor Inputs(Random random, int rows)
    {
        var t = Tensor.Zeros(rows, 16);
        for (int i = 0; i < t.Length; i++) t.Data[i] = random.NextSingle() * 4 - 2;
        return t;
    }
}
