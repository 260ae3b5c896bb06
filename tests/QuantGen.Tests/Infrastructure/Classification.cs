namespace QuantGen.Tests.Infrastructure;

/// <summary>Which class a model's logits pick.</summary>
internal static class Classification
{
    /// <summary>The class with the largest logit; the first of equal ones.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
