using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Tests.Quantization;

/// <summary>The oracle of eager int8: the same modules on the reference kernels (<see cref="EagerKernels.Reference"/>).</summary>
internal static class EagerReference
{
    /// <summary><paramref name="model"/>'s output with every int8 module on this thread running the reference kernels.</summary>
    public static Tensor Forward(Module model, Tensor input) => Run(() => model.Forward(input));

    /// <summary><paramref name="run"/>'s result with every int8 module on this thread running the reference kernels.</summary>
    public static T Run<T>(Func<T> run)
    {
        using var reference = TestSwitch.Set(() => EagerKernels.Reference, value => EagerKernels.Reference = value, true);
        return run();
    }

    /// <summary>Equal to the last bit; quantized outputs are compared in PyTorch's order, with their qparams.</summary>
    public static void AssertBits(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.IsQuantized, actual.IsQuantized);
        if (expected.IsQuantized)
        {
            Assert.Equal((expected.QuantScale, expected.QuantZeroPoint), (actual.QuantScale, actual.QuantZeroPoint));
            byte[] want = expected.QuantizedData, got = actual.QuantizedData;
            for (int i = 0; i < want.Length; i++) Assert.True(want[i] == got[i], $"{what}, byte {i}: reference {want[i]}, SIMD {got[i]}");
            return;
        }
        for (int i = 0; i < expected.Length; i++)
        {
            int want = BitConverter.SingleToInt32Bits(expected.Data[i]), got = BitConverter.SingleToInt32Bits(actual.Data[i]);
            Assert.True(want == got, $"{what}, value {i}: reference {expected.Data[i]:R}, SIMD {actual.Data[i]:R}");
        }
    }
}
