using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>The channels-last adaptive average pool equals <see cref="QAdaptiveAvgPool2d"/> on the NCHW transpose, bit for bit.</summary>
public sealed class ChannelsLastPoolingTests
{
    [Theory]
    [InlineData(1, 1, 1, 1, 37)]     // one-pixel windows: the copy path
    [InlineData(3, 2, 3, 2, 37)]     // a vector of channels and a tail
    [InlineData(4, 4, 1, 1, 37)]     // the qnnpack multiplier path
    [InlineData(5, 3, 2, 2, 37)]     // overlapping windows
    [InlineData(7, 7, 1, 1, 1280)]   // MobileNetV2 at 224×224: 49 pixels of 1280 channels
    [InlineData(3, 3, 1, 1, 2085)]   // more channels than one chunk of sums
    [InlineData(4, 4, 2, 2, 5)]      // fewer channels than a vector
    [InlineData(16, 16, 1, 1, 40)]   // 256 pixels: a window summed in uint16 lanes
    [InlineData(17, 17, 1, 1, 40)]   // 289 pixels: more than uint16 sums of bytes hold, summed in int32
    public void AdaptiveAverageEqualsReference(int inHeight, int inWidth, int outHeight, int outWidth, int channels)
    {
        const int batch = 3;
        var random = new Random(4107 + inHeight * 10 + outHeight);
        foreach (int zeroPoint in new[] { 0, 97, 255 })
        {
            var q = new ActivationQParams(0.04f, zeroPoint);
            var nchw = new byte[batch * channels * inHeight * inWidth];
            random.NextBytes(nchw);
            var expected = new byte[batch * channels * outHeight * outWidth];
            QAdaptiveAvgPool2d.Forward(batch * channels, inHeight, inWidth, outHeight, outWidth, q, nchw, expected);

            byte[] actual = Layout.Poisoned(expected.Length);
            ChannelsLastPooling.AdaptiveAverage(channels, inHeight, inWidth, outHeight, outWidth, q, batch,
                Layout.ToNhwc(nchw, batch, channels, inHeight, inWidth), actual);
            Assert.Equal(expected, Layout.ToNchw(actual, batch, channels, outHeight, outWidth));
        }
    }

    /// <summary>Every byte 255 over the widest window whose sums fit uint16 lanes (257 · 255 = 65,535), and one pixel more.</summary>
    [Theory]
    [InlineData(257)]
    [InlineData(258)]
    public void AdaptiveAverageOfTheLargestBytesEqualsReference(int pixels)
    {
        const int channels = 64;
        var q = new ActivationQParams(0.5f, 3);
        var nchw = new byte[channels * pixels];
        Array.Fill(nchw, byte.MaxValue);
        var expected = new byte[channels];
        QAdaptiveAvgPool2d.Forward(channels, pixels, 1, 1, 1, q, nchw, expected);
        Assert.All(expected, value => Assert.Equal(byte.MaxValue, value));

        byte[] actual = Layout.Poisoned(channels);
        ChannelsLastPooling.AdaptiveAverage(channels, pixels, 1, 1, 1, q, 1, Layout.ToNhwc(nchw, 1, channels, pixels, 1), actual);
        Assert.Equal(expected, actual);
    }
}
