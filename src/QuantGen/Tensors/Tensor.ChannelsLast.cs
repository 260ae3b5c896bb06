namespace QuantGen;

// Quantized images may be stored channels-last: eager int8 layers hand their outputs on in the order the SIMD kernels
// read, as the generated pass does, and PyTorch's order is made only when something asks for it.
public sealed partial class Tensor
{
    /// <summary>
    /// A quantized tensor's bytes: in PyTorch's order, or, for [N, C, H, W] (or a 1-D [N, C, L]) with several channels and
    /// pixels, channels-last (NHWC, NLC).
    /// Immutable and held by one reference, so a reader sees the bytes together with their order.
    /// </summary>
    private sealed class QuantizedBytes(byte[] values, bool channelsLast)
    {
        public byte[] Values { get; } = values;

        public bool ChannelsLast { get; } = channelsLast;
    }

    /// <summary>True when the quantized bytes are stored NHWC (<see cref="QuantizedData"/> still reads NCHW).</summary>
    internal bool IsChannelsLast => quantized is { ChannelsLast: true };

    /// <summary>The quantized bytes in the order they are stored (NHWC when <see cref="IsChannelsLast"/>): for element-wise kernels.</summary>
    internal byte[] QuantizedStorage => Stored.Values;

    /// <summary>
    /// The quantized bytes of an [N, C, H, W] (or [N, C, L]) tensor channels-last: the storage when it is kept so, else a transposed
    /// copy (the stored bytes when the two orders agree, or the tensor is not an image).
    /// </summary>
    internal byte[] QuantizedChannelsLast()
    {
        QuantizedBytes stored = Stored;
        if (stored.ChannelsLast || Rank < 3 || !Compiled.ChannelsLast.Differs(Size(1), PixelsPerChannel)) return stored.Values;
        var transposed = GC.AllocateUninitializedArray<byte>(stored.Values.Length);
        Compiled.ChannelsLast.ToChannelsLast(stored.Values, Size(1), PixelsPerChannel, transposed);
        return transposed;
    }

    private QuantizedBytes Stored => quantized ?? throw NotQuantized();

    /// <summary>
    /// A quint8 [N, C, H, W] (or [N, C, L]) tensor over <paramref name="values"/> channels-last (not copied); with one channel or one
    /// pixel that is PyTorch's order too, and it is stored as such.
    /// </summary>
    internal static Tensor FromChannelsLast(Shape shape, byte[] values, float scale, int zeroPoint)
    {
        var tensor = FromQuantized(shape, values, scale, zeroPoint);
        if (shape.Rank >= 3 && Compiled.ChannelsLast.Differs(shape[1], PixelsOf(shape))) tensor.quantized = new QuantizedBytes(values, channelsLast: true);
        return tensor;
    }

    /// <summary>A quantized tensor of <paramref name="source"/>'s shape and storage order over <paramref name="values"/>.</summary>
    internal static Tensor QuantizedLike(Tensor source, byte[] values, float scale, int zeroPoint) =>
        source.IsChannelsLast ? FromChannelsLast(source.Shape, values, scale, zeroPoint) : FromQuantized(source.Shape, values, scale, zeroPoint);

    /// <summary>
    /// Transposes NHWC storage to NCHW and keeps that from now on, so that writes through <see cref="QuantizedData"/>
    /// are the tensor's values, as they are for any other tensor.
    /// </summary>
    private byte[] ToChannelsFirstStorage(QuantizedBytes stored)
    {
        var values = GC.AllocateUninitializedArray<byte>(stored.Values.Length);
        Compiled.ChannelsLast.ToChannelsFirst(stored.Values, Size(1), PixelsPerChannel, values);
        quantized = new QuantizedBytes(values, channelsLast: false);
        return values;
    }

    /// <summary>The values of one channel of one sample in an [N, C, …] tensor: H·W of an image, L of a 1-D signal.</summary>
    internal int PixelsPerChannel => PixelsOf(Shape);

    private static int PixelsOf(Shape shape)
    {
        int pixels = 1;
        for (int d = 2; d < shape.Rank; d++) pixels *= shape[d];
        return pixels;
    }
}
