using QuantGen.Kernels;

namespace QuantGen.Tests.Kernels;

/// <summary>Every convolution of MobileNetV2 (width 1.0) on a 1×28×28 input, in network order.</summary>
public static class MobileNetV2Shapes
{
    /// <summary>torchvision's inverted-residual table: expansion t, output channels c, repeats n, first stride s.</summary>
    private static readonly (int T, int C, int N, int S)[] Blocks =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    public static IReadOnlyList<ConvGeometry> Convolutions(int batch)
    {
        var layers = new List<ConvGeometry> { new(batch, 1, 28, 28, 32, 3, 3, 2, 2, 1, 1) };
        int channels = 32, size = 14;
        foreach (var (t, c, n, s) in Blocks)
        {
            for (int i = 0; i < n; i++)
            {
                int stride = i == 0 ? s : 1, hidden = channels * t;
                if (t != 1) layers.Add(Pointwise(batch, channels, hidden, size));
                layers.Add(new(batch, hidden, size, size, hidden, 3, 3, stride, stride, 1, 1, Groups: hidden));
                size = (size - 1) / stride + 1;
                layers.Add(Pointwise(batch, hidden, c, size));
                channels = c;
            }
        }
        layers.Add(Pointwise(batch, channels, 1280, size));
        return layers;
    }

    public static string Describe(ConvGeometry g) =>
        g.IsDepthwise ? $"dw{g.OutChannels} {g.KernelHeight}x{g.KernelWidth} s{g.StrideHeight} @{g.InHeight}x{g.InWidth}"
        : g.IsPointwise ? $"pw{g.InChannels}->{g.OutChannels} @{g.InHeight}x{g.InWidth}"
        : $"conv{g.InChannels}->{g.OutChannels} {g.KernelHeight}x{g.KernelWidth} s{g.StrideHeight} @{g.InHeight}x{g.InWidth}";

    private static ConvGeometry Pointwise(int batch, int inChannels, int outChannels, int size) =>
        new(batch, inChannels, size, size, outChannels, 1, 1);
}
