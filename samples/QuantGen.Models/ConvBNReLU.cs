using QuantGen.Nn;

namespace QuantGen.Models;

/// <summary>
/// Conv2d (no bias, "same" padding) → BatchNorm2d → ReLU (in place), as torchvision's <c>Conv2dNormActivation</c>; a
/// Sequential, so its state dict keys are <c>0.weight</c>, <c>1.running_mean</c>, …
/// </summary>
public sealed class ConvBNReLU(int inChannels, int outChannels, int kernelSize = 3, int stride = 1, int groups = 1)
    : Sequential(
        new Conv2d(inChannels, outChannels, kernelSize, stride, padding: (kernelSize - 1) / 2, groups: groups, bias: false),
        new BatchNorm2d(outChannels),
        new ReLU(inplace: true));
