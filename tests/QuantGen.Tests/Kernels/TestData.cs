namespace QuantGen.Tests.Kernels;

/// <summary>Seeded random inputs, so a failure names a case that can be rerun.</summary>
public static class TestData
{
    /// <summary>Values in [-1, 1), with a few exact zeros and larger magnitudes to vary the terms' sizes.</summary>
    public static float[] Values(Random random, long length)
    {
        var values = new float[length];
        for (long i = 0; i < length; i++)
        {
            int kind = random.Next(16);
            values[i] = kind == 0 ? 0f : (float)(random.NextDouble() * 2 - 1) * (kind == 1 ? 8f : 1f);
        }
        return values;
    }

    /// <summary>An output buffer pre-filled with NaN, so a value the kernel forgot to write cannot pass.</summary>
    public static float[] Poisoned(long length)
    {
        var values = new float[length];
        Array.Fill(values, float.NaN);
        return values;
    }
}
