namespace QuantGen.Tests.Autograd;

/// <summary>
/// Checks analytic gradients against central finite differences of a float64 reference forward.
/// The scalar checked is L = Σ rᵢ·yᵢ with fixed random weights r, so every output element contributes.
/// </summary>
/// <remarks>
/// Tolerances: the analytic gradients are float32 sums of at most a few hundred O(1) terms, whose rounding
/// (2⁻²⁴ ≈ 6e-8 each) stays below ~3e-5; central differences in double with h = 1e-4 are exact to ~1e-8 on these
/// smooth functions (inputs are kept away from the kinks of ReLU and max). Hence 1e-4 relative to max(1, |g|).
/// The float forward is checked against the reference with the same bound.
/// </remarks>
internal static class GradCheck
{
    private const double Step = 1e-4;
    private const double Tolerance = 1e-4;

    /// <summary>
    /// <paramref name="forward"/> computes the output (through the code under test) from <paramref name="inputs"/>;
    /// <paramref name="reference"/> computes it in double from copies of their values, in the same order.
    /// </summary>
    public static void Check(Tensor[] inputs, Func<Tensor> forward, Func<double[][], double[]> reference, int seed = 1)
    {
        foreach (var input in inputs)
        {
            input.RequiresGrad = true;
            input.Grad = null;
        }
        var values = Array.ConvertAll(inputs, t => Array.ConvertAll(t.Data, v => (double)v));
        var output = forward();
        var expectedOutput = reference(values);
        Assert.Equal(expectedOutput.Length, output.Length);
        for (int i = 0; i < output.Length; i++)
        {
            Assert.True(Math.Abs(output.Data[i] - expectedOutput[i]) <= Tolerance * Math.Max(1, Math.Abs(expectedOutput[i])),
                $"forward value {i}: {output.Data[i]} vs reference {expectedOutput[i]}");
        }

        var random = new Random(seed);
        var weights = new float[output.Length];
        for (int i = 0; i < weights.Length; i++) weights[i] = random.NextSingle() * 2 - 1;
        output.Backward(new Tensor(output.Shape, weights));

        var failures = new List<string>();
        for (int t = 0; t < inputs.Length; t++)
        {
            var analytic = inputs[t].Grad ?? throw new Xunit.Sdk.XunitException($"input {t} received no gradient");
            for (int i = 0; i < values[t].Length; i++)
            {
                double numeric = Derivative(values, t, i, weights, reference);
                double error = Math.Abs(analytic.Data[i] - numeric);
                if (error > Tolerance * Math.Max(1, Math.Abs(numeric)))
                {
                    failures.Add($"input {t} {inputs[t].Shape}, element {i}: analytic {analytic.Data[i]}, numeric {numeric:R}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} gradients differ:\n{string.Join('\n', failures.Take(10))}");
    }

    private static double Derivative(double[][] values, int tensor, int index, float[] weights, Func<double[][], double[]> reference)
    {
        double original = values[tensor][index];
        values[tensor][index] = original + Step;
        double plus = Dot(weights, reference(values));
        values[tensor][index] = original - Step;
        double minus = Dot(weights, reference(values));
        values[tensor][index] = original;
        return (plus - minus) / (2 * Step);
    }

    private static double Dot(float[] weights, double[] values)
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i++) sum += weights[i] * values[i];
        return sum;
    }

    /// <summary>Values uniform in [-1, 1], seeded.</summary>
    public static Tensor Random(int seed, params int[] dims)
    {
        var random = new Random(seed);
        var tensor = Tensor.Zeros(dims);
        for (int i = 0; i < tensor.Length; i++) tensor.Data[i] = random.NextSingle() * 2 - 1;
        return tensor;
    }

    /// <summary>Distinct values at least 0.01 apart and away from 0, shuffled: no ties for max, no value at ReLU's kink.</summary>
    public static Tensor Distinct(int seed, params int[] dims)
    {
        var tensor = Tensor.Zeros(dims);
        var values = Enumerable.Range(0, tensor.Length).Select(i => (i - tensor.Length / 2 + 0.5f) * 0.013f).ToArray();
        new Random(seed).Shuffle(values);
        values.CopyTo(tensor.Data, 0);
        return tensor;
    }
}
