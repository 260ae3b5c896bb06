using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>The vectorized residual add and quantize equal <see cref="QAdd"/> and <see cref="Quantize"/>, bit for bit.</summary>
public sealed class Int8ElementwiseTests(ITestOutputHelper output)
{
    [Theory]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void AddEqualsReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(6201);
        for (int i = 0; i < 300; i++)
        {
            // Lengths around the 32- and 64-element steps; scale ratios across qnnpack's whole range [2^-14, 2^8), extremes included.
            int length = i < 70 ? i : random.Next(1, 200);
            float outScale = 0.05f;
            float aScale = outScale * Ratio(random, i), bScale = outScale * Ratio(random, i + 1);
            var aQ = new ActivationQParams(aScale, i % 5 == 0 ? 0 : random.Next(256));
            var bQ = new ActivationQParams(bScale, i % 7 == 0 ? 255 : random.Next(256));
            var outQ = new ActivationQParams(outScale, random.Next(256));
            var activation = i % 3 == 0 ? FusedActivation.ReLU : FusedActivation.None;
            byte[] a = Bytes(random, length, i), b = Bytes(random, length, i + 1);
            var expected = new byte[length];
            QAdd.Forward(a, aQ, b, bQ, outQ, activation, expected);
            var actual = new byte[length];
            var add = new Int8Add(aQ, bQ, outQ, activation);
            Assert.Equal(path != Int8KernelPath.Avx2 && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported ? 64 : 32, add.StepElements);
            add.Forward(a, b, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"length {length}, scales {aScale}/{bScale}/{outScale}");
        }
    }

    [Fact]
    public void QuantizeEqualsReferenceIncludingNaNAndInfinities()
    {
        var random = new Random(6202);
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, 0.5f, 1.5f, 2.5f, -0.5f, -2.5f, 0f, -0f];
        for (int i = 0; i < 200; i++)
        {
            int length = i < 50 ? i : random.Next(1, 300);
            var q = new ActivationQParams(i % 4 == 0 ? 1f : (float)(random.NextDouble() * 0.2 + 1e-3), random.Next(256));
            var values = new float[length];
            for (int j = 0; j < length; j++)
            {
                values[j] = random.Next(5) == 0 ? specials[random.Next(specials.Length)] : (float)(random.NextDouble() * 600 - 300) * q.Scale;
            }
            var expected = new byte[length];
            Quantize.Activations(values, q, expected);
            var actual = new byte[length];
            Int8Quantize.Activations(values, q, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"length {length}, q {q}");
        }
    }

    private static float Ratio(Random random, int i) => (i % 11) switch
    {
        0 => 1f / 16384,
        1 => 255.99f,
        2 => 1f,
        _ => MathF.Pow(2, (float)(random.NextDouble() * 10 - 5)),
    };

    /// <summary>Random bytes, or for some cases only the saturating ends 0 and 255.</summary>
    private static byte[] Bytes(Random random, int length, int i)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        if (i % 4 == 1) for (int j = 0; j < length; j++) bytes[j] = (byte)(bytes[j] < 128 ? 0 : 255);
        return bytes;
    }
}
