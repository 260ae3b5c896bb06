using QuantGen;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Models;

/// <summary>
/// <see cref="MobileNetV2"/> at ImageNet size: three input channels, 3×224×224 images, 1000 classes (300.8 M MACs an
/// image), the speed fixture of <c>../shared/fixtures/mobilenetv2-224</c>. It holds one <see cref="MobileNetV2"/> built
/// with those arguments, so the generator plans its int8 pass for this input shape; the fixture's torchvision names
/// load into <see cref="Network"/> as they are.
/// </summary>
[Quantize(QuantMode.Static)]
[Fuse("Conv", "BN", "ReLU")]
[Fuse("Conv", "BN")]
[InputShape(3, 224, 224)]
public sealed partial class MobileNetV2ImageNet : Module
{
    public const int Classes = 1000;

    readonly MobileNetV2 network = new(numClasses: Classes, inChannels: 3);

    /// <summary>The network, whose module names are torchvision's (<c>features.1.conv.0.0.weight</c>, …).</summary>
    public MobileNetV2 Network => network;

    public override Tensor Forward(Tensor x) => network.Forward(x);
}
