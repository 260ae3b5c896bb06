using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Autograd;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Decoder;

/// <summary>
/// SiLU, GELU and GroupNorm, which have no int8 kernel here, against PyTorch 1.13 (decoder_ops.json): float forward within
/// 1e-5, the MinMax observer's qparams on their output equal PyTorch's, and, for GroupNorm (which PyTorch converts to its
/// quantized GroupNorm), the float island's bytes within one step of PyTorch's.
/// </summary>
public sealed class FloatIslandOpTests
{
    public static TheoryData<int> Cases => DecoderFixture.Indices("islands");

    private static Layer Loaded(System.Text.Json.JsonElement c)
    {
        var args = c.GetProperty("args");
        Layer layer = c.GetProperty("op").GetString() switch
        {
            "SiLU" => new SiLU(),
            "GELU" => new GELU(),
            "GroupNorm" => new GroupNorm(args.GetProperty("num_groups").GetInt32(), args.GetProperty("num_channels").GetInt32(),
                args.GetProperty("eps").GetSingle(), args.GetProperty("affine").GetBoolean()),
            var op => throw new ArgumentException($"No op {op}."),
        };
        if (layer is GroupNorm { Weight: { } weight, Bias: { } bias })
        {
            c.GetProperty("state").Floats("weight").CopyTo(weight.Data, 0);
            c.GetProperty("state").Floats("bias").CopyTo(bias.Data, 0);
        }
        return layer;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_float_forward_is_within_1e_5_of_PyTorch_and_the_observer_agrees(int index)
    {
        var c = DecoderFixture.Case("islands", index);
        var output = Loaded(c).Forward(c.Tensor("input", "input_shape"));
        DecoderFixture.Near(c.Floats("output"), output.Data, 1e-5f, $"case {index} {c.GetProperty("op")}");
        // The observer on PyTorch's float outputs: its qparams exactly.
        var observer = QConfig.Default.CreateActivationObserver();
        observer.Forward(c.Tensor("output", "input_shape"));
        var qparams = observer.CalculateQParams();
        Assert.Equal(c.GetProperty("observer_scale").GetSingle(), qparams.Scale);
        Assert.Equal(c.GetProperty("observer_zero_point").GetInt32(), qparams.ZeroPoint);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Convert_makes_it_a_float_island_and_GroupNorms_bytes_are_within_one_step_of_PyTorchs_quantized_kernel(int index)
    {
        var c = DecoderFixture.Case("islands", index);
        var model = new Sequential(new QuantStub(), Loaded(c), new DeQuantStub());
        model.Eval();
        var input = c.Tensor("input", "input_shape");
        Prepare(model, QConfig.Default);
        Calibrate(model, [input]);
        Convert(model);
        var island = Assert.IsType<FloatIsland>(((Layer)model.GetSubmodule("1")!).Substitute);
        if (!c.TryGetProperty("output_int8", out _)) return;
        DecoderFixture.SameObservedQParams(c.QParams("output"), island.Output, $"case {index}");
        var qx = model.GetSubmodule("0")!.Forward(input);
        DecoderFixture.SameBytes(c.Bytes("input_int8"), qx.QuantizedData, "the quantized input");
        DecoderFixture.WithinOneStep(c.Bytes("output_int8"), model.GetSubmodule("1")!.Forward(qx).QuantizedData, $"case {index}");
    }

    [Fact]
    public void The_gradients_match_finite_differences_of_float64_references()
    {
        var x = GradCheck.Distinct(21, 2, 4, 3, 5);
        for (int i = 0; i < x.Length; i++) x.Data[i] *= 4;
        GradCheck.Check([x], () => new SiLU().Forward(x), v => [.. v[0].Select(t => t / (1 + Math.Exp(-t)))]);
        GradCheck.Check([x], () => new GELU().Forward(x), v => [.. v[0].Select(t => t * Phi(t))]);
        GradCheck.Check([x], () => new GELU(GeluApproximation.Tanh).Forward(x),
            v => [.. v[0].Select(t => 0.5 * t * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (t + 0.044715 * t * t * t))))]);

        var norm = new GroupNorm(2, 4);
        var random = new Random(5);
        for (int i = 0; i < 4; i++) (norm.Weight!.Data[i], norm.Bias!.Data[i]) = (random.NextSingle() + 0.5f, random.NextSingle() - 0.5f);
        GradCheck.Check([x, norm.Weight!, norm.Bias!], () => norm.Forward(x), v => GroupNormReference(v[0], v[1], v[2], 2, 4, 15));
    }

    /// <summary>Φ(x) by numerical integration of the normal density (Simpson, 2000 panels), independent of the erf in the runtime.</summary>
    private static double Phi(double x)
    {
        const int panels = 2000;
        double a = Math.Min(x, -10), h = (x - a) / panels, sum = Density(a) + Density(x);
        for (int i = 1; i < panels; i++) sum += (i % 2 == 1 ? 4 : 2) * Density(a + i * h);
        return sum * h / 3;
        static double Density(double t) => Math.Exp(-t * t / 2) / Math.Sqrt(2 * Math.PI);
    }

    private static double[] GroupNormReference(double[] x, double[] w, double[] b, int groups, int channels, int pixels)
    {
        var y = new double[x.Length];
        int count = channels / groups * pixels;
        for (int start = 0; start < x.Length; start += count)
        {
            double mean = x.Skip(start).Take(count).Average();
            double variance = x.Skip(start).Take(count).Select(v => (v - mean) * (v - mean)).Average();
            for (int i = start; i < start + count; i++)
            {
                int channel = i / pixels % channels;
                y[i] = (x[i] - mean) / Math.Sqrt(variance + 1e-5) * w[channel] + b[channel];
            }
        }
        return y;
    }
}
