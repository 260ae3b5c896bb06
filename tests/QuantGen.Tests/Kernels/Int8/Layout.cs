namespace QuantGen.Tests.Kernels.Int8;

/// <summary>NCHW ↔ NHWC, so the channels-last kernels can be checked against the NCHW reference kernels.</summary>
public static class Layout
{
    public static byte[] ToNhwc(ReadOnlySpan<byte> nchw, int batch, int channels, int height, int width)
    {
        var nhwc = new byte[nchw.Length];
        int plane = height * width;
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < plane; p++) nhwc[(n * plane + p) * channels + c] = nchw[(n * channels + c) * plane + p];
            }
        }
        return nhwc;
    }

    public static byte[] ToNchw(ReadOnlySpan<byte> nhwc, int batch, int channels, int height, int width)
    {
        var nchw = new byte[nhwc.Length];
        int plane = height * width;
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int p = 0; p < plane; p++) nchw[(n * channels + c) * plane + p] = nhwc[(n * plane + p) * channels + c];
            }
        }
        return nchw;
    }

    /// <summary>Output buffers start as 0xA5 so that a byte the kernel forgot to write is unlikely to pass.</summary>
    public static byte[] Poisoned(int length)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, (byte)0xA5);
        return bytes;
    }

    /// <summary>Equal bytes, or a failure naming the case and the first differing output.</summary>
    public static void AssertSame(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int i = expected.CommonPrefixLength(actual);
        if (i < expected.Length)
        {
            Assert.Fail($"{what}: output {i} is {actual[i]}, the reference {expected[i]}.");
        }
    }
}
