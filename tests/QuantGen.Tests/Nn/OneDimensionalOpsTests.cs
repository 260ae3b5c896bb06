using System.Text.Json;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Tests.Nn;

/// <summary>
/// The 1-D ops against PyTorch 1.13 (Fixtures/ops_1d.json, made by ops_1d.py with engine qnnpack): float forwards
/// within 1e-5; for Conv1d and Linear over [N, T, F], the observers' qparams and int8 weights equal PyTorch's after
/// the same calibration, and the converted layer on PyTorch's quint8 input gives its bytes; the pools on quint8 give
/// PyTorch's bytes and qparams; BatchNorm1d's training step updates the running statistics as PyTorch's does.
/// </summary>
public sealed class OneDimensionalOpsTests
{
    private static readonly Lazy<JsonDocument> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ops_1d.json"))));

    private static JsonElement Section(string name) => Fixture.Value.RootElement.GetProperty(name);

    public static TheoryData<int> ConvCases => [.. Enumerable.Range(0, Section("conv1d").GetArrayLength())];

    public static TheoryData<string> QConfigs => ["minmax_per_tensor", "histogram_per_channel"];

    private static QConfig QConfigNamed(string name) => name switch
    {
        "minmax_per_tensor" => QConfig.Default,
        "histogram_per_channel" => QConfig.Onednn,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv1d_float_forward_is_within_1e_5_of_PyTorch(int index)
    {
        var c = Section("conv1d")[index];
        var conv = Conv(c);
        var output = conv.Forward(Floats(c, "input", "input_shape"));
        Assert.Equal(Ints(c.GetProperty("output_shape")), output.Shape.ToArray());
        AssertClose(Floats(c.GetProperty("output")), output.Data, 1e-5f, $"Conv1d {c.GetProperty("args")}");
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Conv1d_int8_has_PyTorchs_qparams_weights_and_bytes(int index)
    {
        var c = Section("conv1d")[index];
        foreach (string qconfig in QConfigs)
        {
            var expected = c.GetProperty(qconfig);
            var conv = Conv(c);
            var model = new Sequential(new QuantStub(), conv, new DeQuantStub());
            model.Eval();
            EagerQuantization.Prepare(model, QConfigNamed(qconfig));
            EagerQuantization.Calibrate(model, [Floats(c, "input", "input_shape")]);
            bool sameQParams = AssertObserved(model, expected, $"Conv1d {c.GetProperty("args")} {qconfig}");
            EagerQuantization.Convert(model);

            var quantized = Assert.IsType<QuantizedConv2d>(conv.Substitute);
            AssertWeights(expected, quantized.Weight, quantized.WeightQParams);
            AssertInt8Output(conv, expected, Ints(c.GetProperty("input_shape")), sameQParams, $"Conv1d {c.GetProperty("args")} {qconfig}");
        }
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Observers_of_PyTorchs_float_Conv1d_output_give_its_qparams_exactly(int index)
    {
        var c = Section("conv1d")[index];
        foreach (string qconfig in QConfigs)
        {
            var observer = QConfigNamed(qconfig).CreateActivationObserver();
            observer.Forward(Floats(c, "output", "output_shape"));
            var q = observer.CalculateQParams();
            Assert.Equal(Qparams(c.GetProperty(qconfig).GetProperty("output_qparams")), new ActivationQParams(q.Scale, q.ZeroPoint));
        }
    }

    public static TheoryData<int> PoolCases => [.. Enumerable.Range(0, Section("pools").GetArrayLength())];

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void Pools_give_PyTorchs_float_values_and_quint8_bytes(int index)
    {
        var c = Section("pools")[index];
        var args = c.GetProperty("args");
        string where = $"{c.GetProperty("op").GetString()} {args} over {c.GetProperty("input_shape")}";
        var pool = Pool(c.GetProperty("op").GetString()!, args);

        var output = pool.Forward(Floats(c, "input", "input_shape"));
        Assert.Equal(Ints(c.GetProperty("output_shape")), output.Shape.ToArray());
        AssertClose(Floats(c.GetProperty("output")), output.Data, 1e-5f, where);

        var q = Qparams(c.GetProperty("input_qparams"));
        var qx = Tensor.FromQuantized(new Shape(Ints(c.GetProperty("input_shape"))), Convert.FromHexString(c.GetProperty("qinput").GetString()!), q.Scale, q.ZeroPoint);
        var qy = pool.Forward(qx);
        Assert.Equal(Qparams(c.GetProperty("output_qparams")), new ActivationQParams(qy.QuantScale, qy.QuantZeroPoint));
        Assert.Equal(Ints(c.GetProperty("output_shape")), qy.Shape.ToArray());
        Assert.Equal(c.GetProperty("qoutput").GetString()!, Convert.ToHexString(qy.QuantizedData).ToLowerInvariant());
    }

    public static TheoryData<int> BatchNormCases => [.. Enumerable.Range(0, Section("batchnorm1d").GetArrayLength())];

    [Theory]
    [MemberData(nameof(BatchNormCases))]
    public void BatchNorm1d_eval_and_training_match_PyTorch(int index)
    {
        var c = Section("batchnorm1d")[index];
        var args = c.GetProperty("args");
        var bn = new BatchNorm1d(args.GetProperty("num_features").GetInt32(), args.GetProperty("eps").GetSingle(),
            args.GetProperty("momentum").GetSingle(), args.GetProperty("affine").GetBoolean());
        var state = new StateDict();
        foreach (var entry in c.GetProperty("state").EnumerateObject())
        {
            float[] values = Floats(entry.Value);
            state.Add(entry.Name, Tensor.FromArray(values, values.Length));
        }
        bn.LoadStateDict(state, strict: false);
        string where = $"BatchNorm1d {args} over {c.GetProperty("input_shape")}";

        bn.Eval();
        AssertClose(Floats(c.GetProperty("eval_output")), bn.Forward(Floats(c, "input", "input_shape")).Data, 1e-5f, where + ", eval");
        bn.Train();
        AssertClose(Floats(c.GetProperty("train_output")), bn.Forward(Floats(c, "input", "input_shape")).Data, 1e-5f, where + ", training");
        AssertClose(Floats(c.GetProperty("running_mean_after")), bn.RunningMean.Data, 1e-6f, where + ", running mean");
        AssertClose(Floats(c.GetProperty("running_var_after")), bn.RunningVar.Data, 1e-6f, where + ", running var");
        Assert.Equal(1, bn.NumBatchesTracked);
    }

    [Fact]
    public void BatchNorm1d_names_the_shapes_it_takes()
    {
        var error = Assert.Throws<ShapeMismatchException>(() => new BatchNorm1d(6).Forward(Tensor.Zeros(2, 6, 3, 3)));
        Assert.Contains("[N, 6] or [N, 6, L]", error.Message);
    }

    [Fact]
    public void A_standalone_BatchNorm1d_is_a_float_island_as_PyTorch_leaves_it_float()
    {
        var bn = new BatchNorm1d(4);
        var model = new Sequential(new QuantStub(), new Conv1d(2, 4, 3), bn, new DeQuantStub());
        model.Eval();
        EagerQuantization.Prepare(model, QConfig.Default);
        EagerQuantization.Calibrate(model, [Tensor.FromArray([.. Enumerable.Range(0, 40).Select(i => MathF.Sin(i))], 2, 2, 10)]);
        EagerQuantization.Convert(model);
        Assert.IsType<FloatIsland>(bn.Substitute);
    }

    [Fact]
    public void Linear_over_N_T_F_gives_PyTorchs_float_static_int8_and_dynamic_outputs()
    {
        foreach (var c in Section("linear_3d").EnumerateArray())
        {
            bool relu = c.GetProperty("relu").GetBoolean();
            string where = $"Linear over {c.GetProperty("input_shape")}{(relu ? " + ReLU" : "")}";
            int[] shape = Ints(c.GetProperty("input_shape"));
            var x = Floats(c, "input", "input_shape");

            Module Model(out Linear linear)
            {
                linear = LinearFrom(c);
                var model = relu ? new Sequential(new QuantStub(), linear, new ReLU(), new DeQuantStub()) : new Sequential(new QuantStub(), linear, new DeQuantStub());
                model.Eval();
                if (relu) Fusion.FuseModules(model, ["1", "2"]);
                return model;
            }

            var floatModel = Model(out _);
            var floatOutput = floatModel.Forward(x);
            Assert.Equal([shape[0], shape[1], 7], floatOutput.Shape.ToArray());
            AssertClose(Floats(c.GetProperty("output")), floatOutput.Data, 1e-5f, where);

            var expected = c.GetProperty("minmax_per_tensor");
            var staticModel = Model(out var staticLinear);
            EagerQuantization.Prepare(staticModel, QConfig.Default);
            EagerQuantization.Calibrate(staticModel, [x]);
            bool sameQParams = AssertObserved(staticModel, expected, where);
            EagerQuantization.Convert(staticModel);
            var quantized = Assert.IsType<QuantizedLinear>(staticLinear.Substitute);
            AssertWeights(expected, quantized.Weight, quantized.WeightQParams);
            AssertInt8Output(staticLinear, expected, shape, sameQParams, where);

            var dynamicModel = Model(out _);
            EagerQuantization.QuantizeDynamic(dynamicModel);
            var dynamicOutput = dynamicModel.Forward(x);
            Assert.Equal([shape[0], shape[1], 7], dynamicOutput.Shape.ToArray());
            AssertClose(Floats(c.GetProperty("dynamic_output")), dynamicOutput.Data, 1e-5f, where + ", dynamic");
        }
    }

    [Fact]
    public void Fusion_folds_as_PyTorchs_fuse_modules_and_the_fused_ConvReLU1d_gives_its_bytes()
    {
        foreach (var c in Section("fusion").EnumerateArray())
        {
            string[] pattern = [.. c.GetProperty("pattern").EnumerateArray().Select(p => p.GetString()!)];
            string where = $"fusing [{string.Join(", ", pattern)}]";
            var layers = pattern.Select(name => name switch
            {
                "conv" => (Module)new Conv1d(4, 6, 3, padding: 1, bias: false),
                "linear" => new Linear(10, 6),
                "bn" => new BatchNorm1d(6, eps: 1e-3f, momentum: 0.2f),
                _ => new ReLU(),
            }).ToArray();
            var model = new NamedSequential(pattern, layers);
            var state = new StateDict();
            foreach (var entry in c.GetProperty("state").EnumerateObject())
            {
                var existing = model.StateDict()[entry.Name];
                state.Add(entry.Name, Tensor.FromArray(Floats(entry.Value), existing.Shape.ToArray()));
            }
            model.LoadStateDict(state, strict: false);
            model.Eval();
            Fusion.FuseModules(model, pattern);

            var head = (Layer)layers[0];
            var (weight, bias) = head switch
            {
                Conv1d conv => (conv.Weight, conv.Bias),
                Linear linear => (linear.Weight, linear.Bias),
                _ => throw new InvalidOperationException(),
            };
            Assert.Equal(Floats(c.GetProperty("fused_weight")), weight.Data);
            if (c.GetProperty("fused_bias").ValueKind != JsonValueKind.Null) Assert.Equal(Floats(c.GetProperty("fused_bias")), bias!.Data);
            AssertClose(Floats(c.GetProperty("output")), model.Forward(Floats(c, "input", "input_shape")).Data, 1e-5f, where);

            if (!c.TryGetProperty("minmax_per_tensor", out var expected)) continue;
            var quantModel = new Sequential(new QuantStub(), head, new DeQuantStub());
            quantModel.Eval();
            EagerQuantization.Prepare(quantModel, QConfig.Default);
            EagerQuantization.Calibrate(quantModel, [Floats(c, "input", "input_shape")]);
            bool sameQParams = AssertObserved(quantModel, expected, where);
            EagerQuantization.Convert(quantModel);
            var quantized = Assert.IsType<QuantizedConv2d>(head.Substitute);
            AssertWeights(expected, quantized.Weight, quantized.WeightQParams);
            AssertInt8Output(head, expected, Ints(c.GetProperty("input_shape")), sameQParams, where);
        }
    }

    [Fact]
    public void A_BatchNorm_fuses_only_into_a_layer_of_its_dimensionality()
    {
        var mixed = new Sequential(new Conv2d(2, 4, 3), new BatchNorm1d(4));
        mixed.Eval();
        Assert.Contains("(Conv1d, BatchNorm1d", Assert.Throws<FusionException>(() => Fusion.FuseModules(mixed, ["0", "1"])).Message);
        var other = new Sequential(new Conv1d(2, 4, 3), new BatchNorm2d(4));
        other.Eval();
        Assert.Throws<FusionException>(() => Fusion.FuseModules(other, ["0", "1"]));
        var linear = new Sequential(new Linear(3, 4), new BatchNorm1d(4));
        Fusion.FuseModulesQat(linear, ["0", "1"]);   // PyTorch's LinearBn1d: the BatchNorm keeps training beside the Linear
        Assert.Same(linear[1], Assert.IsType<QatLinear>(((Layer)linear[0]).Substitute).BatchNorm);
        var mismatched = new Sequential(new Linear(3, 4), new BatchNorm1d(5));
        Assert.Contains("the BatchNorm has 5 features but the linear layer has 4 output features", Assert.Throws<FusionException>(() => Fusion.FuseModulesQat(mismatched, ["0", "1"])).Message);
    }

    /// <summary>A Sequential whose children take the fixture's names (<c>conv</c>, <c>bn</c>, …), as PyTorch's did.</summary>
    private sealed class NamedSequential : Module
    {
        private readonly Module[] layers;

        public NamedSequential(string[] names, Module[] layers)
        {
            this.layers = layers;
            for (int i = 0; i < names.Length; i++) RegisterModule(names[i], layers[i]);
        }

        public override Tensor Forward(Tensor input)
        {
            foreach (var layer in layers) input = layer.Forward(input);
            return input;
        }
    }

    private static Conv1d Conv(JsonElement c)
    {
        var a = c.GetProperty("args");
        var conv = new Conv1d(a.GetProperty("in_channels").GetInt32(), a.GetProperty("out_channels").GetInt32(), a.GetProperty("kernel_size").GetInt32(),
            a.GetProperty("stride").GetInt32(), a.GetProperty("padding").GetInt32(), a.GetProperty("dilation").GetInt32(),
            a.GetProperty("groups").GetInt32(), a.GetProperty("bias").GetBoolean());
        var state = new StateDict();
        state.Add("weight", Tensor.FromArray(Floats(c.GetProperty("weight")), conv.Weight.Shape.ToArray()));
        if (conv.Bias is not null) state.Add("bias", Tensor.FromArray(Floats(c.GetProperty("bias")), conv.OutChannels));
        conv.LoadStateDict(state);
        return conv;
    }

    private static Linear LinearFrom(JsonElement c)
    {
        var linear = new Linear(12, 7);
        var state = new StateDict();
        state.Add("weight", Tensor.FromArray(Floats(c.GetProperty("weight")), 7, 12));
        state.Add("bias", Tensor.FromArray(Floats(c.GetProperty("bias")), 7));
        linear.LoadStateDict(state);
        return linear;
    }

    private static Layer Pool(string op, JsonElement a)
    {
        int Int(string name, int fallback) => a.TryGetProperty(name, out var v) ? v.GetInt32() : fallback;
        bool Flag(string name, bool fallback) => a.TryGetProperty(name, out var v) ? v.GetBoolean() : fallback;
        return op switch
        {
            "MaxPool1d" => new MaxPool1d(Int("kernel_size", 0), a.TryGetProperty("stride", out var s) ? s.GetInt32() : null, Int("padding", 0), Int("dilation", 1), Flag("ceil_mode", false)),
            "AvgPool1d" => new AvgPool1d(Int("kernel_size", 0), a.TryGetProperty("stride", out var t) ? t.GetInt32() : null, Int("padding", 0), Flag("ceil_mode", false), Flag("count_include_pad", true)),
            "AdaptiveAvgPool1d" => new AdaptiveAvgPool1d(Int("output_size", 0)),
            _ => throw new ArgumentException(op),
        };
    }

    /// <summary>
    /// The QuantStub's observer (child 0) saw the same floats as PyTorch's and gives its qparams exactly; the layer's
    /// (child 1) saw the float layer's output, which matches PyTorch's to rounding, not bit for bit (another summation
    /// order), so its scale may be an ulp away when an extreme value is. Returns whether the layer's qparams are PyTorch's.
    /// </summary>
    private static bool AssertObserved(Module model, JsonElement expected, string where)
    {
        var observers = EagerQuantization.Observers(model).ToDictionary(o => o.Path, o => o.Observer.CalculateQParams());
        var input = Activation(observers["0.activation_post_process"]);
        Assert.True(Qparams(expected.GetProperty("input_qparams")) == input, $"{where}: input {input} where PyTorch has {expected.GetProperty("input_qparams")}");
        var (want, got) = (Qparams(expected.GetProperty("output_qparams")), Activation(observers["1.activation_post_process"]));
        Assert.True(want.ZeroPoint == got.ZeroPoint && Math.Abs(got.Scale - want.Scale) <= 1e-6 * want.Scale, $"{where}: output {got} where PyTorch has {want}");
        return want == got;

        static ActivationQParams Activation(QParams q) => new(q.Scale, q.ZeroPoint);
    }

    private static void AssertWeights(JsonElement expected, sbyte[] weight, WeightQParams qparams)
    {
        byte[] bytes = Convert.FromHexString(expected.GetProperty("weight_int8").GetString()!);
        Assert.Equal(bytes.Select(b => (sbyte)b), weight);
        var q = expected.GetProperty("weight_qparams");
        float[] scales = Floats(q.GetProperty("scales"));
        Assert.Equal(scales.Length, qparams.Count);
        for (int i = 0; i < scales.Length; i++)
        {
            Assert.Equal(scales[i], qparams.Scale(i));
            Assert.Equal(q.GetProperty("zero_points")[i].GetInt32(), qparams.ZeroPoint(i));
        }
    }

    /// <summary>
    /// The converted layer on PyTorch's quint8 input gives PyTorch's bytes to one step, and exactly when its output
    /// qparams are PyTorch's (the arithmetic is integer, then one float multiply as PyTorch's).
    /// </summary>
    private static void AssertInt8Output(Layer layer, JsonElement expected, int[] inputShape, bool sameQParams, string where)
    {
        var q = Qparams(expected.GetProperty("input_qparams"));
        var qx = Tensor.FromQuantized(new Shape(inputShape), Convert.FromHexString(expected.GetProperty("input").GetString()!), q.Scale, q.ZeroPoint);
        var qy = layer.Forward(qx);
        Assert.Equal(Ints(expected.GetProperty("output_shape")), qy.Shape.ToArray());
        byte[] bytes = Convert.FromHexString(expected.GetProperty("output").GetString()!);
        int differing = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            Assert.True(Math.Abs(bytes[i] - qy.QuantizedData[i]) <= 1, $"{where}: byte {i} is {qy.QuantizedData[i]}, PyTorch {bytes[i]}");
            if (bytes[i] != qy.QuantizedData[i]) differing++;
        }
        Assert.True(differing == 0 || !sameQParams, $"{where}: {differing} of {bytes.Length} bytes one step from PyTorch's with PyTorch's qparams");
        Assert.True(bytes.Distinct().Count() >= 4, $"{where}: the outputs should vary, or the comparison proves little");
    }

    private static ActivationQParams Qparams(JsonElement q) => new(q.GetProperty("scale").GetSingle(), q.GetProperty("zero_point").GetInt32());

    private static Tensor Floats(JsonElement c, string values, string shape) => Tensor.FromArray(Floats(c.GetProperty(values)), Ints(c.GetProperty(shape)));

    private static float[] Floats(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetSingle())];

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetInt32())];

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{where}: [{i}] is {actual[i]}, PyTorch {expected[i]}");
        }
    }
}
