using QuantGen.IO;
using QuantGen.Models;

namespace QuantGen.Tests.Infrastructure;

/// <summary>The fixtures' trained networks, loaded with PyTorch's weights and in eval mode: a fresh copy per call.</summary>
internal static class TrainedModels
{
    public static SmallCnn SmallCnn()
    {
        var model = new SmallCnn();
        model.LoadStateDict(SafeTensors.Load(Fixtures.SmallCnnWeights));
        model.Eval();
        return model;
    }

    public static MobileNetV2 MobileNetV2()
    {
        var model = new MobileNetV2();
        model.LoadStateDict(SafeTensors.Load(Fixtures.MobileNetV2Weights));
        model.Eval();
        return model;
    }
}
