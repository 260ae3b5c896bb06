using QuantGen;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace Sample;

// The zoo's encoder-decoder, ported from encoder_decoder.py as a PyTorch user would write it: the same module names,
// so that encoder_decoder.safetensors loads without renaming. Compiled in memory by EncoderDecoderTests (not part of
// the test project's own build).

/// <summary>
/// A U-Net-like MNIST classifier: a convolutional encoder, a decoder that upsamples with a ConvTranspose2d and joins the
/// encoder's features through a Cat skip connection, a bilinear Upsample with a BatchNorm2d of its own, and a pooled head.
/// </summary>
[Quantize(QuantMode.Static)]
[Fuse("Conv", "BN", "ReLU")]
[Fuse("Conv", "ReLU")]
[Fuse("ConvTranspose", "BN")]
[Fuse("BN", "ReLU")]
[InputShape(1, 28, 28)]
public sealed partial class EncoderDecoder : Module
{
    readonly QuantStub quant = new();
    readonly Conv2d enc1 = new(1, 8, kernelSize: 3, padding: 1, bias: false);
    readonly BatchNorm2d enc1_bn = new(8);
    readonly ReLU enc1_act = new();
    readonly MaxPool2d pool1 = new(2);
    readonly Conv2d enc2 = new(8, 16, kernelSize: 3, padding: 1, bias: false);
    readonly BatchNorm2d enc2_bn = new(16);
    readonly ReLU enc2_act = new();
    readonly MaxPool2d pool2 = new(2);
    readonly Conv2d mid = new(16, 32, kernelSize: 3, padding: 1);
    readonly ReLU mid_act = new();
    readonly ConvTranspose2d up1 = new(32, 16, kernelSize: 2, stride: 2, bias: false);
    readonly BatchNorm2d up1_bn = new(16);
    readonly ReLU up1_act = new();
    readonly FloatFunctional skip = new();
    readonly Conv2d dec1 = new(32, 16, kernelSize: 3, padding: 1);
    readonly ReLU dec1_act = new();
    readonly Upsample up2 = new(scaleFactor: 2, mode: UpsampleMode.Bilinear, alignCorners: false);
    readonly BatchNorm2d up2_bn = new(16);
    readonly ReLU up2_act = new();
    readonly Conv2d head = new(16, 8, kernelSize: 3, stride: 2, padding: 1);
    readonly ReLU head_act = new();
    readonly AdaptiveAvgPool2d avg = new(4);
    readonly Linear fc = new(8 * 4 * 4, 10);
    readonly DeQuantStub dequant = new();

    public override Tensor Forward(Tensor x)
    {
        var e1 = enc1_act.Forward(enc1_bn.Forward(enc1.Forward(quant.Forward(x))));          // [8, 28, 28]
        var e2 = enc2_act.Forward(enc2_bn.Forward(enc2.Forward(pool1.Forward(e1))));         // [16, 14, 14]
        var m = mid_act.Forward(mid.Forward(pool2.Forward(e2)));                             // [32, 7, 7]
        var d = up1_act.Forward(up1_bn.Forward(up1.Forward(m)));                             // [16, 14, 14]
        d = dec1_act.Forward(dec1.Forward(skip.Cat([d, e2], 1)));                            // [32, 14, 14] → [16, 14, 14]
        d = up2_act.Forward(up2_bn.Forward(up2.Forward(d)));                                 // [16, 28, 28]
        x = avg.Forward(head_act.Forward(head.Forward(d)));                                  // [8, 14, 14] → [8, 4, 4]
        return dequant.Forward(fc.Forward(Flatten(x)));
    }
}
