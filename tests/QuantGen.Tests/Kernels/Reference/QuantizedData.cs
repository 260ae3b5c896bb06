using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Reference;

/// <summary>Seeded random quantized tensors and qparams, so a failure names a case that can be rerun.</summary>
internal static class QuantizedData
{
    public static byte[] Bytes(Random random, long length)
    {
        var values = new byte[length];
        random.NextBytes(values);
        return values;
    }

    /// <summary>qint8 values in [−128, 127], the two ends included more often than chance would.</summary>
    public static sbyte[] SBytes(Random random, long length)
    {
        var values = new sbyte[length];
        for (long i = 0; i < length; i++)
        {
            int kind = random.Next(32);
            values[i] = kind == 0 ? sbyte.MinValue : kind == 1 ? sbyte.MaxValue : (sbyte)random.Next(-128, 128);
        }
        return values;
    }

    public static float Scale(Random random, double min, double max) => (float)(min + random.NextDouble() * (max - min));

    public static ActivationQParams Activation(Random random, double minScale, double maxScale) =>
        new(Scale(random, minScale, maxScale), random.Next(256));

    /// <summary>Per tensor or per channel; symmetric, or affine with small nonzero zero points when <paramref name="affine"/>.</summary>
    public static WeightQParams Weights(Random random, int outChannels, bool perChannel, bool affine)
    {
        if (!perChannel) return WeightQParams.PerTensor(Scale(random, 0.001, 0.02), affine ? random.Next(-6, 7) : 0);
        var scales = new float[outChannels];
        var zeroPoints = new int[outChannels];
        for (int c = 0; c < outChannels; c++)
        {
            scales[c] = Scale(random, 0.001, 0.02);
            zeroPoints[c] = affine ? random.Next(-6, 7) : 0;
        }
        return WeightQParams.PerChannel(scales, zeroPoints);
    }

    /// <summary>
    /// An output scale that puts typical results of a <paramref name="terms"/>-term dot product of random bytes
    /// around ±<paramref name="spread"/> output steps; spreads past 128 saturate some outputs on purpose.
    /// </summary>
    public static float OutputScale(Random random, float inputScale, float weightScale, int terms, double spread)
    {
        double typicalAccumulator = 75.0 * 75.0 * Math.Sqrt(terms);
        return (float)(inputScale * (double)weightScale * typicalAccumulator / (spread * (0.5 + random.NextDouble())));
    }

    /// <summary>An int32 bias at scale s_in·s_w, about as large as a typical accumulator, or empty.</summary>
    public static int[] Bias(Random random, int outChannels, int terms, bool present)
    {
        if (!present) return [];
        var bias = new int[outChannels];
        int magnitude = (int)(75.0 * 75.0 * Math.Sqrt(terms));
        for (int c = 0; c < outChannels; c++) bias[c] = random.Next(-magnitude, magnitude + 1);
        return bias;
    }

    /// <summary>An output buffer pre-filled with 0xA5, so a value the kernel forgot to write is unlikely to pass.</summary>
    public static byte[] Poisoned(long length)
    {
        var values = new byte[length];
        Array.Fill(values, (byte)0xA5);
        return values;
    }
}
