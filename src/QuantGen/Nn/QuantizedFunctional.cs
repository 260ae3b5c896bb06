using QuantGen.Kernels;
using QuantGen.Kernels.Reference;
using QuantGen.Quantization;

namespace QuantGen.Nn;

/// <summary>
/// The functional ops that work on quantized tensors as they are, keeping the input's scale and zero point (as
/// PyTorch's quantized relu, max/avg pool and adaptive avg pool do): what lets these layers sit between int8
/// layers without an observer or a conversion of their own.
/// </summary>
internal static class QuantizedFunctional
{
    public static Tensor Clamp(Tensor input, float min, float max, bool inplace)
    {
        var q = input.QParams();
        byte lo = float.IsNegativeInfinity(min) ? byte.MinValue : Quantize.ToUInt8(min, q);
        byte hi = float.IsPositiveInfinity(max) ? byte.MaxValue : Quantize.ToUInt8(max, q);
        var source = input.QuantizedData;
        var values = inplace ? source : new byte[source.Length];
        for (int i = 0; i < source.Length; i++) values[i] = Math.Clamp(source[i], lo, hi);
        return inplace ? input : Like(input, input.Shape, values);
    }

    public static Tensor MaxPool2d(Tensor input, in PoolGeometry geometry)
    {
        var values = new byte[(long)geometry.Planes * geometry.OutHeight * geometry.OutWidth];
        QMaxPool2d.Forward(geometry, input.QuantizedData, values);
        return Like(input, new Shape(input.Size(0), input.Size(1), geometry.OutHeight, geometry.OutWidth), values);
    }

    public static Tensor AvgPool2d(Tensor input, in PoolGeometry geometry, bool countIncludePad)
    {
        var values = new byte[(long)geometry.Planes * geometry.OutHeight * geometry.OutWidth];
        QAvgPool2d.Forward(geometry, countIncludePad, input.QParams(), input.QuantizedData, values);
        return Like(input, new Shape(input.Size(0), input.Size(1), geometry.OutHeight, geometry.OutWidth), values);
    }

    public static Tensor AdaptiveAvgPool2d(Tensor input, int outHeight, int outWidth)
    {
        int planes = input.Size(0) * input.Size(1);
        var values = new byte[planes * outHeight * outWidth];
        QAdaptiveAvgPool2d.Forward(planes, input.Size(2), input.Size(3), outHeight, outWidth, input.QParams(), input.QuantizedData, values);
        return Like(input, new Shape(input.Size(0), input.Size(1), outHeight, outWidth), values);
    }

    private static Tensor Like(Tensor input, Shape shape, byte[] values) =>
        Tensor.FromQuantized(shape, values, input.QuantScale, input.QuantZeroPoint);
}
