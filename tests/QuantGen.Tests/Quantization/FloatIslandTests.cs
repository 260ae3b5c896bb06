using QuantGen.Kernels;
using QuantGen.Nn;
using QuantGen.Quantization;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization;

public class FloatIslandTests
{
    /// <summary>A transformer-style head: LayerNorm and Softmax have no int8 kernel and must stay float.</summary>
    private sealed class Head : Module
    {
        readonly QuantStub quant = new();
        readonly Linear proj = new(16, 12);
        readonly LayerNorm norm = new(12);
        readonly Linear scores = new(12, 8);
        readonly Softmax softmax = new(dim: -1);
        readonly DeQuantStub dequant = new();

        public override Tensor Forward(Tensor x) =>
            dequant.Forward(softmax.Forward(scores.Forward(norm.Forward(proj.Forward(quant.Forward(x))))));
    }

    [Fact]
    public void LayerNorm_and_Softmax_become_float_islands_between_a_dequantize_and_a_quantize()
    {
        Init.ManualSeed(11);
        var model = new Head();
        model.Eval();
        var random = new Random(12);
        var batches = Enumerable.Range(0, 8).Select(_ => Random(random, 32, 16)).ToList();
        var probe = Random(random, 16, 16);
        var reference = model.Forward(probe);

        Prepare(model, QConfig.Default);
        Calibrate(model, batches);
        Convert(model);
        var output = model.Forward(probe);

        var islands = model.Modules().OfType<Layer>().Select(l => l.Substitute).OfType<FloatIsland>().ToList();
        Assert.Equal(["LayerNorm", "Softmax"], islands.Select(i => i.Layer.GetType().Name));
        Assert.IsType<QuantizedLinear>(((Layer)model.GetSubmodule("proj")!).Substitute);
        Assert.IsType<QuantizedLinear>(((Layer)model.GetSubmodule("scores")!).Substitute);
        Assert.False(output.IsQuantized);

        // The softmax output is quantized to its observed range [0, ~1] with 127 steps (reduce_range), after two
        // int8 linear layers: each probability is within a few output steps of float.
        float step = islands[1].Output.Scale;
        for (int i = 0; i < output.Length; i++)
        {
            Assert.True(Math.Abs(reference.Data[i] - output.Data[i]) <= 4 * step, $"value {i}: float {reference.Data[i]}, int8 {output.Data[i]} (step {step})");
        }
        for (int row = 0; row < 16; row++)
        {
            Assert.InRange(output.Data.AsSpan(row * 8, 8).ToArray().Sum(), 1 - 8 * step, 1 + 8 * step);
        }
    }

    private static Tensor Random(Random random, int rows, int cols)
    {
        var t = Tensor.Zeros(rows, cols);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(random.NextDouble() * 4 - 2);
        return t;
    }
}
