namespace QuantGen.Analyzers.Tests.Infrastructure;

/// <summary>Small annotated models the analyzer tests edit one line at a time.</summary>
public static class Models
{
    /// <summary>A transformer-style block: every layer has an int8 kernel but LayerNorm and Softmax (float islands).</summary>
    public const string Attention = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [Fuse("Linear", "ReLU")]
        [InputShape(8, 16)]
        public sealed partial class Attention : Module
        {
            readonly QuantStub quant = new();
            readonly Linear proj = new(16, 32);
            readonly ReLU relu = new();
            readonly LayerNorm norm = new(32);
            readonly Softmax softmax = new();
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x) =>
                dequant.Forward(softmax.Forward(norm.Forward(relu.Forward(proj.Forward(quant.Forward(x))))));
        }
        """;

    /// <summary>A model with nothing to report: every fusible run is fused, no float layer.</summary>
    public const string Clean = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [Fuse("Conv", "BN", "ReLU")]
        [Fuse("Linear", "ReLU")]
        [InputShape(1, 8, 8)]
        public sealed partial class Clean : Module
        {
            readonly QuantStub quant = new();
            readonly Conv2d conv = new(1, 4, kernelSize: 3, padding: 1);
            readonly BatchNorm2d bn = new(4);
            readonly ReLU relu = new();
            readonly Linear fc = new(4 * 8 * 8, 10);
            readonly ReLU fcRelu = new();
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x)
            {
                x = relu.Forward(bn.Forward(conv.Forward(quant.Forward(x))));
                return dequant.Forward(fcRelu.Forward(fc.Forward(Flatten(x))));
            }
        }
        """;

    /// <summary><paramref name="source"/> with <paramref name="from"/> replaced (which must be there).</summary>
    public static string With(string source, string from, string to)
    {
        Assert.Contains(from, source);
        return source.Replace(from, to);
    }
}
