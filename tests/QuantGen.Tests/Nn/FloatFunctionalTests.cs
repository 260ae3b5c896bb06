using System.Text.Json;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Autograd;

namespace QuantGen.Tests.Nn;

/// <summary>
/// FloatFunctional and its converted form against PyTorch 1.13 (Fixtures/float_functional.json, made by
/// float_functional.py with engine qnnpack): QFunctional's int8 ops give PyTorch's bytes and output qparams exactly
/// (integer arithmetic, or float arithmetic done in PyTorch's order), the float ops are within 1e-5, the observer's
/// qparams are PyTorch's, and the float ops' gradients match finite differences of a float64 reference.
/// </summary>
public sealed class FloatFunctionalTests
{
    private static readonly Lazy<JsonDocument> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "float_functional.json"))));

    public static TheoryData<string> Int8Ops => ["add", "add_relu", "mul", "cat", "add_scalar", "mul_scalar"];

    [Theory]
    [MemberData(nameof(Int8Ops))]
    public void QFunctional_gives_PyTorchs_bytes_and_output_qparams(string op)
    {
        Assert.Equal("qnnpack", Fixture.Value.RootElement.GetProperty("engine").GetString());
        int cases = 0, varied = 0;
        foreach (JsonElement c in Cases("cases", op))
        {
            Tensor[] inputs = [.. c.GetProperty("inputs").EnumerateArray().Select(Quantized)];
            Tensor expected = Quantized(c.GetProperty("output"));
            var functional = new QFunctional(expected.QParams());
            Tensor actual = op switch
            {
                "add" => functional.Add(inputs[0], inputs[1]),
                "add_relu" => functional.AddRelu(inputs[0], inputs[1]),
                "mul" => functional.Mul(inputs[0], inputs[1]),
                "cat" => functional.Cat(inputs, c.GetProperty("dim").GetInt32()),
                "add_scalar" => functional.AddScalar(inputs[0], c.GetProperty("scalar").GetDouble()),
                "mul_scalar" => functional.MulScalar(inputs[0], c.GetProperty("scalar").GetDouble()),
                _ => throw new ArgumentException(op),
            };
            string where = $"{op} case {cases}: {string.Join(", ", inputs.Select(t => $"{t.Shape} {t.QParams()}"))} → {expected.QParams()}";
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(expected.QParams(), actual.QParams());
            Assert.True(expected.QuantizedData.AsSpan().SequenceEqual(actual.QuantizedData), $"{where}: {Differences(expected.QuantizedData, actual.QuantizedData)}");
            if (expected.QuantizedData.Distinct().Count() >= 4) varied++;
            cases++;
        }
        Assert.True(cases >= 6, $"{op}: {cases} fixture cases");
        // A case whose outputs all saturate proves little: most must vary (mul_scalar by 0 cannot).
        Assert.True(varied >= cases * 3 / 4, $"{op}: only {varied} of {cases} cases have varied outputs");
    }

    [Theory]
    [MemberData(nameof(Int8Ops))]
    public void The_float_ops_are_within_1e_5_of_PyTorch(string op)
    {
        JsonElement c = Assert.Single(Cases("float", op));
        Tensor[] inputs = [.. c.GetProperty("inputs").EnumerateArray().Select(Float)];
        Tensor expected = Float(c.GetProperty("output"));
        Tensor actual = Run(new FloatFunctional(), op, inputs, c);
        Assert.Equal(expected.Shape, actual.Shape);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual.Data[i] - expected.Data[i]) <= 1e-5f, $"{op} [{i}]: {actual.Data[i]} vs PyTorch {expected.Data[i]}");
        }
    }

    [Theory]
    [InlineData("default")]
    [InlineData("qnnpack")]
    public void The_observer_gives_PyTorchs_qparams(string qconfig)
    {
        int checkedOps = 0;
        foreach (JsonElement o in Fixture.Value.RootElement.GetProperty("observer").EnumerateArray().Where(o => o.GetProperty("qconfig").GetString() == qconfig))
        {
            string op = o.GetProperty("op").GetString()!;
            JsonElement c = Assert.Single(Cases("float", op));
            var model = new Observed();
            model.Eval();
            EagerQuantization.Prepare(model, qconfig == "default" ? QConfig.Default : QConfig.Qnnpack);
            Run(model.f, op, [.. c.GetProperty("inputs").EnumerateArray().Select(Float)], c);
            var observer = Assert.IsAssignableFrom<Observer>(model.f.OutputObserver);
            var qparams = observer.CalculateQParams();
            Assert.Equal((o.GetProperty("scale").GetSingle(), o.GetProperty("zero_point").GetInt32()), (qparams.Scale, qparams.ZeroPoint));
            checkedOps++;
        }
        Assert.Equal(4, checkedOps);
    }

    [Fact]
    public void Convert_makes_a_QFunctional_with_the_observed_qparams_and_the_scalar_ops_need_none()
    {
        var model = new Observed();
        model.Eval();
        EagerQuantization.Prepare(model, QConfig.Default);
        var x = GradCheck.Random(3, 2, 4, 3, 3);
        model.Forward(x);
        model.f.Mul(x, Functional.AdaptiveAvgPool2d(x, 1));
        var observed = ((Observer)model.f.OutputObserver!).CalculateQParams();
        model.unused.AddScalar(x, 1.5);   // not observed: calibration never reached 'unused'
        EagerQuantization.Convert(model);

        var converted = Assert.IsType<QFunctional>(model.f.Substitute);
        Assert.Equal(new ActivationQParams(observed.Scale, observed.ZeroPoint), converted.Output);
        var q = Tensor.FromQuantized(new Shape(4), [0, 100, 200, 255], 0.1f, 100);
        Tensor shifted = model.unused.AddScalar(q, 1.0);
        Assert.Equal(new ActivationQParams(0.1f, 90), shifted.QParams());
        Assert.Equal(new byte[] { 0, 100, 200, 255 }, shifted.QuantizedData);
        var error = Assert.Throws<QuantizationException>(() => model.unused.Add(q, q));
        Assert.Contains("'unused'", error.Message);
        Assert.Contains("saw no data during calibration", error.Message);
    }

    [Fact]
    public void Broadcast_mul_and_add_and_cat_carry_gradients_to_every_input()
    {
        var x = GradCheck.Random(1, 2, 3, 2, 2);
        var gate = GradCheck.Random(2, 2, 3, 1, 1);
        var ff = new FloatFunctional();
        GradCheck.Check([x, gate], () => ff.Mul(x, gate), v => [.. Enumerable.Range(0, 24).Select(i => v[0][i] * v[1][i / 4])]);
        GradCheck.Check([gate, x], () => ff.Add(gate, x), v => [.. Enumerable.Range(0, 24).Select(i => v[1][i] + v[0][i / 4])]);
        var y = GradCheck.Random(3, 2, 1, 2, 2);
        GradCheck.Check([x, y], () => ff.Cat([x, y], 1), v => [.. Enumerable.Range(0, 32).Select(i =>
        {
            int sample = i / 16, at = i % 16;
            return at < 12 ? v[0][sample * 12 + at] : v[1][sample * 4 + at - 12];
        })]);
        GradCheck.Check([x], () => ff.MulScalar(ff.AddScalar(x, 0.5), -2), v => [.. v[0].Select(value => (value + 0.5) * -2)]);
    }

    [Fact]
    public void Quantization_aware_training_fake_quantizes_its_output_passes_gradients_and_converts_to_a_QFunctional()
    {
        var model = new Gated();
        model.Train();
        EagerQuantization.PrepareQat(model, QConfig.DefaultQat);
        Assert.IsType<FakeQuantize>(model.se.OutputObserver);
        var x = GradCheck.Random(5, 2, 1, 4, 4);
        Tensor loss = model.Forward(x);
        loss.Backward(Tensor.Full(1f, loss.Shape.ToArray()));
        Tensor? grad = model.conv.Weight.Grad;
        Assert.NotNull(grad);
        Assert.Contains(grad!.Data, g => g != 0);

        model.Eval();
        EagerQuantization.Convert(model);
        var converted = Assert.IsType<QFunctional>(model.se.Substitute);
        Assert.NotNull(converted.Output);
        Tensor int8 = model.Forward(x);
        Assert.Equal(new Shape(2, 4, 4, 4), int8.Shape);
        Assert.False(int8.IsQuantized);
    }

    private sealed class Gated : Module
    {
        public readonly QuantStub quant = new();
        public readonly Conv2d conv = new(1, 4, kernelSize: 3, padding: 1);
        public readonly FloatFunctional se = new();
        public readonly DeQuantStub dequant = new();

        public override Tensor Forward(Tensor x)
        {
            x = conv.Forward(quant.Forward(x));
            return dequant.Forward(se.Mul(x, Functional.AdaptiveAvgPool2d(x, 1)));
        }
    }

    [Fact]
    public void Shapes_that_do_not_broadcast_or_concatenate_are_errors_naming_the_layer_and_both_shapes()
    {
        var model = new Observed();
        var error = Assert.Throws<ShapeMismatchException>(() => model.f.Mul(Tensor.Zeros(2, 3, 4, 4), Tensor.Zeros(2, 5, 1, 1)));
        Assert.Contains("[2, 3, 4, 4]", error.Message);
        Assert.Contains("[2, 5, 1, 1]", error.Message);
        error = Assert.Throws<ShapeMismatchException>(() => model.f.Add(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("FloatFunctional Add", error.Message);
        error = Assert.Throws<ShapeMismatchException>(() => model.f.Cat([Tensor.Zeros(2, 3, 4, 4), Tensor.Zeros(2, 3, 5, 4)], 1));
        Assert.Contains("[2, 3, 5, 4]", error.Message);
        Assert.Throws<NotSupportedException>(() => model.f.Forward(Tensor.Zeros(1)));
    }

    private sealed class Observed : Module
    {
        public readonly QuantStub quant = new();
        public readonly FloatFunctional f = new();
        public readonly FloatFunctional unused = new();

        public override Tensor Forward(Tensor x) => f.Add(quant.Forward(x), x);
    }

    private static Tensor Run(FloatFunctional f, string op, Tensor[] inputs, JsonElement c) => op switch
    {
        "add" => f.Add(inputs[0], inputs[1]),
        "add_relu" => f.AddRelu(inputs[0], inputs[1]),
        "mul" => f.Mul(inputs[0], inputs[1]),
        "cat" => f.Cat(inputs, c.GetProperty("dim").GetInt32()),
        "add_scalar" => f.AddScalar(inputs[0], c.GetProperty("scalar").GetDouble()),
        "mul_scalar" => f.MulScalar(inputs[0], c.GetProperty("scalar").GetDouble()),
        _ => throw new ArgumentException(op),
    };

    private static IEnumerable<JsonElement> Cases(string section, string op) =>
        Fixture.Value.RootElement.GetProperty(section).EnumerateArray().Where(c => c.GetProperty("op").GetString() == op);

    private static Shape ShapeOf(JsonElement t) => new([.. t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())]);

    private static Tensor Quantized(JsonElement t) => Tensor.FromQuantized(ShapeOf(t), Convert.FromHexString(t.GetProperty("data").GetString()!),
        t.GetProperty("scale").GetSingle(), t.GetProperty("zero_point").GetInt32());

    private static Tensor Float(JsonElement t) => new(ShapeOf(t), [.. t.GetProperty("data").EnumerateArray().Select(v => v.GetSingle())]);

    private static string Differences(byte[] expected, byte[] actual)
    {
        var at = Enumerable.Range(0, expected.Length).Where(i => expected[i] != actual[i]).ToList();
        return $"{at.Count} bytes differ, e.g. " + string.Join(", ", at.Take(5).Select(i => $"[{i}]: PyTorch {expected[i]}, ours {actual[i]}"));
    }
}
