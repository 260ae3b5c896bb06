using QuantGen;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Models;

/// <summary>
/// The zoo's 1-D convolutional network (tests/QuantGen.Tests/Fixtures/row_conv_net.py): an MNIST image read as 28
/// row signals of 28 pixels, [N, 28, 28] — a dense Conv1d, a depthwise one and a pointwise one, each with its
/// BatchNorm1d and ReLU fused, MaxPool1d between the first two, AdaptiveAvgPool1d(1) and a Linear classifier. Field
/// names are the PyTorch attribute names, so its state dict loads as is.
/// </summary>
[Quantize(QuantMode.Static)]
[Fuse("Conv", "BN", "ReLU")]
[InputShape(28, 28)]
public sealed partial class RowConvNet : Module
{
    readonly QuantStub quant = new();
    readonly Conv1d conv1 = new(28, 32, kernelSize: 3, padding: 1, bias: false);
    readonly BatchNorm1d bn1 = new(32);
    readonly ReLU relu1 = new();
    readonly MaxPool1d pool = new(2);
    readonly Conv1d conv2 = new(32, 32, kernelSize: 5, padding: 2, groups: 32, bias: false);
    readonly BatchNorm1d bn2 = new(32);
    readonly ReLU relu2 = new();
    readonly Conv1d conv3 = new(32, 64, kernelSize: 1, bias: false);
    readonly BatchNorm1d bn3 = new(64);
    readonly ReLU relu3 = new();
    readonly AdaptiveAvgPool1d gap = new(1);
    readonly Flatten flatten = new();
    readonly Linear fc = new(64, 10);
    readonly DeQuantStub dequant = new();

    /// <summary>The fusions of the PyTorch fixture: each convolution with its BatchNorm1d and ReLU.</summary>
    public static readonly string[][] FusionGroups = [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2"], ["conv3", "bn3", "relu3"]];

    public override Tensor Forward(Tensor x)
    {
        x = quant.Forward(x);
        x = pool.Forward(relu1.Forward(bn1.Forward(conv1.Forward(x))));
        x = relu2.Forward(bn2.Forward(conv2.Forward(x)));
        x = relu3.Forward(bn3.Forward(conv3.Forward(x)));
        x = flatten.Forward(gap.Forward(x));
        return dequant.Forward(fc.Forward(x));
    }
}
