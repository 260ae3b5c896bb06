using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using Xunit.Abstractions;

namespace QuantGen.Tests.Kernels.Int8;

/// <summary>
/// <see cref="GroupedInt8Conv2d"/> on every path equals <see cref="QConv2d"/>, bit for bit, on random grouped shapes
/// that <see cref="Int8Conv2d"/> does not take as one: several channels a group (2-D and 1 × k rows, as a grouped
/// Conv1d), depthwise with several outputs a channel, and depthwise windows past its taps.
/// </summary>
public sealed class GroupedInt8Conv2dTests(ITestOutputHelper output)
{
    [Theory]
    [Int8Path(Int8KernelPath.Scalar)]
    [Int8Path(Int8KernelPath.Vector128)]
    [Int8Path(Int8KernelPath.Avx2)]
    [Int8Path(Int8KernelPath.Avx512BW)]
    [Int8Path(Int8KernelPath.AvxVnni)]
    public void GroupedEqualsReference(Int8KernelPath path)
    {
        using var forced = Int8Paths.Force(path, output);
        var random = new Random(1414);
        foreach (Int8Regime regime in Enum.GetValues<Int8Regime>())
        {
            for (int i = 0; i < 12; i++)
            {
                int groups = random.Next(2, 5), kernel = random.Next(1, 6), stride = random.Next(1, 3), dilation = i % 4 == 3 ? 2 : 1;
                int pad = random.Next(0, kernel / 2 + 1), span = dilation * (kernel - 1) + 1;
                var (cin, cout) = (i % 3) switch
                {
                    0 => (groups * random.Next(2, 6), groups * random.Next(1, 7)),   // several channels a group
                    1 => (groups, groups * random.Next(2, 4)),                       // depthwise, several outputs a channel
                    _ => (groups * random.Next(2, 4), groups),                        // one output a group
                };
                bool row = i % 2 == 0;   // a Conv1d: one row, a 1 × k window
                var g = row
                    ? new ConvGeometry(random.Next(1, 3), cin, 1, random.Next(span, 20), cout, 1, kernel, 1, stride, 0, pad, 1, dilation, groups)
                    : new ConvGeometry(random.Next(1, 3), cin, random.Next(span, 9), random.Next(span, 9), cout, kernel, kernel, stride, stride, pad, pad, dilation, dilation, groups);
                Assert.True(GroupedInt8Conv2d.IsNeeded(g), $"{g} runs as one Int8Conv2d");
                Check(Int8Case.Create(random, regime, g.OutChannels, g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth, g.InputLength), g, path);
            }
        }
        // A depthwise window of more taps than the depthwise kernel holds (9 × 9 = 81 > 64).
        var large = new ConvGeometry(1, 3, 10, 10, 3, 9, 9, 1, 1, 4, 4, 1, 1, Groups: 3);
        Assert.True(GroupedInt8Conv2d.IsNeeded(large));
        Check(Int8Case.Create(random, Int8Regime.Typical, 3, 81, large.InputLength), large, path);
    }

    private void Check(Int8Case c, in ConvGeometry g, Int8KernelPath path)
    {
        var expected = new byte[g.OutputLength];
        QConv2d.Forward(g, c.Input, c.InputQ, c.Weight, c.WeightQ, c.Bias, c.OutputQ, c.Activation, expected);

        var layer = new GroupedInt8Conv2d(g, c.Weight, c.WeightQ, c.Bias, c.InputQ, c.OutputQ, c.Activation);
        var actual = Layout.Poisoned(g.OutputLength);
        layer.Fork().Forward(Layout.ToNhwc(c.Input, g.Batch, g.InChannels, g.InHeight, g.InWidth), actual, g.Batch);
        string what = $"{path}, grouped {layer.Algorithm} {MobileNetV2Shapes.Describe(g)} (groups {g.Groups}, batch {g.Batch}, pad {g.PadWidth}, dilation {g.DilationWidth}), {c.Description}";
        Layout.AssertSame(expected, Layout.ToNchw(actual, g.Batch, g.OutChannels, g.OutHeight, g.OutWidth), what);
    }
}
