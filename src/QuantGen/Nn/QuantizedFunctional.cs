using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Quantization;

namespace QuantGen.Nn;

/// <summary>
/// The functional ops that work on quantized tensors as they are, keeping the input's scale and zero point (as
/// PyTorch's quantized relu, max/avg pool and adaptive avg pool do): what lets these layers sit between int8
/// layers without an observer or a conversion of their own. Inputs stored channels-last are pooled by the generated
/// pass's kernels and stay so; others by the reference kernels, as with <see cref="EagerKernels.Reference"/>.
/// </summary>
internal static class QuantizedFunctional
{
    public static Tensor Clamp(Tensor input, float min, float max, bool inplace)
    {
        var q = input.QParams();
        byte lo = float.IsNegativeInfinity(min) ? byte.MinValue : Quantize.ToUInt8(min, q);
        byte hi = float.IsPositiveInfinity(max) ? byte.MaxValue : Quantize.ToUInt8(max, q);
        var source = input.QuantizedStorage;
        var values = inplace ? source : GC.AllocateUninitializedArray<byte>(source.Length);
        for (int i = 0; i < source.Length; i++) values[i] = Math.Clamp(source[i], lo, hi);
        return inplace ? input : Tensor.QuantizedLike(input, values, input.QuantScale, input.QuantZeroPoint);
    }

    /// <summary>Max pooling; <paramref name="geometry"/> slides over [N·C] planes, as the reference kernel takes it.</summary>
    public static Tensor MaxPool2d(Tensor input, in PoolGeometry geometry)
    {
        var values = GC.AllocateUninitializedArray<byte>(geometry.Planes * geometry.OutHeight * geometry.OutWidth);
        if (OnChannelsLast(input))
        {
            ChannelsLastPooling.Max(geometry with { Planes = input.Size(1) }, input.Size(0), input.QuantizedStorage, values);
            return ChannelsLast(input, geometry.OutHeight, geometry.OutWidth, values);
        }
        QMaxPool2d.Forward(geometry, input.QuantizedData, values);
        return Like(input, geometry.OutHeight, geometry.OutWidth, values);
    }

    /// <summary>Average pooling; <paramref name="geometry"/> slides over [N·C] planes, as the reference kernel takes it.</summary>
    public static Tensor AvgPool2d(Tensor input, in PoolGeometry geometry, bool countIncludePad)
    {
        var values = GC.AllocateUninitializedArray<byte>(geometry.Planes * geometry.OutHeight * geometry.OutWidth);
        if (OnChannelsLast(input))
        {
            ChannelsLastPooling.Average(geometry with { Planes = input.Size(1) }, countIncludePad, input.QParams(), input.Size(0), input.QuantizedStorage, values);
            return ChannelsLast(input, geometry.OutHeight, geometry.OutWidth, values);
        }
        QAvgPool2d.Forward(geometry, countIncludePad, input.QParams(), input.QuantizedData, values);
        return Like(input, geometry.OutHeight, geometry.OutWidth, values);
    }

    public static Tensor AdaptiveAvgPool2d(Tensor input, int outHeight, int outWidth)
    {
        int planes = input.Size(0) * input.Size(1);
        var values = GC.AllocateUninitializedArray<byte>(planes * outHeight * outWidth);
        if (OnChannelsLast(input))
        {
            ChannelsLastPooling.AdaptiveAverage(
                input.Size(1), input.Size(2), input.Size(3), outHeight, outWidth, input.QParams(), input.Size(0), input.QuantizedStorage, values);
            return ChannelsLast(input, outHeight, outWidth, values);
        }
        QAdaptiveAvgPool2d.Forward(planes, input.Size(2), input.Size(3), outHeight, outWidth, input.QParams(), input.QuantizedData, values);
        return Like(input, outHeight, outWidth, values);
    }

    private static bool OnChannelsLast(Tensor input) => input.IsChannelsLast && !EagerKernels.Reference;

    private static Tensor Like(Tensor input, int outHeight, int outWidth, byte[] values) =>
        Tensor.FromQuantized(new Shape(input.Size(0), input.Size(1), outHeight, outWidth), values, input.QuantScale, input.QuantZeroPoint);

    private static Tensor ChannelsLast(Tensor input, int outHeight, int outWidth, byte[] values) =>
        Tensor.FromChannelsLast(new Shape(input.Size(0), input.Size(1), outHeight, outWidth), values, input.QuantScale, input.QuantZeroPoint);
}
