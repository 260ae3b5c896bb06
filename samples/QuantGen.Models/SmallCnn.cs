using QuantGen;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Models;

/// <summary>
/// The small CNN of the PyTorch fixture (../shared/fixtures/pytorch): two conv blocks and two linear layers,
/// 28×28 MNIST in, 10 logits out. Field names are the PyTorch attribute names, so its state dict loads as is;
/// the stubs mark where eager quantization quantizes the input and dequantizes the logits. The generator reads it
/// at compile time (shapes, fusions) and adds its constants in <c>SmallCnn.g.cs</c>.
/// </summary>
[Quantize(QuantMode.Static)]
[Fuse("Conv", "BN", "ReLU")]
[Fuse("Conv", "ReLU")]
[Fuse("Linear", "ReLU")]
[InputShape(1, 28, 28)]
public sealed partial class SmallCnn : Module
{
    readonly QuantStub quant = new();
    readonly Conv2d conv1 = new(1, 8, kernelSize: 3, padding: 1, bias: false);
    readonly BatchNorm2d bn1 = new(8);
    readonly ReLU relu1 = new();
    readonly MaxPool2d pool1 = new(2);
    readonly Conv2d conv2 = new(8, 16, kernelSize: 3, padding: 1);
    readonly ReLU relu2 = new();
    readonly MaxPool2d pool2 = new(2);
    readonly Linear fc1 = new(16 * 7 * 7, 32);
    readonly ReLU relu3 = new();
    readonly Linear fc2 = new(32, 10);
    readonly DeQuantStub dequant = new();

    /// <summary>The fusions of the PyTorch fixture: conv1+bn1+relu1, conv2+relu2, fc1+relu3.</summary>
    public static readonly string[][] FusionGroups = [["conv1", "bn1", "relu1"], ["conv2", "relu2"], ["fc1", "relu3"]];

    public override Tensor Forward(Tensor x)
    {
        x = quant.Forward(x);
        x = pool1.Forward(relu1.Forward(bn1.Forward(conv1.Forward(x))));
        x = pool2.Forward(relu2.Forward(conv2.Forward(x)));
        x = Flatten(x);
        return dequant.Forward(fc2.Forward(relu3.Forward(fc1.Forward(x))));
    }
}
