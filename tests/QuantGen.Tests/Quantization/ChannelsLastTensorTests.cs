namespace QuantGen.Tests.Quantization;

/// <summary>
/// A quantized image stored channels-last is the same tensor to everything public: <see cref="Tensor.QuantizedData"/>
/// reads PyTorch's order, writes through it are the tensor's values, and views see PyTorch's order.
/// </summary>
public class ChannelsLastTensorTests
{
    private const int N = 2, C = 3, H = 2, W = 4;

    /// <summary>Byte (n, c, y, x) is 100n + 10c + 4y + x: every byte names its place.</summary>
    private static byte Value(int n, int c, int y, int x) => (byte)(100 * n + 10 * c + 4 * y + x);

    private static byte[] Order(bool channelsLast)
    {
        var values = new byte[N * C * H * W];
        int i = 0;
        for (int n = 0; n < N; n++)
        {
            if (channelsLast)
            {
                for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) for (int c = 0; c < C; c++) values[i++] = Value(n, c, y, x);
            }
            else
            {
                for (int c = 0; c < C; c++) for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) values[i++] = Value(n, c, y, x);
            }
        }
        return values;
    }

    private static Tensor StoredChannelsLast() => Tensor.FromChannelsLast(new Shape(N, C, H, W), Order(channelsLast: true), 0.5f, 3);

    [Fact]
    public void QuantizedData_reads_PyTorchs_order()
    {
        Tensor tensor = StoredChannelsLast();
        Assert.True(tensor.IsChannelsLast);
        Assert.Equal(Order(channelsLast: false), tensor.QuantizedData);
        Assert.Equal((0.5f, 3), (tensor.QuantScale, tensor.QuantZeroPoint));
    }

    [Fact]
    public void Writes_through_QuantizedData_are_what_the_kernels_read_next()
    {
        Tensor tensor = StoredChannelsLast();
        tensor.QuantizedData[1] = 250;   // (0, 0, 0, 1)

        Assert.Equal(250, tensor.QuantizedData[1]);
        Assert.Equal(250, tensor.QuantizedChannelsLast()[C]);   // pixel 1, channel 0
    }

    [Fact]
    public void Reshape_and_Clone_keep_the_values()
    {
        Tensor tensor = StoredChannelsLast();
        Tensor clone = tensor.Clone();
        Tensor flat = tensor.Reshape(N, C * H * W);

        Assert.Equal(Order(channelsLast: false), flat.QuantizedData);
        Assert.True(clone.IsChannelsLast);
        Assert.Equal(Order(channelsLast: false), clone.QuantizedData);
    }

    [Fact]
    public void A_tensor_in_PyTorchs_order_gives_its_bytes_channels_last_without_changing()
    {
        Tensor tensor = Tensor.FromQuantized(new Shape(N, C, H, W), Order(channelsLast: false), 0.5f, 3);

        Assert.Equal(Order(channelsLast: true), tensor.QuantizedChannelsLast());
        Assert.False(tensor.IsChannelsLast);
        Assert.Equal(Order(channelsLast: false), tensor.QuantizedData);
    }

    [Fact]
    public void One_channel_or_one_pixel_is_stored_in_PyTorchs_order_for_both_are_the_same()
    {
        Assert.False(Tensor.FromChannelsLast(new Shape(2, 1, 3, 3), new byte[18], 1f, 0).IsChannelsLast);
        Assert.False(Tensor.FromChannelsLast(new Shape(2, 9, 1, 1), new byte[18], 1f, 0).IsChannelsLast);
    }
}
