namespace QuantGen.Quantization;

/// <summary>
/// The integers [<see cref="Min"/>, <see cref="Max"/>] that quantized values may take, and whether the user
/// chose them (<see cref="IsCustom"/>, PyTorch's <c>has_customized_qrange</c>): symmetric quint8 puts its zero
/// point at 128 for the default range but at the middle of a custom one.
/// </summary>
public readonly record struct QuantRange(int Min, int Max, bool IsCustom)
{
    /// <summary>
    /// The range an observer uses, as PyTorch's <c>calculate_qmin_qmax</c>: the dtype's full range, or
    /// <paramref name="quantMin"/>..<paramref name="quantMax"/> when both are given; <paramref name="reduceRange"/>
    /// then drops one bit (quint8 [0, 127], qint8 [-64, 63], a custom range floor-halved at both ends).
    /// </summary>
    /// <remarks>
    /// Stricter than PyTorch, which silently ignores one bound given alone and checks a custom quint8 range
    /// against nothing: here a lone bound, or a range outside the dtype, is an error.
    /// </remarks>
    public static QuantRange For(QDType dtype, bool reduceRange = false, int? quantMin = null, int? quantMax = null)
    {
        if (quantMin.HasValue != quantMax.HasValue)
        {
            throw new ArgumentException(
                $"Give both quant_min and quant_max, or neither (got quant_min={Show(quantMin)}, quant_max={Show(quantMax)}).");
        }
        if (quantMin is not int min || quantMax is not int max)
        {
            return (dtype, reduceRange) switch
            {
                (QDType.QUInt8, false) => new(0, 255, false),
                (QDType.QUInt8, true) => new(0, 127, false),
                (QDType.QInt8, false) => new(-128, 127, false),
                (QDType.QInt8, true) => new(-64, 63, false),
                _ => throw QDTypeExtensions.Unknown(dtype),
            };
        }

        if (!(min <= 0 && 0 <= max) || min >= max)
        {
            throw new ArgumentException($"A custom quantization range must contain 0 and have quant_min < quant_max; got [{min}, {max}].");
        }
        if (min < dtype.MinValue() || max > dtype.MaxValue())
        {
            throw new ArgumentException(
                $"The custom range [{min}, {max}] does not fit {dtype} ([{dtype.MinValue()}, {dtype.MaxValue()}]).");
        }
        return reduceRange
            ? new(FloorHalf(min), FloorHalf(max), true)
            : new(min, max, true);
    }

    /// <summary>Python's <c>x // 2</c>: rounds toward negative infinity, so -127 becomes -64.</summary>
    private static int FloorHalf(int value) => value >> 1;

    private static string Show(int? value) => value?.ToString() ?? "None";
}
