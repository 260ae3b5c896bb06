using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// FloatFunctional's int8 kernels on every path equal the references bit for bit, on random shapes and qparams with
/// the saturating ends included: the mul of equal shapes and the squeeze-excite channel gate (NHWC) against
/// <see cref="QMul"/>'s broadcasting form, the concatenation in rows of blocks against <see cref="QCat"/>.
/// </summary>
public sealed class Int8FunctionalTests(ITestOutputHelper output)
{
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void Mul_equals_the_reference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(1401);
        for (int trial = 0; trial < 300; trial++)
        {
            int length = trial < 140 ? trial : random.Next(140, 1000);   // every tail of the 64-wide step, then long runs
            var (aQ, bQ, outQ) = QParams(random, trial);
            byte[] a = Bytes(random, length, trial), b = Bytes(random, length, trial + 1);
            var expected = new byte[length];
            QMul.Forward(a, aQ, b, bQ, outQ, expected);
            var actual = new byte[length];
            new Int8Mul(aQ, bQ, outQ).Forward(a, b, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"trial {trial}, length {length}, {aQ} × {bQ} → {outQ}");
        }
    }

    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void The_channel_gate_equals_the_broadcasting_reference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(1402);
        for (int trial = 0; trial < 120; trial++)
        {
            int samples = random.Next(1, 4), channels = trial < 80 ? trial + 1 : random.Next(1, 200), height = random.Next(1, 5), width = random.Next(1, 5);
            var (xQ, gateQ, outQ) = QParams(random, trial);
            byte[] x = Bytes(random, samples * height * width * channels, trial), gate = Bytes(random, samples * channels, trial + 1);
            // The reference broadcasts in NCHW; the kernel reads NHWC: compare through the layout change.
            var expected = new byte[x.Length];
            QMul.Forward(Layout.ToNchw(x, samples, channels, height, width), new Shape(samples, channels, height, width), xQ,
                gate, new Shape(samples, channels, 1, 1), gateQ, outQ, new Shape(samples, channels, height, width), expected);
            var actual = new byte[x.Length];
            new Int8Mul(xQ, gateQ, outQ).ForwardGate(x, gate, samples, channels, actual);
            Assert.True(Layout.ToNchw(actual, samples, channels, height, width).AsSpan().SequenceEqual(expected),
                $"trial {trial}, [{samples}, {channels}, {height}, {width}], {xQ} × {gateQ} → {outQ}");
        }
    }

    /// <summary>Its requantization is <see cref="Int8Lookup"/>, whose VBMI path Int8LookupTests checks on its own.</summary>
    [Fact]
    public void Cat_equals_the_reference()
    {
        var random = new Random(1403);
        for (int trial = 0; trial < 200; trial++)
        {
            int outer = random.Next(1, 50), aBlock = random.Next(1, 100), bBlock = random.Next(1, 100);
            var outQ = new ActivationQParams((float)(random.NextDouble() * 0.1 + 1e-3), random.Next(256));
            // Either input may share the output's qparams (a copy) or not (a requantization).
            ActivationQParams aQ = trial % 3 == 0 ? outQ : new((float)(random.NextDouble() * 0.1 + 1e-3), random.Next(256));
            ActivationQParams bQ = trial % 4 == 0 ? outQ : new((float)(random.NextDouble() * 0.1 + 1e-3), random.Next(256));
            byte[] a = Bytes(random, outer * aBlock, trial), b = Bytes(random, outer * bBlock, trial + 1);
            var expected = new byte[a.Length + b.Length];
            QCat.Forward([a, b], [new Shape(outer, aBlock), new Shape(outer, bBlock)], [aQ, bQ], 1, outQ, expected);
            var actual = new byte[expected.Length];
            var cat = new Int8Cat([aBlock, bBlock], [aQ, bQ], outQ);
            cat.Forward(a, b, outer, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"trial {trial}, {outer} rows of {aBlock} + {bBlock}, {aQ} + {bQ} → {outQ}");
            cat.Fork().Forward(a, b, outer, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"trial {trial}, fork");
        }
    }

    /// <summary>Any number of inputs, joined one at a time as the generated pass does (<see cref="Int8Cat.Join"/>), in any order.</summary>
    [Fact]
    public void Cat_of_any_number_of_inputs_joined_one_by_one_equals_the_reference()
    {
        var random = new Random(1404);
        for (int trial = 0; trial < 100; trial++)
        {
            int inputs = random.Next(1, 6), outer = random.Next(1, 30);
            var outQ = new ActivationQParams((float)(random.NextDouble() * 0.1 + 1e-3), random.Next(256));
            var blocks = new int[inputs];
            var qparams = new ActivationQParams[inputs];
            var data = new byte[inputs][];
            var shapes = new Shape[inputs];
            for (int i = 0; i < inputs; i++)
            {
                blocks[i] = random.Next(1, 70);
                qparams[i] = random.Next(3) == 0 ? outQ : new((float)(random.NextDouble() * 0.1 + 1e-3), random.Next(256));
                data[i] = Bytes(random, outer * blocks[i], trial + i);
                shapes[i] = new Shape(outer, blocks[i]);
            }

            var expected = new byte[data.Sum(d => d.Length)];
            QCat.Forward(data, shapes, qparams, 1, outQ, expected);
            var actual = new byte[expected.Length];
            var cat = new Int8Cat(blocks, qparams, outQ);
            foreach (int i in Enumerable.Range(0, inputs).OrderBy(_ => random.Next())) cat.Join(i, data[i], outer, actual);
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"trial {trial}, {outer} rows of {string.Join(" + ", blocks)}");
        }
    }

    /// <summary>Random qparams, with a multiplier that sometimes saturates most outputs and sometimes barely moves them.</summary>
    private static (ActivationQParams A, ActivationQParams B, ActivationQParams Output) QParams(Random random, int trial)
    {
        float aScale = (float)(random.NextDouble() * 0.1 + 1e-3), bScale = (float)(random.NextDouble() * 0.1 + 1e-3);
        float spread = (trial % 5) switch { 0 => 1f, 1 => 20000f, _ => (float)(random.NextDouble() * 200 + 5) };
        return (new(aScale, random.Next(256)), new(bScale, trial % 7 == 0 ? 0 : random.Next(256)), new(aScale * bScale * spread, random.Next(256)));
    }

    /// <summary>Random bytes, or for some cases only the ends 0 and 255.</summary>
    private static byte[] Bytes(Random random, int length, int trial)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        if (trial % 4 == 1) for (int j = 0; j < length; j++) bytes[j] = (byte)(bytes[j] < 128 ? 0 : 255);
        return bytes;
    }
}
