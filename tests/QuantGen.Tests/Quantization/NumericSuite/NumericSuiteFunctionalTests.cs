using QuantGen.IO;
using QuantGen.Nn;
using QuantGen.Quantization;
using static QuantGen.Quantization.EagerQuantization;

namespace QuantGen.Tests.Quantization.NumericSuiteTests;

/// <summary>The numeric suite through a FloatFunctional, whose several operations share one layer: compared, not run alone.</summary>
public sealed class NumericSuiteFunctionalTests
{
    private sealed class TwoBranches : Module
    {
        readonly QuantStub quant = new();
        readonly Conv2d wide = new(1, 4, kernelSize: 3, padding: 1);
        readonly Conv2d narrow = new(1, 4, kernelSize: 1);
        readonly FloatFunctional sum = new();
        readonly DeQuantStub dequant = new();

        public override Tensor Forward(Tensor x)
        {
            x = quant.Forward(x);
            return dequant.Forward(sum.Add(wide.Forward(x), narrow.Forward(x)));
        }
    }

    [Fact]
    public void A_FloatFunctional_is_compared_at_its_output_and_not_run_alone()
    {
        var model = new TwoBranches();
        model.Eval();
        var images = MnistSet.LoadTest().ToTensor(0, 40);
        Prepare(model, QConfig.Default);
        Calibrate(model, [images]);
        Convert(model);
        float[] before = model.Forward(images).Data;

        var report = NumericSuite.Compare(model, images);

        Assert.Equal(["quant", "wide", "narrow", "sum"], report.Layers.Select(l => l.Path));
        var sum = report["sum"];
        Assert.Equal("FloatFunctional", sum.Kind);
        Assert.Null(sum.ByItself);
        Assert.Null(sum.Weight);
        Assert.Equal(40L * 4 * 28 * 28, sum.Output.Count);
        Assert.InRange(sum.Output.SqnrDb, 15, 60);
        Assert.NotNull(report["wide"].ByItself);
        Assert.Equal(40, report.Samples);   // three slices of 16, 16 and 8
        Assert.Equal(before, model.Forward(images).Data);
    }
}
