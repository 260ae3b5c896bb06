using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization.Qat;

/// <summary>
/// Sigmoid, Tanh and Hardsigmoid in QAT, as PyTorch 1.13: a fake quantization with fixed qparams (its
/// FixedQParamsFakeQuantize) after each, so training sees the quint8 output the kernel will give; convert leaves the
/// float modules, which run their tables on the quantized tensor.
/// </summary>
public sealed class FixedQParamsQatTests
{
    private static Sequential Model() => new(
        new QuantStub(), new Linear(8, 8), new Sigmoid(), new Linear(8, 8), new Tanh(), new Linear(8, 8), new Hardsigmoid(), new DeQuantStub());

    [Fact]
    public void Prepare_qat_puts_PyTorchs_fixed_fake_quantization_after_them_and_convert_runs_their_tables()
    {
        Init.ManualSeed(14);   // reproducible whatever ran before on this thread
        var model = Model();
        model.Train();
        PrepareQat(model, QConfig.DefaultQat);

        (string Path, ActivationQParams Fixed)[] expected = [("2", QLookup.UnitOutput), ("4", QLookup.SymmetricOutput), ("6", QLookup.UnitOutput)];
        foreach (var (path, fixedOutput) in expected)
        {
            var fakeQuantize = Assert.IsType<FakeQuantize>(((Layer)model.GetSubmodule(path)!).OutputObserver);
            var observer = Assert.IsType<FixedQParamsObserver>(fakeQuantize.ActivationPostProcess);
            Assert.Equal(fixedOutput, new ActivationQParams(observer.Scale, observer.ZeroPoint));
            Assert.Contains($"{path}.activation_post_process.activation_post_process.zero_point", model.StateDict().Keys);
        }

        var random = new Random(14);
        var x = new Tensor(new Shape(16, 8));
        for (int i = 0; i < x.Length; i++) x.Data[i] = random.NextSingle() * 6 - 3;
        float[] trained = model.Forward(x).Data;
        Assert.All(trained, v => Assert.Equal(Math.Round(v * 256), v * 256, 4));   // fake-quantized to steps of 1/256
        Assert.True(trained.Distinct().Count() > 10);

        model.Eval();
        Convert(model);
        foreach (var (path, _) in expected) Assert.Null(((Layer)model.GetSubmodule(path)!).Substitute);
        float[] converted = model.Forward(x).Data;
        Assert.All(converted, v => Assert.True(v * 256 == Math.Round(v * 256) && v is >= 0 and < 1, $"{v} is no quint8 value at scale 1/256"));
        Assert.True(converted.Zip(trained).Count(p => p.First == p.Second) > converted.Length / 2, "int8 should mostly agree with what QAT trained");
    }
}
