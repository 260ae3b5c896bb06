using QuantGen;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace Sample;

// The zoo's MobileNetV3-style network, ported from mnv3_small.py as a PyTorch user would write it: the same module
// names, so that mnv3_small.safetensors loads without renaming. Compiled in memory by Mnv3SmallTests (not part of the
// test project's own build).

/// <summary>Squeeze-excite: a per-channel gate from the pooled input, Hardsigmoid, multiplied in by a FloatFunctional.</summary>
public sealed class SqueezeExcite(int channels, int squeezed) : Module
{
    readonly AdaptiveAvgPool2d pool = new(1);
    readonly Conv2d fc1 = new(channels, squeezed, kernelSize: 1);
    readonly ReLU relu = new();
    readonly Conv2d fc2 = new(squeezed, channels, kernelSize: 1);
    readonly Hardsigmoid gate = new();
    readonly FloatFunctional scale = new();

    public override Tensor Forward(Tensor x) => scale.Mul(x, gate.Forward(fc2.Forward(relu.Forward(fc1.Forward(pool.Forward(x))))));
}

/// <summary>An inverted residual block with squeeze-excite; the residual add is a FloatFunctional.</summary>
public sealed class Block(int channels, int expanded) : Module
{
    readonly Conv2d expand = new(channels, expanded, kernelSize: 1, bias: false);
    readonly BatchNorm2d bn1 = new(expanded);
    readonly ReLU act1 = new();
    readonly Conv2d dw = new(expanded, expanded, kernelSize: 3, padding: 1, groups: expanded, bias: false);
    readonly BatchNorm2d bn2 = new(expanded);
    readonly ReLU act2 = new();
    readonly SqueezeExcite se = new(expanded, expanded / 4);
    readonly Conv2d project = new(expanded, channels, kernelSize: 1, bias: false);
    readonly BatchNorm2d bn3 = new(channels);
    readonly FloatFunctional skip = new();

    public override Tensor Forward(Tensor x)
    {
        var y = act1.Forward(bn1.Forward(expand.Forward(x)));
        y = se.Forward(act2.Forward(bn2.Forward(dw.Forward(y))));
        return skip.Add(x, bn3.Forward(project.Forward(y)));
    }
}

[Quantize(QuantMode.Static)]
[Fuse("Conv", "BN", "ReLU")]
[Fuse("Conv", "BN")]
[Fuse("Conv", "ReLU")]
[InputShape(1, 28, 28)]
public sealed partial class Mnv3Small : Module
{
    readonly QuantStub quant = new();
    readonly Conv2d stem = new(1, 8, kernelSize: 3, stride: 2, padding: 1, bias: false);
    readonly BatchNorm2d stem_bn = new(8);
    readonly Hardswish stem_act = new();
    readonly Block block = new(8, 24);
    readonly MaxPool2d pool = new(2);
    readonly Conv2d left = new(8, 16, kernelSize: 3, padding: 1);
    readonly LeakyReLU left_act = new(0.1f);
    readonly Conv2d right = new(8, 16, kernelSize: 1);
    readonly ReLU right_act = new();
    readonly FloatFunctional join = new();
    readonly Conv2d head = new(32, 64, kernelSize: 1);
    readonly Hardswish head_act = new();
    readonly AdaptiveAvgPool2d avg = new(1);
    readonly Linear fc = new(64, 10);
    readonly DeQuantStub dequant = new();

    public override Tensor Forward(Tensor x)
    {
        x = stem_act.Forward(stem_bn.Forward(stem.Forward(quant.Forward(x))));
        x = pool.Forward(block.Forward(x));
        x = join.Cat([left_act.Forward(left.Forward(x)), right_act.Forward(right.Forward(x))], 1);
        x = avg.Forward(head_act.Forward(head.Forward(x)));
        return dequant.Forward(fc.Forward(Flatten(x)));
    }
}
