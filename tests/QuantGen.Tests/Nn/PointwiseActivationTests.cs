using System.Text.Json;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Autograd;

namespace QuantGen.Tests.Nn;

/// <summary>
/// The activations whose quint8 form is a 256-entry table, against PyTorch 1.13 (Fixtures/activations_int8.json,
/// made by activations_int8.py with engine qnnpack): the reference tables and the eager int8 modules give PyTorch's
/// bytes exactly, and the fixed output qparams are PyTorch's; the float forward is within 1e-5 of PyTorch's and the
/// gradient matches finite differences of a float64 reference.
/// </summary>
public sealed class PointwiseActivationTests
{
    private static readonly Lazy<JsonDocument> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "activations_int8.json"))));

    public static TheoryData<string> Ops => ["Hardswish", "Hardsigmoid", "Sigmoid", "Tanh", "LeakyReLU", "ELU"];

    private static PointwiseActivation Create(string op, JsonElement args) => op switch
    {
        "Hardswish" => new Hardswish(),
        "Hardsigmoid" => new Hardsigmoid(),
        "Sigmoid" => new Sigmoid(),
        "Tanh" => new Tanh(),
        "LeakyReLU" => new LeakyReLU(args.GetProperty("negative_slope").GetSingle()),
        "ELU" => new ELU(args.GetProperty("alpha").GetSingle()),
        _ => throw new ArgumentException($"No activation {op}."),
    };

    private static byte[] Table(string op, JsonElement args, ActivationQParams input, ActivationQParams output) => op switch
    {
        "Hardswish" => QLookup.Hardswish(input, output),
        "Hardsigmoid" => QLookup.Hardsigmoid(input, output),
        "Sigmoid" => QLookup.Sigmoid(input, output),
        "Tanh" => QLookup.Tanh(input, output),
        "LeakyReLU" => QLookup.LeakyRelu(input, output, args.GetProperty("negative_slope").GetSingle()),
        "ELU" => QLookup.Elu(input, output, args.GetProperty("alpha").GetSingle()),
        _ => throw new ArgumentException($"No activation {op}."),
    };

    private static IEnumerable<JsonElement> Cases(string section, string op) =>
        Fixture.Value.RootElement.GetProperty(section).EnumerateArray().Where(c => c.GetProperty("op").GetString() == op);

    [Theory]
    [MemberData(nameof(Ops))]
    public void The_reference_table_and_eager_int8_give_PyTorchs_bytes(string op)
    {
        Assert.Equal("qnnpack", Fixture.Value.RootElement.GetProperty("engine").GetString());
        int cases = 0;
        foreach (JsonElement c in Cases("cases", op))
        {
            var inputQ = new ActivationQParams(c.GetProperty("input_scale").GetSingle(), c.GetProperty("input_zero_point").GetInt32());
            var outputQ = new ActivationQParams(c.GetProperty("output_scale").GetSingle(), c.GetProperty("output_zero_point").GetInt32());
            byte[] input = Convert.FromHexString(c.GetProperty("input").GetString()!);
            byte[] expected = Convert.FromHexString(c.GetProperty("output").GetString()!);
            JsonElement args = c.GetProperty("args");
            string where = $"{op} {args} in {inputQ} out {outputQ}";

            var reference = new byte[input.Length];
            QLookup.Apply(input, Table(op, args, inputQ, outputQ), reference);
            Assert.True(expected.AsSpan().SequenceEqual(reference), $"{where}: {Differences(expected, reference, input)}");

            PointwiseActivation activation = Create(op, args);
            var qx = Tensor.FromQuantized(new Shape(input.Length), input, inputQ.Scale, inputQ.ZeroPoint);
            Tensor eager = activation.FixedOutput is { } fixedOutput
                ? activation.Forward(qx)
                : new QuantizedPointwise(activation, outputQ).Forward(qx);
            Assert.Equal(outputQ, new ActivationQParams(eager.QuantScale, eager.QuantZeroPoint));
            Assert.True(expected.AsSpan().SequenceEqual(eager.QuantizedData), $"{where}, eager: {Differences(expected, eager.QuantizedData, input)}");
            Assert.True(expected.Distinct().Count() >= 4, $"{where}: the outputs should vary, or the comparison proves little");
            cases++;
        }
        Assert.True(cases >= 5, $"{op}: {cases} fixture cases");
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void The_float_forward_is_within_1e_5_of_PyTorch(string op)
    {
        Assert.NotEmpty(Cases("float", op));
        foreach (JsonElement c in Cases("float", op))
        {
            float[] x = [.. c.GetProperty("input").EnumerateArray().Select(v => v.GetSingle())];
            float[] expected = [.. c.GetProperty("output").EnumerateArray().Select(v => v.GetSingle())];
            float[] actual = Create(op, c.GetProperty("args")).Forward(Tensor.FromArray(x, x.Length)).Data;
            for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5f, $"{op}({x[i]}): {actual[i]} vs PyTorch {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void The_gradient_matches_finite_differences_of_a_float64_reference(string op)
    {
        // 80 values 0.13 apart from −5.2 to 5.2, none within 0.05 of a kink (0, ±3).
        var x = GradCheck.Distinct(14, 4, 20);
        for (int i = 0; i < x.Length; i++) x.Data[i] *= 10;
        GradCheck.Check([x], () => Create(op, GradientArgs).Forward(x), v => [.. v[0].Select(Reference(op))]);
    }

    // Not the defaults, so that a constructor ignoring its argument fails.
    private static readonly JsonElement GradientArgs = JsonDocument.Parse("""{"negative_slope": 0.2, "alpha": 0.7}""").RootElement;

    private static Func<double, double> Reference(string op) => op switch
    {
        "Hardswish" => x => x * Math.Clamp(x + 3, 0, 6) / 6,
        "Hardsigmoid" => x => Math.Clamp(x + 3, 0, 6) / 6,
        "Sigmoid" => x => 1 / (1 + Math.Exp(-x)),
        "Tanh" => Math.Tanh,
        "LeakyReLU" => x => x > 0 ? x : x * GradientArgs.GetProperty("negative_slope").GetSingle(),
        "ELU" => x => x > 0 ? x : GradientArgs.GetProperty("alpha").GetSingle() * (Math.Exp(x) - 1),
        _ => throw new ArgumentException($"No activation {op}."),
    };

    private static string Differences(byte[] expected, byte[] actual, byte[] input)
    {
        var at = Enumerable.Range(0, expected.Length).Where(i => expected[i] != actual[i]).ToList();
        return $"{at.Count} bytes differ, e.g. " + string.Join(", ", at.Take(5).Select(i => $"[{i}] in {input[i]}: PyTorch {expected[i]}, ours {actual[i]}"));
    }
}
