namespace QuantGen.Tests.Kernels.Reference;

/// <summary>
/// What the reference kernels must produce, computed the plain way: in double, from exact integer accumulators.
/// Each rule is evaluated twice, exactly in double and with the float32 steps the kernels document; they must agree
/// except where float32 rounding carries a value lying a few ulps from a halfway point across it. Only there does
/// the expectation follow float32, because those steps are PyTorch's and so are QuantGen's definition.
/// </summary>
internal static class Expected
{
    /// <summary>
    /// <c>clamp(zeroPoint + round_half_even(accumulator · multiplier), min, max)</c>; float32 means the accumulator
    /// converted to float and one rounded float product.
    /// </summary>
    public static int Requantized(long accumulator, float multiplier, int zeroPoint, int min, int max)
    {
        Assert.InRange(accumulator, int.MinValue, int.MaxValue);
        double exact = accumulator * (double)multiplier;
        float inFloat = (float)(int)accumulator * multiplier;
        return Agreed(exact, inFloat, zeroPoint, min, max, relativeError: 2 * FloatEpsilon);
    }

    /// <summary>
    /// <c>clamp(zeroPoint + round_half_even(x · (1/scale)), qmin, qmax)</c> with the reciprocal in float32 (part of the
    /// definition); float32 means one rounded float product.
    /// </summary>
    public static int Quantized(float x, float scale, int zeroPoint, int qmin, int qmax)
    {
        float inverse = 1f / scale;
        double exact = (double)x * inverse;
        return Agreed(exact, x * inverse, zeroPoint, qmin, qmax, relativeError: FloatEpsilon);
    }

    /// <summary>Round half to even, as a double; the test's own spelling, independent of the kernels'.</summary>
    public static double RoundHalfEven(double value)
    {
        double floor = Math.Floor(value), fraction = value - floor;
        if (fraction > 0.5) return floor + 1;
        if (fraction < 0.5) return floor;
        return floor % 2 == 0 ? floor : floor + 1;
    }

    /// <summary>Relative rounding error of one float32 operation.</summary>
    public const double FloatEpsilon = 1.0 / (1 << 24);

    private static int Agreed(double exact, float inFloat, int zeroPoint, int min, int max, double relativeError)
    {
        int fromDouble = Clamp(exact, zeroPoint, min, max);
        int fromFloat = Clamp(inFloat, zeroPoint, min, max);
        if (fromDouble == fromFloat) return fromDouble;
        // They straddle a halfway point: allowed only when float32 rounding alone separates them.
        Assert.True(Math.Abs(inFloat - exact) <= relativeError * Math.Abs(exact) + 1e-30,
            $"double {exact:R} and float32 {inFloat:R} disagree by more than float32 rounding");
        return fromFloat;
    }

    private static int Clamp(double value, int zeroPoint, int min, int max)
    {
        double q = zeroPoint + RoundHalfEven(value);
        return q < min ? min : q > max ? max : (int)q;
    }
}
