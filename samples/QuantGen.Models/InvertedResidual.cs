using QuantGen.Nn;

namespace QuantGen.Models;

/// <summary>
/// MobileNetV2's block, as torchvision's quantizable <c>InvertedResidual</c>: a 1×1 expansion (skipped when
/// the ratio is 1), a 3×3 depthwise convolution, a linear 1×1 projection, and a residual add when the block
/// keeps both stride and width.
/// </summary>
public sealed class InvertedResidual : Module
{
    readonly Sequential conv;

    // Every block has one, as in torchvision; where UsesResidual is false it never runs (and after Convert it
    // stands as an UncalibratedLayer).
    readonly Add skipAdd = new();

    public InvertedResidual(int inChannels, int outChannels, int stride, int expandRatio)
    {
        if (stride is not (1 or 2)) throw new ArgumentException($"InvertedResidual: stride must be 1 or 2, got {stride}.");
        int hidden = (int)Math.Round(inChannels * (double)expandRatio, MidpointRounding.ToEven);
        UsesResidual = stride == 1 && inChannels == outChannels;

        var layers = new List<Module>();
        if (expandRatio != 1) layers.Add(new ConvBNReLU(inChannels, hidden, kernelSize: 1));
        layers.Add(new ConvBNReLU(hidden, hidden, stride: stride, groups: hidden));
        layers.Add(new Conv2d(hidden, outChannels, kernelSize: 1, bias: false));
        layers.Add(new BatchNorm2d(outChannels));
        conv = new Sequential([.. layers]);
    }

    public bool UsesResidual { get; }

    public override Tensor Forward(Tensor x) => UsesResidual ? skipAdd.Forward(x, conv.Forward(x)) : conv.Forward(x);
}
