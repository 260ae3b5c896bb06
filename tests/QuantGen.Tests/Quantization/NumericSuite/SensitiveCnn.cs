using QuantGen.IO;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization.NumericSuiteTests;

/// <summary>
/// The plain CNN of Fixtures/sensitive_cnn.py, trained in PyTorch with one dead ReLU channel (conv3's channel 5) whose
/// outgoing weights in conv4 are large: harmless in float, they set conv4's per-tensor int8 weight scale and crush its
/// real weights. Nine int8 layers: the QuantStub, six Conv+BN+ReLU, fc1 (+ReLU), fc2.
/// </summary>
internal sealed class SensitiveCnn : Module
{
    readonly QuantStub quant = new();
    readonly Sequential conv1 = Block(1, 16);
    readonly Sequential conv2 = Block(16, 16);
    readonly MaxPool2d pool1 = new(2);
    readonly Sequential conv3 = Block(16, 32);
    readonly Sequential conv4 = Block(32, 32);
    readonly MaxPool2d pool2 = new(2);
    readonly Sequential conv5 = Block(32, 64);
    readonly Sequential conv6 = Block(64, 64, kernelSize: 1);
    readonly AdaptiveAvgPool2d gap = new(1);
    readonly Flatten flatten = new();
    readonly Linear fc1 = new(64, 64);
    readonly ReLU relu = new();
    readonly Linear fc2 = new(64, 10);
    readonly DeQuantStub dequant = new();

    public static readonly string[][] FusionGroups =
        [.. Enumerable.Range(1, 6).Select(i => new[] { $"conv{i}.0", $"conv{i}.1", $"conv{i}.2" }), ["fc1", "relu"]];

    private static Sequential Block(int inChannels, int outChannels, int kernelSize = 3) =>
        new(new Conv2d(inChannels, outChannels, kernelSize, padding: kernelSize / 2, bias: false), new BatchNorm2d(outChannels), new ReLU());

    /// <summary>PyTorch's trained weights, in eval mode, fused as the script fuses it: ready for Prepare.</summary>
    public static SensitiveCnn Trained()
    {
        var model = new SensitiveCnn();
        model.LoadStateDict(SafeTensors.Load(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "sensitive_cnn.safetensors")));
        model.Eval();
        Fusion.FuseModules(model, FusionGroups);
        return model;
    }

    public override Tensor Forward(Tensor x)
    {
        x = quant.Forward(x);
        x = pool1.Forward(conv2.Forward(conv1.Forward(x)));
        x = pool2.Forward(conv4.Forward(conv3.Forward(x)));
        x = conv6.Forward(conv5.Forward(x));
        x = flatten.Forward(gap.Forward(x));
        return dequant.Forward(fc2.Forward(relu.Forward(fc1.Forward(x))));
    }
}
