using QuantGen;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Models;

/// <summary>
/// MobileNetV2 as torchvision's quantizable <c>mobilenet_v2</c> builds it (ReLU, not ReLU6, so that Conv+BN+ReLU
/// fuse; width 1.0), with the seed's change for MNIST: the first convolution takes one channel. Module names
/// follow torchvision (<c>features.1.conv.0.0.weight</c>, <c>classifier.1.weight</c>), so
/// <c>mnv2_float.safetensors</c> loads without renaming. 2,236,106 parameters; 5.71 M MACs per 28×28 image.
/// Like torchvision's quantizable model it has a QuantStub and a DeQuantStub at its edges and a residual Add
/// module, the points where eager quantization observes and converts. The generator builds it at compile time
/// (its constructor with the defaults, each block's constructor and Forward) to plan shapes and fusions.
/// </summary>
[Quantize(QuantMode.Static)]
[Fuse("Conv", "BN", "ReLU")]
[Fuse("Conv", "BN")]
[InputShape(1, 28, 28)]
public sealed partial class MobileNetV2 : Module
{
    /// <summary>torchvision's table: expansion t, output channels c, repeats n, first stride s.</summary>
    static readonly (int Expand, int Channels, int Repeats, int Stride)[] Stages =
    [
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 2),
        (6, 320, 1, 1),
    ];

    const int StemChannels = 32;
    const int LastChannels = 1280;

    readonly QuantStub quant = new();
    readonly Sequential features;
    readonly Sequential classifier;
    readonly DeQuantStub dequant = new();

    public MobileNetV2(int numClasses = 10, int inChannels = 1, float dropout = 0.2f)
    {
        var layers = new List<Module> { new ConvBNReLU(inChannels, StemChannels, stride: 2) };
        int channels = StemChannels;
        foreach (var (expand, outChannels, repeats, stride) in Stages)
        {
            for (int i = 0; i < repeats; i++)
            {
                layers.Add(new InvertedResidual(channels, outChannels, i == 0 ? stride : 1, expand));
                channels = outChannels;
            }
        }
        layers.Add(new ConvBNReLU(channels, LastChannels, kernelSize: 1));
        features = new Sequential([.. layers]);
        classifier = new Sequential(new Dropout(dropout), new Linear(LastChannels, numClasses));
    }

    /// <summary>
    /// The modules torchvision's <c>fuse_model()</c> fuses: every Conv+BN+ReLU, and each block's projection
    /// convolution with its BatchNorm.
    /// </summary>
    public string[][] FusionGroups()
    {
        var groups = new List<string[]>();
        foreach (var (path, module) in NamedModules())
        {
            if (module is ConvBNReLU) groups.Add([$"{path}.0", $"{path}.1", $"{path}.2"]);
            if (module is InvertedResidual)
            {
                var conv = (Sequential)GetSubmodule($"{path}.conv")!;
                for (int i = 0; i < conv.Count; i++)
                {
                    if (conv[i] is Conv2d) groups.Add([$"{path}.conv.{i}", $"{path}.conv.{i + 1}"]);
                }
            }
        }
        return [.. groups];
    }

    /// <summary>Fuses in place, as torchvision's <c>fuse_model()</c>; the model must be in eval mode.</summary>
    public void FuseModel() => Fusion.FuseModules(this, FusionGroups());

    public override Tensor Forward(Tensor x)
    {
        x = quant.Forward(x);
        x = features.Forward(x);
        x = Functional.AdaptiveAvgPool2d(x, 1);
        x = Flatten(x);
        x = classifier.Forward(x);
        return dequant.Forward(x);
    }
}
