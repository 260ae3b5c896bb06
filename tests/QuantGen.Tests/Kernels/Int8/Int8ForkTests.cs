using QuantGen.Kernels;
using QuantGen.Kernels.Int8;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// <see cref="Int8Conv2d.Fork"/> and <see cref="Int8Linear.Fork"/>: a fork gives its source's bytes, and source and
/// fork run at once on two threads, over the same packed weights, without touching each other's scratch.
/// </summary>
public sealed class Int8ForkTests
{
    private const int Rounds = 40;

    public static TheoryData<string> Convolutions => ["Im2Col", "Pointwise", "Depthwise", "Stem"];

    [Theory]
    [MemberData(nameof(Convolutions))]
    public void A_convolution_fork_equals_its_source_and_runs_beside_it(string kind)
    {
        var random = new Random(6201);
        ConvGeometry g = kind switch
        {
            "Im2Col" => new ConvGeometry(4, 8, 14, 14, 16, 3, 3, PadHeight: 1, PadWidth: 1),
            "Pointwise" => new ConvGeometry(4, 24, 7, 7, 40, 1, 1),
            "Depthwise" => new ConvGeometry(4, 32, 9, 9, 32, 3, 3, 2, 2, 1, 1, Groups: 32),
            _ => new ConvGeometry(4, 1, 28, 28, 32, 3, 3, 2, 2, 1, 1),
        };
        // Weight zero points make the GEMM paths use their row-sum scratch as well as the im2col rows.
        Int8Case c = WithWeightZeroPoints(random, g.OutChannels, g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth, g.InputLength);
        var source = new Int8Conv2d(g, c.Weight, c.WeightQ, c.Bias, c.InputQ, c.OutputQ, c.Activation, c.InputRange);
        Int8Conv2d fork = source.Fork();
        Assert.Equal(source.Algorithm, fork.Algorithm);
        Assert.Equal(source.Path, fork.Path);

        byte[][] inputs = [RandomBytes(random, g.InputLength), RandomBytes(random, g.InputLength)];
        byte[][] expected = [.. inputs.Select(input => Run(source, input, g.OutputLength))];
        Assert.Equal(expected[0], Run(fork, inputs[0], g.OutputLength));

        RunTogether(
            () => Assert.Equal(expected[0], Run(source, inputs[0], g.OutputLength)),
            () => Assert.Equal(expected[1], Run(fork, inputs[1], g.OutputLength)));
    }

    [Fact]
    public void A_linear_fork_equals_its_source_and_runs_beside_it()
    {
        var random = new Random(6202);
        const int rows = 64, k = 784, n = 32;
        Int8Case c = WithWeightZeroPoints(random, n, k, rows * k);
        var source = new Int8Linear(c.Weight, c.WeightQ, c.Bias, k, n, c.InputQ, c.OutputQ, c.Activation, c.InputRange, maxRows: rows);
        Int8Linear fork = source.Fork();

        byte[][] inputs = [RandomBytes(random, rows * k), RandomBytes(random, rows * k)];
        byte[][] expected = [.. inputs.Select(input => Run(source, input, rows * n))];
        Assert.Equal(expected[0], Run(fork, inputs[0], rows * n));

        RunTogether(
            () => Assert.Equal(expected[0], Run(source, inputs[0], rows * n)),
            () => Assert.Equal(expected[1], Run(fork, inputs[1], rows * n)));
    }

    private static Int8Case WithWeightZeroPoints(Random random, int outputs, int depth, int inputLength)
    {
        while (true)
        {
            Int8Case c = Int8Case.Create(random, Int8Regime.Typical, outputs, depth, inputLength);
            if (Enumerable.Range(0, outputs).Any(o => c.WeightQ.ZeroPoint(o) != 0)) return c;
        }
    }

    private static byte[] Run(Int8Conv2d layer, byte[] input, int outputLength)
    {
        byte[] output = Layout.Poisoned(outputLength);
        layer.Forward(input, output);
        return output;
    }

    private static byte[] Run(Int8Linear layer, byte[] input, int outputLength)
    {
        byte[] output = Layout.Poisoned(outputLength);
        layer.Forward(input, output);
        return output;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Both actions, <see cref="Rounds"/> times each, on two threads released together; a failure on either fails the test.</summary>
    private static void RunTogether(Action first, Action second)
    {
        using var start = new Barrier(2);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        Thread[] threads = [.. new[] { first, second }.Select(action => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (int i = 0; i < Rounds; i++) action();
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        }))];
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();
        Assert.Empty(failures);
    }
}
