using Microsoft.CodeAnalysis;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Nn;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The decoder ops in one generated model: ConvTranspose2d (with a BatchNorm folded in), standalone BatchNorm2d with a
/// ReLU fused in (BNReLU2d), Upsample (bilinear; nearest by size through <c>Functional.Interpolate</c>; nearest by the
/// non-integer factor 1.5, a float island), and the float islands SiLU, GELU and GroupNorm. The generated Int8 pass
/// compiles, the only diagnostics are the islands' QG0009 (the fractional Upsample's naming why), and it equals eager
/// int8 bit for bit, batched and one sample at a time.
/// </summary>
public sealed class DecoderOpsTests
{
    private const string Source = """
        using QuantGen;
        using QuantGen.Nn;
        using QuantGen.Quantization;

        namespace Sample;

        [Quantize(QuantMode.Static)]
        [Fuse("Conv", "ReLU")]
        [Fuse("BN", "ReLU")]
        [Fuse("ConvTranspose", "BN")]
        [InputShape(1, 8, 8)]
        public sealed partial class DecoderNet : Module
        {
            readonly QuantStub quant = new();
            readonly Conv2d conv1 = new(1, 4, kernelSize: 3, stride: 2, padding: 1);
            readonly ReLU relu1 = new();
            readonly BatchNorm2d bn1 = new(4);
            readonly ReLU relu2 = new();
            readonly ConvTranspose2d up = new(4, 6, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1);
            readonly BatchNorm2d bn2 = new(6);
            readonly SiLU silu = new();
            readonly Upsample bilinear = new(scaleFactor: 2, mode: UpsampleMode.Bilinear);
            readonly MaxPool2d pool = new(2);
            readonly GroupNorm norm = new(2, 6);
            readonly Upsample fractional = new(scaleFactor: 1.5);
            readonly GELU gelu = new();
            readonly ConvTranspose2d grouped = new(6, 4, kernelSize: 2, stride: 1, groups: 2, dilation: 2);
            readonly Conv2d conv2 = new(4, 4, kernelSize: 3, stride: 2);
            readonly Linear fc = new(4 * 9 * 9, 10);
            readonly DeQuantStub dequant = new();

            public override Tensor Forward(Tensor x)
            {
                x = relu1.Forward(conv1.Forward(quant.Forward(x)));          // [4, 4, 4]
                x = relu2.Forward(bn1.Forward(x));
                x = silu.Forward(bn2.Forward(up.Forward(x)));                // [6, 8, 8]
                x = pool.Forward(bilinear.Forward(x));                       // [6, 8, 8]
                x = Functional.Interpolate(norm.Forward(x), size: 12);       // [6, 12, 12]
                x = gelu.Forward(fractional.Forward(x));                     // [6, 18, 18]
                x = conv2.Forward(grouped.Forward(x));                       // [4, 20, 20] → [4, 9, 9]
                return dequant.Forward(fc.Forward(Flatten(x)));
            }
        }
        """;

    private static readonly Lazy<GeneratorRun> Run = new(() => InMemoryAssembly.Compile((Source, "DecoderNet.cs"), (Sources.Driver("DecoderNet"), "Driver.cs")));

    [Fact]
    public void The_only_diagnostics_are_the_float_islands_and_the_fractional_upsample_says_why()
    {
        GeneratorRun run = Run.Value;
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Analyzers.Exceptions);
        var reported = run.Reported.OrderBy(d => d.Location.SourceSpan.Start).ToList();
        Assert.All(reported, d => Assert.Equal("QG0009", d.Id));
        Assert.Equal(["silu", "norm", "fractional", "gelu"], reported.Select(d => d.GetMessage().Split('\'')[1]));
        Assert.Equal("'fractional' (Upsample, nearest by the non-integer scale factor 1.5) has no int8 kernel and runs in float: " +
            "a dequantize + quantize round trip of 864 values per sample", reported[2].GetMessage());
    }

    [Fact]
    public void Each_op_lowers_to_its_compiled_form()
    {
        string generated = Run.Value.Source("Sample.DecoderNet.g.cs");
        Assert.Contains("CompiledConvTranspose2d.Create(model, \"up\"", generated);
        Assert.Contains("OutputPadHeight: 1, OutputPadWidth: 1", generated);
        Assert.Contains("CompiledModel.RequireFusedAway(model, \"bn2\", \"up\")", generated);
        Assert.Contains("CompiledBatchNorm2d.Create(model, \"bn1\", conv1.Output, channels: 4, global::QuantGen.Kernels.FusedActivation.ReLU)", generated);
        Assert.Contains("CompiledUpsample.Create(model, \"bilinear\"", generated);
        Assert.Contains("CompiledUpsample.Functional(", generated);
        Assert.Contains("CompiledUpsampleIsland.Create(model, \"fractional\"", generated);
        Assert.Contains("CompiledFloatActivation.Create<global::QuantGen.Nn.SiLU>(model, \"silu\"", generated);
        Assert.Contains("CompiledFloatActivation.Create<global::QuantGen.Nn.GELU>(model, \"gelu\"", generated);
        Assert.Contains("CompiledGroupNorm.Create(model, \"norm\"", generated);
        Assert.Contains("Groups: 2))", generated);
    }

    [Fact]
    public void The_Float_pass_is_within_1e_4_of_eager_float_and_allocates_nothing()
    {
        IPassDriver driver = CompiledModels.PassDriver(FloatPassCheck.Compile(Source, "DecoderNet.cs", "DecoderNet"));
        var random = new Random(18);
        FloatPassCheck.SeedBatchNorms(driver.Model, random);
        FloatPassCheck.AssertMatchesEagerAndAllocatesNothing(driver, CompiledModels.RandomImages(random, 8, 8, low: -2, width: 4));
    }

    [Fact]
    public void The_Int8_pass_equals_eager_int8_bit_for_bit()
    {
        GeneratorRun run = Run.Value;
        ICompiledDriver driver = InMemoryAssembly.Driver(run, "Sample.Driver");
        var random = new Random(14);
        Tensor Batch(int n) => CompiledModels.RandomImages(random, n, 8, low: -2, width: 4);
        FloatPassCheck.SeedBatchNorms(driver.Model, random);
        driver.Model.Eval();
        driver.Quantize([Batch(16), Batch(16)], qconfig: null);

        Tensor inputs = Batch(24);
        float[] eager = driver.Model.Forward(inputs).Data;
        float[] generated = new float[eager.Length];
        driver.Forward(inputs.Data, generated, 24);
        CompiledModels.AssertBits(eager, generated);
        Assert.True(eager.Distinct().Count() > 20, $"{eager.Distinct().Count()} distinct logits: they should vary, or the comparison proves little");

        float[] one = new float[10];
        driver.Forward(inputs.Data.AsSpan(0, 64), one);
        CompiledModels.AssertBits(eager[..10], one);
    }
}
