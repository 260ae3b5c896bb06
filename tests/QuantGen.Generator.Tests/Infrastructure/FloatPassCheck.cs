using QuantGen.Nn;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>What every generated Float pass is held to: eager float's logits within 1e-4, and nothing allocated per call.</summary>
public static class FloatPassCheck
{
    /// <summary>
    /// The most a logit may differ from eager float's: the pass folds BatchNorms into copies of the weights and sums in
    /// other orders (GEMM tiles), a few float32 roundings per layer (see <c>FloatPassTests</c>).
    /// </summary>
    public const float Tolerance = 1e-4f;

    /// <summary>Compiles <paramref name="source"/> (in namespace Sample) with a driver of its <c>Float</c> pass, checked clean.</summary>
    public static GeneratorRun Compile(string source, string file, string model) =>
        InMemoryAssembly.Compile((source, file), (Sources.PassDriver(model, "Float"), "PassDriver.cs"));

    /// <summary>
    /// Builds the Float pass of <paramref name="driver"/>'s model (in eval mode, weights set) and checks it on
    /// <paramref name="inputs"/> (a batch) against the model's eager float Forward, then that one sample allocates nothing.
    /// </summary>
    public static void AssertMatchesEagerAndAllocatesNothing(IPassDriver driver, Tensor inputs)
    {
        driver.Model.Eval();
        driver.Build();
        int batch = inputs.Size(0);
        float[] eager = driver.Model.Forward(inputs).Data;
        var generated = new float[eager.Length];
        driver.Forward(inputs.Data, generated, batch);

        AssertWithinTolerance(eager, generated);
        // Not vacuous: the logits vary from sample to sample and are not all near zero.
        Assert.True(eager.Distinct().Count() > eager.Length / 2, $"{eager.Distinct().Count()} distinct logits of {eager.Length}");
        Assert.True(eager.Max(Math.Abs) > 0.1f, $"logits at most {eager.Max(Math.Abs)}");

        float[] one = inputs.Data[..(inputs.Length / batch)];
        var logits = new float[eager.Length / batch];
        Assert.Equal(0, CompiledModels.AllocatedBy100Calls(() => driver.Forward(one, logits)));
    }

    public static void AssertWithinTolerance(float[] eager, float[] generated)
    {
        Assert.Equal(eager.Length, generated.Length);
        float worst = 0;
        for (int i = 0; i < eager.Length; i++) worst = Math.Max(worst, Math.Abs(eager[i] - generated[i]));
        Assert.True(worst <= Tolerance, $"largest difference from eager float {worst:E3}");
    }

    /// <summary>Seeded eval statistics and affine parameters for every BatchNorm, so that folding them is not the identity.</summary>
    public static void SeedBatchNorms(Module model, Random random)
    {
        foreach (BatchNorm bn in model.Modules().OfType<BatchNorm>())
        {
            for (int c = 0; c < bn.NumFeatures; c++)
            {
                bn.RunningMean.Data[c] = random.NextSingle() - 0.5f;
                bn.RunningVar.Data[c] = random.NextSingle() + 0.5f;
                bn.Weight!.Data[c] = random.NextSingle() + 0.5f;
                bn.Bias!.Data[c] = random.NextSingle() - 0.5f;
            }
        }
    }
}
