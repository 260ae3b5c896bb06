using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Nn;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The 1-D layers over [channels, length] in one model: strided, dilated and grouped Conv1d with its BatchNorm1d and
/// ReLU fused, MaxPool1d and AvgPool1d with padding and ceil mode, a standalone BatchNorm1d (a float island, QG0009),
/// a Linear over each channel's values ([8, 4] → [8, 5], reordered from channels-last), AdaptiveAvgPool1d to an
/// uneven size and a Linear+BatchNorm1d fusion: the shapes are planned, the generated Int8 pass compiles and equals
/// eager int8 bit for bit.
/// </summary>
public sealed class OneDimensionalTests
{
    private const string Source = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [Fuse("Conv", "BN", "ReLU")]
        [Fuse("Conv", "ReLU")]
        [Fuse("Linear", "BN")]
        [InputShape(6, 30)]
        public sealed partial class Net1d : Module
        {
            readonly QuantStub quant = new();
            readonly Conv1d conv1 = new(6, 8, kernelSize: 3, stride: 2, padding: 2, dilation: 2);
            readonly BatchNorm1d bn1 = new(8);
            readonly ReLU relu1 = new();
            readonly MaxPool1d pool1 = new(3, stride: 2, padding: 1, dilation: 2, ceilMode: true);
            readonly Conv1d conv2 = new(8, 8, kernelSize: 3, padding: 1, groups: 4);
            readonly ReLU relu2 = new();
            readonly AvgPool1d pool2 = new(3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false);
            readonly BatchNorm1d bn2 = new(8);
            readonly Linear rows = new(4, 5);
            readonly AdaptiveAvgPool1d gap = new(3);
            readonly Linear fc = new(24, 12);
            readonly BatchNorm1d fcBn = new(12);
            readonly Linear head = new(12, 10);
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x)
            {
                x = pool1.Forward(relu1.Forward(bn1.Forward(conv1.Forward(quant.Forward(x)))));
                x = bn2.Forward(pool2.Forward(relu2.Forward(conv2.Forward(x))));
                x = gap.Forward(rows.Forward(x));
                x = fcBn.Forward(fc.Forward(Flatten(x)));
                return dequant.Forward(head.Forward(x));
            }
        }
        """;

    [Fact]
    public void The_shapes_are_PyTorchs_and_only_the_unfused_BatchNorm1d_is_a_float_island()
    {
        GeneratorRun run = InMemoryAssembly.Compile((Source, "Net1d.cs"), (Sources.Driver("Net1d"), "Driver.cs"));
        Assert.Empty(run.GeneratorDiagnostics);
        string generated = run.Source("Sample.Net1d.g.cs");
        // conv1 [8, 15], pool1 [8, 7] (ceil mode), conv2 [8, 7], pool2 [8, 4], rows [8, 5], gap [8, 3] — PyTorch's sizes.
        foreach (string constant in new[] { "Conv1Length = 120", "Pool1Length = 56", "Conv2Length = 56", "Pool2Length = 32", "RowsLength = 40", "GapLength = 24" })
        {
            Assert.Contains($"public const int {constant};", generated);
        }
        Assert.Contains("KernelHeight: 1, KernelWidth: 3, StrideHeight: 1, StrideWidth: 2, PadHeight: 0, PadWidth: 2, DilationHeight: 1, DilationWidth: 2", generated);
        Assert.Contains("rows: 8, channels: 8", generated);
        Assert.Contains("CompiledBatchNorm1d.Create(model, \"bn2\"", generated);

        var islands = AnalyzerHarness.Run(run.Input).Qg.Where(d => d.Id == "QG0009").Select(d => d.GetMessage()).ToList();
        Assert.Equal(["'bn2' (BatchNorm1d) has no int8 kernel and runs in float: a dequantize + quantize round trip of 32 values per sample"], islands);
    }

    [Fact]
    public void The_Float_pass_is_within_1e_4_of_eager_float_and_allocates_nothing()
    {
        IPassDriver driver = CompiledModels.PassDriver(FloatPassCheck.Compile(Source, "Net1d.cs", "Net1d"));
        var random = new Random(18);
        FloatPassCheck.SeedBatchNorms(driver.Model, random);
        var signals = new Tensor(new Shape(8, 6, 30), [.. Enumerable.Range(0, 8 * 6 * 30).Select(_ => random.NextSingle() * 4 - 2)]);
        FloatPassCheck.AssertMatchesEagerAndAllocatesNothing(driver, signals);
    }

    [Fact]
    public void The_Int8_pass_equals_eager_int8_bit_for_bit()
    {
        GeneratorRun run = InMemoryAssembly.Compile((Source, "Net1d.cs"), (Sources.Driver("Net1d"), "Driver.cs"));
        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        var random = new Random(14);
        Tensor Batch(int n)
        {
            var batch = new Tensor(new Shape(n, 6, 30));
            for (int i = 0; i < batch.Length; i++) batch.Data[i] = random.NextSingle() * 4 - 1;
            return batch;
        }

        Seed(driver.Model, random);

        driver.Model.Eval();
        driver.Quantize([Batch(32), Batch(32)], qconfig: null);

        Tensor inputs = Batch(40);
        float[] eager = driver.Model.Forward(inputs).Data;
        float[] generated = new float[eager.Length];
        driver.Forward(inputs.Data, generated, 40);
        CompiledModels.AssertBits(eager, generated);
        Assert.True(eager.Distinct().Count() > 50, $"{eager.Distinct().Count()} distinct logits: they should vary, or the comparison proves little");

        // One sample a call (one GEMM row group, the reorder per sample) gives the same bytes.
        var single = new float[10];
        driver.Forward(inputs.Data.AsSpan(0, 180), single);
        CompiledModels.AssertBits(eager[..10], single);
    }

    /// <summary>
    /// A QAT model with a Linear+BatchNorm1d fusion (PyTorch's <c>LinearBn1d</c>): the generated <c>PrepareQat</c> keeps
    /// the BatchNorm training beside the Linear, and after a few training-mode batches and <c>Convert</c> the Int8 pass
    /// equals eager int8 bit for bit.
    /// </summary>
    [Fact]
    public void A_Linear_BatchNorm1d_fusion_trains_under_QAT_and_its_Int8_pass_equals_eager_int8()
    {
        string source = Source.Replace("[Quantize(QuantMode.Static)]", "[Quantize(QuantMode.Qat)]");
        GeneratorRun run = InMemoryAssembly.Compile((source, "Net1d.cs"), (Sources.QatDriver("Net1d"), "Driver.cs"));
        Assert.Empty(run.GeneratorDiagnostics);
        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        var random = new Random(15);
        Seed(driver.Model, random);
        Tensor Batch(int n) => new(new Shape(n, 6, 30), [.. Enumerable.Range(0, n * 180).Select(_ => random.NextSingle() * 4 - 1)]);

        driver.Quantize([Batch(32), Batch(32), Batch(32)], qconfig: null);   // PrepareQat, training-mode batches, Convert
        Assert.IsType<QuantGen.Quantization.QuantizedLinear>(((Layer)driver.Model.GetSubmodule("fc")!).Substitute);

        Tensor inputs = Batch(24);
        float[] eager = CompiledModels.EagerReference(driver.Model, inputs);
        float[] generated = new float[eager.Length];
        driver.Forward(inputs.Data, generated, 24);
        CompiledModels.AssertBits(eager, generated);
    }

    /// <summary>
    /// Bad input: a BatchNorm1d(T) fused after a Linear over [T, F] would normalise the Linear's T rows, not fold per
    /// output feature: QG0004 at compile time at the BatchNorm, with both shapes, instead of eager fusion's refusal at run time.
    /// </summary>
    [Fact]
    public void A_BatchNorm1d_fused_after_a_Linear_over_rows_is_a_compile_time_shape_error()
    {
        string source = Source
            .Replace("readonly Linear fc = new(24, 12);", "readonly Linear fc = new(3, 12);")
            .Replace("readonly BatchNorm1d fcBn = new(12);", "readonly BatchNorm1d fcBn = new(8);")
            .Replace("readonly Linear head = new(12, 10);", "readonly Linear head = new(96, 10);")
            .Replace("x = fcBn.Forward(fc.Forward(Flatten(x)));", "x = Flatten(fcBn.Forward(fc.Forward(x)));");
        GeneratorRun run = GeneratorHarness.Run(source, "Net1d.cs");
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("QG0004", diagnostic.Id);
        Assert.Contains("'fcBn' (BatchNorm1d) expects the flat output of the Linear it folds into", diagnostic.GetMessage());
        Assert.Contains("'fc' over [8, 3] gives [8, 12]", diagnostic.GetMessage());
        int line = diagnostic.Location.GetLineSpan().StartLinePosition.Line;
        Assert.Contains("readonly BatchNorm1d fcBn = new(8);", source.Split('\n')[line]);
    }

    /// <summary>Seeded weights and BatchNorm statistics (not the default init's draws, which depend on what ran before).</summary>
    private static void Seed(Module model, Random random)
    {
        foreach (Module module in model.Modules())
        {
            var (weight, bias) = module switch { Conv2d c => (c.Weight, c.Bias), Linear l => (l.Weight, l.Bias), _ => (null, null) };
            if (weight is not null)
            {
                float bound = 2f / MathF.Sqrt(weight.Length / weight.Size(0));
                for (int i = 0; i < weight.Length; i++) weight.Data[i] = (random.NextSingle() * 2 - 1) * bound;
                for (int i = 0; i < (bias?.Length ?? 0); i++) bias!.Data[i] = random.NextSingle() * 0.2f - 0.1f;
            }
            if (module is BatchNorm1d bn)
            {
                for (int c = 0; c < bn.NumFeatures; c++)
                {
                    (bn.RunningMean.Data[c], bn.RunningVar.Data[c]) = (random.NextSingle() - 0.5f, random.NextSingle() + 0.5f);
                    (bn.Weight!.Data[c], bn.Bias!.Data[c]) = (random.NextSingle() + 0.5f, random.NextSingle() - 0.5f);
                }
            }
        }
    }

    /// <summary>Without [Fuse], QG0010 offers the 1-D groups PyTorch fuses, by the same roles as the 2-D ones.</summary>
    [Fact]
    public void QG0010_offers_Conv1d_BatchNorm1d_ReLU_and_Linear_BatchNorm1d()
    {
        string source = Source.Replace("[Fuse(\"Conv\", \"BN\", \"ReLU\")]\n", "").Replace("[Fuse(\"Linear\", \"BN\")]\n", "");
        var offers = AnalyzerHarness.Run(InMemoryAssembly.Compile((source, "Net1d.cs")).Input).Qg
            .Where(d => d.Id == "QG0010").Select(d => d.Properties[QuantGen.Generator.Diagnostics.DiagnosticDescriptors.FixValueProperty]).ToList();
        Assert.Equal(["\"Conv\", \"BN\", \"ReLU\"", "\"Linear\", \"BN\""], offers);
    }
}
