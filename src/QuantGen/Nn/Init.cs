namespace QuantGen.Nn;

/// <summary>
/// Parameter initialisation as PyTorch's layers do it by default (Kaiming-uniform with a = √5, i.e.
/// U(−1/√fan_in, 1/√fan_in)), from one seedable generator so that a model built after
/// <see cref="ManualSeed"/> is reproducible.
/// </summary>
public static class Init
{
    [ThreadStatic] private static Random? generator;

    private static Random Generator => generator ??= new Random(0);

    /// <summary>Reseeds this thread's generator, as <c>torch.manual_seed</c>.</summary>
    public static void ManualSeed(int seed) => generator = new Random(seed);

    public static void Uniform(Tensor tensor, float low, float high)
    {
        var random = Generator;
        var data = tensor.Data;
        for (int i = 0; i < data.Length; i++) data[i] = low + (high - low) * random.NextSingle();
    }

    /// <summary>PyTorch's default for Conv and Linear weights and biases: U(−1/√fan_in, 1/√fan_in).</summary>
    public static void DefaultUniform(Tensor tensor, int fanIn)
    {
        float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
        Uniform(tensor, -bound, bound);
    }
}
