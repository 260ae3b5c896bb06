using Microsoft.CodeAnalysis;
using QuantGen.Generator.Model;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Models;
using QuantGen.Nn;

namespace QuantGen.Generator.Tests;

/// <summary>The real sample files from disk through the generator: MobileNetV2 built at compile time, block by block.</summary>
public sealed class SampleModelTests
{
    private static readonly Lazy<GeneratorRun> MobileNetV2Run = new(SampleSources.RunMobileNetV2);

    [Fact]
    public void The_samples_generate_without_diagnostics_and_their_output_compiles()
    {
        GeneratorRun small = SampleSources.Run(("SmallCnn.cs", SampleSources.Read("SmallCnn.cs")));
        foreach (GeneratorRun run in new[] { small, MobileNetV2Run.Value })
        {
            Assert.Null(run.Exception);
            Assert.Empty(run.Qg);
            Assert.Empty(run.GeneratedCodeProblems);
            Assert.Single(run.Sources);
        }

        Assert.Contains("public const int OutputLength = 10;", MobileNetV2Run.Value.Source("QuantGen.Models.MobileNetV2.g.cs"));
    }

    /// <summary>
    /// The ImageNet-size sample holds a whole MobileNetV2, stubs included: the block around the stubs cannot be a method of
    /// its own (the quantize reads Forward's input, the dequantize writes its output), so its steps stay in Run.
    /// </summary>
    [Fact]
    public void A_model_around_a_MobileNetV2_with_its_stubs_generates_and_compiles()
    {
        GeneratorRun run = SampleSources.Run([.. SampleSources.MobileNetV2Files.Select(f => (f, SampleSources.Read(f))), ("MobileNetV2ImageNet.cs", SampleSources.Read("MobileNetV2ImageNet.cs"))]);

        Assert.Null(run.Exception);
        Assert.Empty(run.Qg);
        Assert.Empty(run.GeneratedCodeProblems);
        string source = run.Source("QuantGen.Models.MobileNetV2ImageNet.g.cs");
        Assert.Contains("public const int OutputLength = 1000;", source);
        Assert.Contains("NetworkQuant(input, n);", source);
        Assert.Contains("NetworkDequant(output, n);", source);
        Assert.DoesNotContain("private void Network(int n)", source);
    }

    /// <summary>
    /// At 224×224 the whole arena holds one sample, so the pass runs its blocks down to 14×14 one sample at a time and the
    /// rest, whose arena holds four, as one pass of up to four: the one value alive at the boundary is copied into its
    /// sample's place. At 28×28 the whole pass holds 32 samples, and nothing is split.
    /// </summary>
    [Fact]
    public void The_ImageNet_size_pass_runs_its_first_blocks_one_sample_at_a_time_and_the_rest_as_a_batch()
    {
        GeneratorRun run = SampleSources.Run([.. SampleSources.MobileNetV2Files.Select(f => (f, SampleSources.Read(f))), ("MobileNetV2ImageNet.cs", SampleSources.Read("MobileNetV2ImageNet.cs"))]);
        string source = run.Source("QuantGen.Models.MobileNetV2ImageNet.g.cs");
        string int8 = source[source.IndexOf("public sealed class Int8 ", StringComparison.Ordinal)..source.IndexOf("public sealed class Float ", StringComparison.Ordinal)];

        Assert.Empty(run.GeneratedCodeProblems);
        Assert.Contains("public const int MaxBatch = 4;", int8);
        Assert.Contains("public static class PerSample", int8);
        Assert.Contains("public const int NetworkFeatures0_0 = Start + ", int8);
        Assert.Contains("RunPerSample(input.Slice(sample * InputLength, InputLength));", int8);
        Assert.Contains("Bytes(Arena.PerSample.NetworkFeatures12SkipAdd, Shapes.NetworkFeatures12SkipAddLength, 1).CopyTo(Bytes(Arena.NetworkFeatures12SkipAdd, ", int8);
        Assert.Contains("HeadLength: Arena.PerSample.Length", int8);
        // The head's layers are built for one sample; the tail's for the batch.
        Assert.Contains("ConvGeometry(Batch: 1, InChannels: 3, InHeight: 224", int8);
        Assert.Contains("ConvGeometry(Batch: Arena.MaxBatch, InChannels: 96, InHeight: 14", int8);
        Assert.Contains("NetworkFeatures13Conv0_0(n);", int8[int8.IndexOf("protected override void Run", StringComparison.Ordinal)..int8.IndexOf("private void RunPerSample", StringComparison.Ordinal)]);

        string mnist = MobileNetV2Run.Value.Source("QuantGen.Models.MobileNetV2.g.cs");
        Assert.DoesNotContain("PerSample", mnist);
        Assert.Contains("public const int MaxBatch = 32;", mnist);
    }

    [Fact]
    public void MobileNetV2_has_torchvisions_leaf_paths_and_17_inverted_residual_blocks()
    {
        ModelSpec spec = SampleSources.Spec(MobileNetV2Run.Value);

        Assert.Equal("quant", spec.Layers[0].Name);
        Assert.Equal("dequant", spec.Layers[^1].Name);
        foreach (string path in new[] { "features.0.0", "features.1.conv.0.0", "features.1.conv.1", "features.2.conv.0.0", "features.2.conv.1.0", "features.18.0", "classifier.1" })
        {
            Assert.NotNull(spec.Layer(path));
        }

        Assert.Equal("Conv2d", spec.Layer("features.2.conv.1.0")!.Kind);
        Assert.Equal(96, spec.Layer("features.2.conv.1.0")!.Int("groups"));    // depthwise: 16 × 6
        Assert.Equal(2, spec.Layer("features.2.conv.1.0")!.Int("stride"));

        var blocks = spec.Blocks.Where(b => b.ClassName == "InvertedResidual").ToList();
        Assert.Equal(17, blocks.Count);
        Assert.Equal("features.1", blocks[0].Path);
        Assert.Equal("32, 16, 1, 1", blocks[0].Arguments);
        Assert.Equal("24, 24, 1, 6", blocks[2].Arguments);
        Assert.Contains(spec.Blocks, b => b.Path == "features.0" && b.ClassName == "ConvBNReLU" && b.Arguments == "1, 32, stride: 2");
        Assert.Contains(spec.Blocks, b => b.Path == "classifier" && b.ClassName == "Sequential" && b.Arguments == "Dropout, Linear");
    }

    [Fact]
    public void Residual_adds_are_exactly_in_the_ten_blocks_with_stride_1_and_equal_widths()
    {
        ModelSpec spec = SampleSources.Spec(MobileNetV2Run.Value);

        var adds = spec.Forward.Where(s => s.Op == OpRegistry.Add).ToList();
        Assert.Equal(10, adds.Count);
        string[] residual = ["features.3", "features.5", "features.6", "features.8", "features.9", "features.10", "features.12", "features.13", "features.15", "features.16"];
        Assert.Equal(residual, adds.Select(a => a.Block));
        Assert.Equal(residual.Select(b => b + ".skipAdd"), adds.Select(a => a.Layer));
        // Steps inside a block point into the block's own file.
        Assert.EndsWith("InvertedResidual.cs", adds[0].Location!.FilePath);
        Assert.All(spec.Forward.Where(s => s.Block.StartsWith("features.1.", StringComparison.Ordinal) || s.Block == "features.1"),
            s => Assert.StartsWith("features.1.", s.Layer));
    }

    [Fact]
    public void MobileNetV2_plans_to_10_logits_at_5_60_million_conv_and_linear_MACs()
    {
        ModelPlan plan = SampleSources.Plan(MobileNetV2Run.Value);

        Assert.Equal([10], plan.OutputShape);
        long macs = 0;
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            ForwardStep step = plan.Model.Forward[i];
            if (!step.IsModule || plan.Model.Layer(step.Layer) is not { } layer) continue;
            EquatableArray<int> output = plan.Steps[i].OutputShape;
            if (layer.Kind == "Conv2d")
            {
                long k = layer.Int("kernelSize")!.Value;
                macs += (long)output[0] * output[1] * output[2] * (layer.Int("inChannels")!.Value / layer.Int("groups")!.Value) * k * k;
            }
            else if (layer.Kind == "Linear")
            {
                macs += layer.Int("inFeatures")!.Value * layer.Int("outFeatures")!.Value;
            }
        }

        // Multiply-accumulates of the convolutions and the classifier only. MobileNetV2.cs's summary says 5.71 M,
        // which must count more than these (BatchNorm or the adds); this is the conventional count.
        Assert.Equal(5.60, Math.Round(macs / 1e6, 2));
    }

    [Fact]
    public void The_parsed_leaf_paths_are_the_runtimes_NamedModules_leaves_in_order()
    {
        string[] runtime = [.. new MobileNetV2().NamedModules().Where(m => !m.Module.NamedChildren().Any()).Select(m => m.Name)];
        string[] parsed = [.. SampleSources.Spec(MobileNetV2Run.Value).Layers.Select(l => l.Name)];

        Assert.Equal(runtime, parsed);

        var model = new MobileNetV2();
        Assert.All(parsed, path => Assert.NotNull(model.GetSubmodule(path)));
        string[] blocks = [.. new MobileNetV2().NamedModules().Where(m => m.Module is Sequential or InvertedResidual).Select(m => m.Name)];
        Assert.Equal(blocks, SampleSources.Spec(MobileNetV2Run.Value).Blocks.Select(b => b.Path));
    }

    [Fact]
    public void SmallCnn_from_disk_fuses_as_its_FusionGroups_say()
    {
        GeneratorRun run = SampleSources.Run(("SmallCnn.cs", SampleSources.Read("SmallCnn.cs")));

        ModelPlan plan = SampleSources.Plan(run);
        Assert.Equal(SmallCnn.FusionGroups.Select(g => string.Join("+", g)), plan.Fusions.Select(f => string.Join("+", f.Layers)));
    }
}
