using QuantGen;
using QuantGen.IO;
using QuantGen.Models;
using QuantGen.Nn;

namespace QuantGen.Walkthrough;

/// <summary>
/// What the README's newcomer does: the PyTorch-trained small CNN loaded, calibrated on MNIST, converted, and run
/// both ways (eager int8 and the generated Int8 pass). Compiled into the fresh app (from the package) and into the
/// packaging tests (from project references); each line it returns must be equal, bit for bit, in both.
/// </summary>
public static class Walkthrough
{
    public static IEnumerable<string> Run(string weightsPath, string mnistDirectory)
    {
        yield return "stem " + string.Join(",", new StemWithHead().NamedModules().Select(m => m.Name));

        var model = new SmallCnn();
        model.LoadStateDict(SafeTensors.Load(weightsPath));
        yield return "modules " + string.Join(",", model.NamedModules().Select(m => m.Name));

        MnistSet mnist = MnistSet.LoadTest(mnistDirectory);
        SmallCnn.Int8 int8 = model.Calibrate(Enumerable.Range(0, 4).Select(i => mnist.ToTensor(i * 32, 32))).Convert();

        const int probes = 8;
        Tensor probe = mnist.ToTensor(1000, probes);
        Tensor eager = model.Forward(probe);
        var generated = new float[probes * SmallCnn.OutputLength];
        int8.Forward(probe.Span, generated, probes);
        yield return "eager " + Bits(eager.Span);
        yield return "int8 " + Bits(generated);
    }

    private static string Bits(ReadOnlySpan<float> values) =>
        string.Join(" ", values.ToArray().Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8")));
}

/// <summary>An eager-only module with a base class: children come base class first, each class's in declaration order.</summary>
public class Stem : Module
{
    readonly Conv2d conv = new(1, 4, kernelSize: 3);
    readonly ReLU act = new();

    public override Tensor Forward(Tensor x) => act.Forward(conv.Forward(x));
}

public sealed class StemWithHead : Stem
{
    readonly MaxPool2d pool = new(2);
    readonly Linear fc = new(4, 2);

    public override Tensor Forward(Tensor x) => fc.Forward(Flatten(pool.Forward(base.Forward(x))));
}
