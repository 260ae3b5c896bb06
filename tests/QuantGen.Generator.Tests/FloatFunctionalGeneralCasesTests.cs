using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Nn;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The FloatFunctional uses outside the dedicated int8 kernels — an Add or AddRelu that broadcasts, a Mul by other than
/// a channel gate, a Cat of other than two tensors — which PyTorch 1.13's quantized ops all take (qadd falls back to
/// ATen's float <c>qadd_kernel</c>, qmul's and qcat's kernels broadcast and join any number): the generated Int8 pass
/// runs each with no diagnostic, bit-equal to eager int8 on the reference kernels, and within one output step of the
/// float op on the same int8 inputs.
/// </summary>
public sealed class FloatFunctionalGeneralCasesTests
{
    private const string Source = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [InputShape(4, 6, 5)]
        public sealed partial class GeneralNet : Module
        {
            readonly QuantStub quant = new();
            readonly FloatFunctional half = new();
            readonly FloatFunctional op = new();
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x)
            {
                x = quant.Forward(x);
                var p = Functional.AdaptiveAvgPool2d(x, PH, PW);
                var h = half.MulScalar(x, 0.5);
                return dequant.Forward(OP);
            }
        }
        """;

    public static TheoryData<string, int, int, string> Cases => new()
    {
        { "add of a channel gate", 1, 1, "op.Add(x, p)" },
        { "add_relu, the smaller input first", 6, 1, "op.AddRelu(p, x)" },
        { "mul by a column", 6, 1, "op.Mul(x, p)" },
        { "mul by a row, the row first", 1, 5, "op.Mul(p, x)" },
        { "cat of three channels", 6, 5, "op.Cat([x, h, p], 1)" },
        { "cat of three along the width", 6, 1, "op.Cat([p, x, h], 3)" },
        { "cat of one", 1, 1, "op.Cat([h], 2)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_Int8_pass_runs_it_bit_equal_to_eager_int8_and_within_one_output_step_of_float(string name, int ph, int pw, string call)
    {
        string source = Source.Replace("PH", ph.ToString()).Replace("PW", pw.ToString()).Replace("OP", call);
        GeneratorRun run = InMemoryAssembly.Compile((source, "GeneralNet.cs"), (Sources.Driver("GeneralNet"), "Driver.cs"));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("public sealed class Int8", run.Source("Sample.GeneralNet.g.cs"));

        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        var random = new Random(1415);
        Tensor Batch(int n) => Images(random, n);
        driver.Model.Eval();
        driver.Quantize([Batch(16), Batch(16)], qconfig: null);

        Tensor input = Batch(12);
        float[] eager = CompiledModels.EagerReference(driver.Model, input);
        var generated = new float[eager.Length];
        driver.Forward(input.Data, generated, 12);
        CompiledModels.AssertBits(eager, generated);
        Assert.True(eager.Distinct().Count() > 30, $"{name}: {eager.Distinct().Count()} distinct outputs; they should vary, or the comparison proves little");

        // The float op on the int8 inputs eager int8 gave it (the same modules), quantized to the op's output range.
        Module model = driver.Model;
        Tensor x = model.GetSubmodule("quant")!.Forward(input);
        Tensor p = Functional.AdaptiveAvgPool2d(x, ph, pw);
        Tensor h = ((FloatFunctional)model.GetSubmodule("half")!).MulScalar(x, 0.5);
        var reference = Reference(call, Dequantized(x), Dequantized(p), Dequantized(h));
        var output = ((FloatFunctional)model.GetSubmodule("op")!).Substitute as Quantization.QFunctional;
        Kernels.Reference.ActivationQParams q = output!.Output!.Value;
        Assert.Equal(reference.Length, generated.Length);
        float low = q.Scale * -q.ZeroPoint, high = q.Scale * (255 - q.ZeroPoint);
        for (int i = 0; i < generated.Length; i++)
        {
            float expected = Math.Clamp(reference.Data[i], low, high);
            Assert.True(Math.Abs(generated[i] - expected) <= q.Scale * 1.0001f,
                $"{name}, element {i}: generated {generated[i]}, float {reference.Data[i]} (one output step {q.Scale})");
        }
    }

    /// <summary>The float pass runs the same calls (a Cat of any number of inputs among them) as eager float does.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void The_Float_pass_is_within_1e_4_of_eager_float_and_allocates_nothing(string name, int ph, int pw, string call)
    {
        string source = Source.Replace("PH", ph.ToString()).Replace("PW", pw.ToString()).Replace("OP", call);
        GeneratorRun run = FloatPassCheck.Compile(source, "GeneralNet.cs", "GeneralNet");
        FloatPassCheck.AssertMatchesEagerAndAllocatesNothing(CompiledModels.PassDriver(run), Images(new Random(name.Length), 6));
    }

    private static Tensor Reference(string call, Tensor x, Tensor p, Tensor h)
    {
        var f = new FloatFunctional();
        return call switch
        {
            "op.Add(x, p)" => f.Add(x, p),
            "op.AddRelu(p, x)" => f.AddRelu(p, x),
            "op.Mul(x, p)" => f.Mul(x, p),
            "op.Mul(p, x)" => f.Mul(p, x),
            "op.Cat([x, h, p], 1)" => f.Cat([x, h, p], 1),
            "op.Cat([p, x, h], 3)" => f.Cat([p, x, h], 3),
            "op.Cat([h], 2)" => f.Cat([h], 2),
            _ => throw new ArgumentException($"no float reference for {call}", nameof(call)),
        };
    }

    private static Tensor Dequantized(Tensor q)
    {
        var values = new Tensor(q.Shape);
        byte[] bytes = q.QuantizedData;
        for (int i = 0; i < values.Length; i++) values.Data[i] = q.QuantScale * (bytes[i] - q.QuantZeroPoint);
        return values;
    }

    /// <summary>Four-channel 6 × 5 inputs, each channel a different range, so that sums and products vary.</summary>
    private static Tensor Images(Random random, int n)
    {
        var images = new Tensor(new Shape(n, 4, 6, 5));
        for (int i = 0; i < images.Length; i++) images.Data[i] = random.NextSingle() * 4 - 1.5f + (i / 30 % 4) * 0.5f;
        return images;
    }
}
