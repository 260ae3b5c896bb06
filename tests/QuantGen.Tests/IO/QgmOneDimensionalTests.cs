using QuantGen.IO.Qgm;
using QuantGen.Models;
using QuantGen.Nn;
using QuantGen.Quantization;
using static QuantGen.Tests.IO.QgmTestModels;

namespace QuantGen.Tests.IO;

/// <summary>
/// Converted 1-D models through a model file: the zoo's RowConvNet (Conv1d+BatchNorm1d+ReLU folded, pools, Linear)
/// and a Linear+BatchNorm1d fold into a Linear built without a bias, whose folded bias the file carries; each loads
/// into a freshly built model and computes what the converted one does, bit for bit.
/// </summary>
public sealed class QgmOneDimensionalTests
{
    [Fact]
    public void A_converted_RowConvNet_round_trips()
    {
        var random = new Random(17);
        Tensor Batch() => Tensor.FromArray([.. Enumerable.Range(0, 8 * 784).Select(_ => random.NextSingle() * 3 - 0.5f)], 8, 28, 28);
        var model = new RowConvNet();
        model.Eval();
        EagerQuantization.FuseModules(model, RowConvNet.FusionGroups);
        EagerQuantization.Prepare(model, QConfig.Onednn);
        EagerQuantization.Calibrate(model, [Batch(), Batch()]);
        EagerQuantization.Convert(model);
        RoundTrip(model, new RowConvNet(), Batch());
    }

    [Fact]
    public void A_Linear_with_a_folded_BatchNorm1d_and_no_bias_of_its_own_round_trips()
    {
        static Sequential Build() => new(new QuantStub(), new Linear(6, 4, bias: false), new BatchNorm1d(4), new ReLU(), new DeQuantStub());
        var random = new Random(18);
        var model = Build();
        var bn = (BatchNorm1d)model[2];
        for (int c = 0; c < 4; c++) (bn.RunningMean.Data[c], bn.RunningVar.Data[c]) = (random.NextSingle() - 0.5f, random.NextSingle() + 0.5f);
        model.Eval();
        EagerQuantization.FuseModules(model, ["1", "2"]);
        Assert.True(((Linear)model[1]).HasFoldedBatchNorm);
        EagerQuantization.Prepare(model, QConfig.Default);
        var input = Tensor.FromArray([.. Enumerable.Range(0, 30).Select(_ => random.NextSingle() * 2 - 1)], 5, 6);
        EagerQuantization.Calibrate(model, [input]);
        EagerQuantization.Convert(model);
        RoundTrip(model, Build(), input);
    }

    private static void RoundTrip<TModel>(TModel converted, TModel fresh, Tensor input) where TModel : Module
    {
        var expected = converted.Forward(input);
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Path, "model.qgm");
        QgmFile.Save(converted, path);
        var loaded = QgmFile.Load(fresh, path);
        AssertBitIdentical(expected, loaded.Forward(input));
        AssertSameSubstitutes(converted, loaded);
    }
}
