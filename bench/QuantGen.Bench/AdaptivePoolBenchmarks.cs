using BenchmarkDotNet.Attributes;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;

namespace QuantGen.Bench;

/// <summary>
/// MobileNetV2's global average pool at ImageNet size, one sample of 7×7×1280 quint8 NHWC → 1×1×1280: the kernel
/// (window pixels added a vector of channels at a time) against the channel-by-channel loop it replaced.
/// </summary>
[MemoryDiagnoser]
public class AdaptivePoolBenchmarks
{
    private const int Channels = 1280, Side = 7;
    private readonly ActivationQParams q = new(0.0235f, 0);
    private byte[] input = null!;
    private byte[] output = null!;

    [GlobalSetup]
    public void Setup()
    {
        input = new byte[Side * Side * Channels];
        new Random(5).NextBytes(input);
        output = new byte[Channels];
    }

    [Benchmark(Baseline = true, Description = "channel by channel (before)")]
    public void ChannelByChannel()
    {
        float multiplier = QAvgPool2d.QnnpackMultiplier(q.Scale, Side * Side);
        for (int ch = 0; ch < Channels; ch++)
        {
            int sum = 0;
            for (int p = 0; p < Side * Side; p++) sum += input[p * Channels + ch] - q.ZeroPoint;
            output[ch] = Requantize.ToUInt8(sum, multiplier, q.ZeroPoint, OutputRange.Full);
        }
    }

    [Benchmark(Description = "ChannelsLastPooling.AdaptiveAverage (vectors of channels)")]
    public void VectorsOfChannels() => ChannelsLastPooling.AdaptiveAverage(Channels, Side, Side, 1, 1, q, 1, input, output);
}
