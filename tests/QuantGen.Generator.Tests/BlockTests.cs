using Microsoft.CodeAnalysis;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>Blocks, Sequentials and arrays of modules read at compile time: loops unrolled, bad arguments reported.</summary>
public sealed class BlockTests
{
    /// <summary>A model around the real InvertedResidual and ConvBNReLU files, with <paramref name="members"/> and <paramref name="forward"/>.</summary>
    // Dynamic mode: these tests are about reading blocks; the static int8 program, which needs stubs at the
    // edges, is tested on the samples.
    private static GeneratorRun RunWithBlocks(string members, string forward, string inputShape = "32, 8, 8") =>
        SampleSources.Run(
            ("Model.cs", $$"""
                using QuantGen;
                using QuantGen.Nn;
                using QuantGen.Models;

                namespace Sample;

                [Quantize(QuantMode.Dynamic)]
                [Fuse("Conv", "BN", "ReLU")]
                [InputShape({{inputShape}})]
                public sealed partial class Model : Module
                {
                    {{members}}

                    public override Tensor Forward(Tensor x)
                    {
                        {{forward}}
                    }
                }
                """),
            ("InvertedResidual.cs", SampleSources.Read("InvertedResidual.cs")),
            ("ConvBNReLU.cs", SampleSources.Read("ConvBNReLU.cs")));

    private static string At(GeneratorRun run, Diagnostic diagnostic) =>
        run.Input.SyntaxTrees.Single(t => t.FilePath == diagnostic.Location.GetLineSpan().Path).GetText().ToString(diagnostic.Location.SourceSpan);

    [Fact]
    public void Bad_block_arguments_are_an_error_naming_the_block_and_the_exception_message()
    {
        GeneratorRun run = RunWithBlocks("readonly InvertedResidual block = new(32, 16, stride: 3, expandRatio: 1);", "return block.Forward(x);");

        Diagnostic diagnostic = Assert.Single(run.Qg);
        Assert.Equal("QG0007", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("'InvertedResidual(32, 16, stride: 3, expandRatio: 1)' cannot be built: ArgumentException: InvertedResidual: stride must be 1 or 2, got 3.", diagnostic.GetMessage());
        Assert.Equal("new(32, 16, stride: 3, expandRatio: 1)", At(run, diagnostic));
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void A_block_that_builds_itself_is_an_error_not_a_stack_overflow()
    {
        GeneratorRun run = SampleSources.Run(("Model.cs", """
            using QuantGen;
            using QuantGen.Nn;

            namespace Sample;

            public sealed class Nest : Module
            {
                readonly Nest inner = new();
                public override Tensor Forward(Tensor x) => inner.Forward(x);
            }

            [Quantize(QuantMode.Static)]
            [InputShape(4)]
            public sealed partial class Model : Module
            {
                readonly Nest nest = new();
                public override Tensor Forward(Tensor x) => nest.Forward(x);
            }
            """));

        Diagnostic diagnostic = Assert.Single(run.Qg);
        Assert.Equal("QG0007", diagnostic.Id);
        Assert.Contains("blocks nest more than 16 deep", diagnostic.GetMessage());
        Assert.Contains("Nest → Nest", diagnostic.GetMessage());
    }

    [Fact]
    public void A_shape_error_inside_a_block_names_the_leaf_path()
    {
        GeneratorRun run = RunWithBlocks("readonly InvertedResidual block = new(32, 16, 1, 1);", "return block.Forward(x);", inputShape: "24, 8, 8");

        Diagnostic diagnostic = Assert.Single(run.Reported);
        Assert.Equal("QG0004", diagnostic.Id);
        Assert.StartsWith("'block.conv.0.0' (Conv2d) expects 32 input channels, but its input has 24", diagnostic.GetMessage());
        Assert.EndsWith("ConvBNReLU.cs", diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void Arrays_of_blocks_with_foreach_for_and_an_index_are_unrolled()
    {
        GeneratorRun run = RunWithBlocks(
            """
            readonly InvertedResidual[] blocks = [new(32, 32, 1, 1), new(32, 16, 1, 6), new(16, 16, 2, 6)];
                readonly Module[] more = [new InvertedResidual(16, 16, 1, 6)];
                readonly Sequential head = new(new Dropout(0.2f), new Linear(16, 10));
            """,
            """
            foreach (var b in blocks[..2]) x = b.Forward(x);
                    for (int i = 0; i < more.Length; i++) x = more[i].Forward(x);
                    x = blocks[2].Forward(x);
                    x = Functional.AdaptiveAvgPool2d(x, 1);
                    return head.Forward(Flatten(x));
            """.Replace("blocks[..2]", "new[] { blocks[0], blocks[1] }"));

        Assert.Empty(run.Qg);
        Assert.Empty(run.GeneratedCodeProblems);
        ModelSpec spec = SampleSources.Spec(run);
        Assert.Equal(["blocks.0", "blocks.1", "blocks.2", "more.0"], spec.Blocks.Where(b => b.ClassName == "InvertedResidual").Select(b => b.Path));
        Assert.Equal(["blocks.0", "blocks.1", "more.0", "blocks.2"], spec.Forward.Where(s => s.Layer.EndsWith(".conv.0.0", StringComparison.Ordinal)).Select(s => s.Block.Split(".conv")[0]));
        // Residual adds where stride is 1 and widths agree: blocks.0 and more.0.
        Assert.Equal(["blocks.0.skipAdd", "more.0.skipAdd"], spec.Forward.Where(s => s.Op == OpRegistry.Add).Select(s => s.Layer));
        Assert.Equal("head.1", spec.Forward[^1].Layer);
        Assert.Equal("head", spec.Forward[^1].Block);
        Assert.Equal([10], SampleSources.Plan(run).OutputShape);
    }

    [Fact]
    public void A_constructor_with_a_table_loops_and_a_list_builds_the_model()
    {
        GeneratorRun run = RunWithBlocks(
            """
            static readonly (int Out, int Stride)[] Table = [(32, 1), (48, 2)];
                readonly Sequential body;

                public Model(int width = 32)
                {
                    var layers = new List<Module>();
                    int channels = width;
                    foreach (var (outChannels, stride) in Table)
                    {
                        for (int i = 0; i < 2; i++)
                        {
                            layers.Add(new InvertedResidual(channels, outChannels, i == 0 ? stride : 1, expandRatio: channels > 32 ? 6 : 1));
                            channels = outChannels;
                        }
                    }

                    body = new Sequential([.. layers]);
                }
            """,
            "return body.Forward(x);");

        Assert.Empty(run.Qg);
        ModelSpec spec = SampleSources.Spec(run);
        Assert.Equal(["32, 32, 1, expandRatio: 1", "32, 32, 1, expandRatio: 1", "32, 48, 2, expandRatio: 1", "48, 48, 1, expandRatio: 6"],
            spec.Blocks.Where(b => b.ClassName == "InvertedResidual").Select(b => b.Arguments));
        Assert.Equal([48, 4, 4], SampleSources.Plan(run).OutputShape);
    }

    [Fact]
    public void A_non_constant_block_argument_is_unreadable_at_the_argument()
    {
        GeneratorRun run = RunWithBlocks("readonly InvertedResidual block = new(32, Environment.ProcessorCount, 1, 1);", "return block.Forward(x);");

        Diagnostic diagnostic = Assert.Single(run.Qg);
        Assert.Equal("QG0005", diagnostic.Id);
        Assert.Equal("Environment.ProcessorCount", At(run, diagnostic));
    }
}
