using QuantGen.Analyzers.CodeFixes;
using QuantGen.Analyzers.Tests.Infrastructure;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Analyzers.Tests;

/// <summary>
/// The decoder's fusions PyTorch 1.13's fuse_modules accepts, ConvTranspose2d+BatchNorm2d and BatchNorm2d+ReLU: QG0010
/// suggests each where the class does not list it, and the code fix adds it.
/// </summary>
public sealed class DecoderFusionTests
{
    private const string Decoder = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [InputShape(4, 7, 7)]
        public sealed partial class Decoder : Module
        {
            readonly QuantStub quant = new();
            readonly ConvTranspose2d up = new(4, 8, kernelSize: 2, stride: 2);
            readonly BatchNorm2d upBn = new(8);
            readonly Upsample grow = new(scaleFactor: 2, mode: UpsampleMode.Bilinear);
            readonly BatchNorm2d bn = new(8);
            readonly ReLU relu = new();
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x) =>
                dequant.Forward(relu.Forward(bn.Forward(grow.Forward(upBn.Forward(up.Forward(quant.Forward(x)))))));
        }
        """;

    [Fact]
    public void Each_unlisted_decoder_fusion_is_suggested_at_its_first_layer()
    {
        AnalyzerRun run = AnalyzerHarness.Run(Decoder);
        Assert.Empty(run.Exceptions);
        var found = run.Qg.OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.Equal(["QG0010", "QG0010"], found.Select(d => d.Id));
        Assert.Equal("1 run of layers of 'Decoder' could be fused with [Fuse(\"ConvTranspose\", \"BN\")], which the class does not list (first: 'up' → 'upBn')",
            found[0].GetMessage());
        Assert.Equal("1 run of layers of 'Decoder' could be fused with [Fuse(\"BN\", \"ReLU\")], which the class does not list (first: 'bn' → 'relu')",
            found[1].GetMessage());
    }

    [Fact]
    public void The_fix_adds_the_Fuse_and_then_nothing_is_reported()
    {
        string once = FixHarness.FixAll(new AddFusePatternFixer(), Decoder);
        Assert.Contains("[Fuse(\"ConvTranspose\", \"BN\")]", once);
        Assert.Contains("[Fuse(\"BN\", \"ReLU\")]", once);
        Assert.Empty(AnalyzerHarness.Run(once).Qg);
    }
}
