using QuantGen.IO.Qgm;
using QuantGen.Nn;
using QuantGen.Quantization;
using static QuantGen.Quantization.EagerQuantization;
using static QuantGen.Tests.IO.QgmTestModels;

namespace QuantGen.Tests.IO;

/// <summary>The table activations in a .qgm file: the converted ones keep their calibrated output qparams, the fixed ones need none.</summary>
public sealed class QgmPointwiseTests
{
    private static Sequential Model() => new(
        new QuantStub(), new Linear(8, 8), new Hardswish(), new Linear(8, 8), new LeakyReLU(0.2f), new Linear(8, 8), new ELU(0.6f),
        new Linear(8, 8), new Sigmoid(), new Linear(8, 8), new Tanh(), new Linear(8, 8), new Hardsigmoid(), new Linear(8, 8), new DeQuantStub());

    [Fact]
    public void A_converted_model_with_table_activations_loads_and_gives_the_same_outputs_bit_for_bit()
    {
        var random = new Random(14);
        Tensor Batch()
        {
            var t = new Tensor(new Shape(32, 8));
            for (int i = 0; i < t.Length; i++) t.Data[i] = random.NextSingle() * 6 - 3;
            return t;
        }

        Init.ManualSeed(14);   // the biases: reproducible whatever ran before on this thread
        var converted = Model();
        // Weights in [-1, 1], larger than the default init, so that the values keep their spread through seven layers.
        foreach (var linear in converted.Modules().OfType<Linear>())
        {
            for (int i = 0; i < linear.Weight.Length; i++) linear.Weight.Data[i] = random.NextSingle() * 2 - 1;
        }
        converted.Eval();
        Prepare(converted, QConfig.Default);
        Calibrate(converted, [Batch(), Batch()]);
        Convert(converted);
        Assert.IsType<QuantizedPointwise>(((Layer)converted.GetSubmodule("4")!).Substitute);
        var inputs = Batch();
        var expected = converted.Forward(inputs);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "pointwise.qgm");

        QgmFile.Save(converted, path);
        var loaded = QgmFile.Load(Model(), path);

        AssertBitIdentical(expected, loaded.Forward(inputs));
        Assert.True(expected.Data.Distinct().Count() > 20, $"{expected.Data.Distinct().Count()} distinct outputs: they should vary, or the comparison proves little");
        foreach (string layer in new[] { "2", "4", "6" })
        {
            var saved = (QuantizedPointwise)((Layer)converted.GetSubmodule(layer)!).Substitute!;
            Assert.Equal(saved.Output, Assert.IsType<QuantizedPointwise>(((Layer)loaded.GetSubmodule(layer)!).Substitute).Output);
        }
    }
}
