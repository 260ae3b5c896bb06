using System.Text.Json;
using QuantGen.Kernels;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;
using QuantGen.Tests.Autograd;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Decoder;

/// <summary>
/// Upsample (nearest, bilinear with and without align_corners, by scale factor or size) against PyTorch 1.13
/// (decoder_ops.json): the float forward within 1e-5; on quint8, PyTorch's channels-last kernel's bytes exactly (the
/// layout a qnnpack convolution leaves) and its contiguous kernel's within one step, with the input's qparams kept.
/// </summary>
public sealed class UpsampleTests
{
    public static TheoryData<int> Cases => DecoderFixture.Indices("upsample");

    private static Upsample Create(JsonElement args)
    {
        var mode = args.GetProperty("mode").GetString() == "bilinear" ? UpsampleMode.Bilinear : UpsampleMode.Nearest;
        bool? alignCorners = args.TryGetProperty("align_corners", out var a) ? a.GetBoolean() : null;
        if (args.TryGetProperty("size", out var size)) return new Upsample((size[0].GetInt32(), size[1].GetInt32()), mode, alignCorners);
        return new Upsample(scaleFactor: args.GetProperty("scale_factor").GetDouble(), mode: mode, alignCorners: alignCorners);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_float_forward_is_within_1e_5_of_PyTorch(int index)
    {
        var c = DecoderFixture.Case("upsample", index);
        var output = Create(c.GetProperty("args")).Forward(c.Tensor("input", "input_shape"));
        Assert.Equal(c.Shape("output_shape"), output.Shape.ToArray());
        DecoderFixture.Near(c.Floats("output"), output.Data, 1e-5f, $"case {index} {c.GetProperty("args")}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void On_quint8_it_gives_PyTorchs_channels_last_bytes_and_keeps_the_qparams(int index)
    {
        var c = DecoderFixture.Case("upsample", index);
        var inputQ = c.QParams("input");
        var qx = Tensor.FromQuantized(new Shape(c.Shape("input_shape")), c.Bytes("input_int8"), inputQ.Scale, inputQ.ZeroPoint);
        var layer = Create(c.GetProperty("args"));
        var qy = layer.Forward(qx);
        Assert.True(qy.IsQuantized);
        Assert.Equal(inputQ, new ActivationQParams(qy.QuantScale, qy.QuantZeroPoint));
        DecoderFixture.SameBytes(c.Bytes("channels_last_output_int8"), qy.QuantizedData, $"case {index} {c.GetProperty("args")}");
        DecoderFixture.WithinOneStep(c.Bytes("contiguous_output_int8"), qy.QuantizedData, $"case {index}, PyTorch's contiguous kernel");
    }

    [Fact]
    public void Prepare_gives_it_no_observer_and_convert_leaves_it_running_on_quint8()
    {
        var c = DecoderFixture.Case("upsample", 4);
        var model = new Sequential(new QuantStub(), Create(c.GetProperty("args")), new DeQuantStub());
        model.Eval();
        var input = c.Tensor("input", "input_shape");
        Prepare(model, QConfig.Default);
        Assert.Null(((Layer)model.GetSubmodule("1")!).OutputObserver);
        Calibrate(model, [input]);
        Convert(model);
        var qx = model.GetSubmodule("0")!.Forward(input);
        var qy = model.GetSubmodule("1")!.Forward(qx);
        var expected = new byte[qy.Length];
        QUpsample2d.Forward(Interpolation.Geometry(qx.Shape, null, 2, UpsampleMode.Bilinear, false), qx.QuantizedData, qx.QuantZeroPoint, expected);
        DecoderFixture.SameBytes(expected, qy.QuantizedData, "eager int8");
    }

    [Fact]
    public void Functional_Interpolate_is_the_module()
    {
        var x = GradCheck.Random(5, 2, 3, 4, 5);
        DecoderFixture.Near(new Upsample(scaleFactor: 2, mode: UpsampleMode.Bilinear).Forward(x).Data,
            Functional.Interpolate(x, scaleFactor: 2, mode: UpsampleMode.Bilinear).Data, 0f, "bilinear");
        DecoderFixture.Near(new Upsample(size: 7).Forward(x).Data, Functional.Interpolate(x, size: 7).Data, 0f, "nearest");
    }

    [Theory]
    [InlineData(UpsampleMode.Nearest, false, 2.0)]
    [InlineData(UpsampleMode.Nearest, false, 1.5)]
    [InlineData(UpsampleMode.Bilinear, false, 2.0)]
    [InlineData(UpsampleMode.Bilinear, true, 3.0)]
    public void The_gradient_matches_finite_differences_of_a_float64_reference(UpsampleMode mode, bool alignCorners, double scale)
    {
        var x = GradCheck.Random(7, 2, 2, 3, 4);
        var layer = new Upsample(scaleFactor: scale, mode: mode, alignCorners: mode == UpsampleMode.Bilinear ? alignCorners : null);
        var g = Interpolation.Geometry(x.Shape, null, scale, mode, alignCorners);
        GradCheck.Check([x], () => layer.Forward(x), v => Reference(g, v[0]));
    }

    /// <summary>Interpolation in double from PyTorch's source coordinates (computed in double, not as the kernels do).</summary>
    private static double[] Reference(UpsampleGeometry g, double[] x)
    {
        var y = new double[g.OutputLength];
        int index = 0;
        for (int p = 0; p < g.Planes; p++)
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++, index++)
                {
                    var (r0, r1, rl) = Source(g, oy, g.InHeight, g.OutHeight, g.ScaleHeight);
                    var (c0, c1, cl) = Source(g, ox, g.InWidth, g.OutWidth, g.ScaleWidth);
                    double At(int r, int c) => x[(p * g.InHeight + r) * g.InWidth + c];
                    y[index] = (1 - rl) * ((1 - cl) * At(r0, c0) + cl * At(r0, c1)) + rl * ((1 - cl) * At(r1, c0) + cl * At(r1, c1));
                }
        return y;
    }

    private static (int Low, int High, double Lambda) Source(UpsampleGeometry g, int o, int inSize, int outSize, double scale)
    {
        if (g.Mode == UpsampleMode.Nearest)
        {
            int i = Math.Min((int)Math.Floor(o * (scale > 0 ? 1 / scale : (double)inSize / outSize)), inSize - 1);
            return (i, i, 0);
        }
        double s = g.AlignCorners ? (outSize > 1 ? (inSize - 1.0) / (outSize - 1) : 0) : 1 / scale;
        double source = g.AlignCorners ? s * o : Math.Max(s * (o + 0.5) - 0.5, 0);
        int low = (int)source;
        return (low, Math.Min(low + 1, inSize - 1), source - low);
    }

    [Fact]
    public void Bad_arguments_are_errors_naming_what_is_wrong()
    {
        Assert.Contains("either a size or a scale factor", Assert.Throws<ArgumentException>(() => new Upsample()).Message);
        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => new Upsample(size: 4, scaleFactor: 2)).Message);
        Assert.Contains("align_corners", Assert.Throws<ArgumentException>(() => new Upsample(scaleFactor: 2, alignCorners: true)).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => new Upsample(scaleFactor: -1)).Message);
    }
}
