namespace QuantGen.Kernels.Reference;

/// <summary>
/// PyTorch 1.13's <c>quantized::add_scalar</c> and <c>quantized::mul_scalar</c> (<c>BinaryOps.cpp</c>, <c>qmul.cpp</c>):
/// they choose the output's qparams from the input's and the scalar (no observer), so each is a function of the input
/// byte alone — a 256-entry table — with output qparams known before it runs.
/// </summary>
/// <remarks>Pure functions of their arguments: safe to call from any number of threads.</remarks>
public static class QScalar
{
    /// <summary>
    /// x + c: with <c>c_q = round_half_even(c / s)</c> in double, the zero point moves to <c>z − c_q</c> and the bytes
    /// stay when that lies in [0, 255]; otherwise the scale widens so that <c>z − c_q</c> maps to 0 (or 255) and each
    /// byte is requantized as PyTorch's <c>qadd_scalar_kernel</c> does: <c>(q − z + c_q)·M</c> rounded half to even,
    /// <c>M = s · (1/s′)</c> in float32.
    /// </summary>
    public static (byte[] Table, ActivationQParams Output) Add(ActivationQParams input, double scalar)
    {
        input.Validate(nameof(input));
        double s = input.Scale;
        long z = input.ZeroPoint, cq = (long)Math.Round(scalar / s, MidpointRounding.ToEven), shifted = z - cq;
        var table = new byte[QLookup.Entries];
        if (shifted is >= byte.MinValue and <= byte.MaxValue)
        {
            for (int q = 0; q < table.Length; q++) table[q] = (byte)q;
            return (table, new ActivationQParams(input.Scale, (int)shifted));
        }
        double scale = shifted < byte.MinValue ? (byte.MaxValue - shifted) / 255.0 * s : shifted / 255.0 * s;
        int zeroPoint = shifted < byte.MinValue ? byte.MinValue : byte.MaxValue;
        var output = new ActivationQParams((float)scale, zeroPoint);
        float multiplier = input.Scale * (1f / output.Scale);
        for (int q = 0; q < table.Length; q++)
        {
            float rounded = MathF.Round((q - z + cq) * multiplier, MidpointRounding.ToEven);
            table[q] = (byte)(Math.Clamp(rounded, -zeroPoint, 255 - zeroPoint) + zeroPoint);
        }
        return (table, output);
    }

    /// <summary>
    /// x · c: for c &gt; 0 the scale becomes <c>c·s</c> (in double) and the bytes stay; for c = 0 every byte is 0 at
    /// scale 1, zero point 0; for c &lt; 0 the scale becomes <c>|c|·s</c>, the zero point <c>255 − z</c> and each byte
    /// <c>255 − q</c>.
    /// </summary>
    public static (byte[] Table, ActivationQParams Output) Mul(ActivationQParams input, double scalar)
    {
        input.Validate(nameof(input));
        var table = new byte[QLookup.Entries];
        if (scalar == 0) return (table, new ActivationQParams(1f, 0));
        for (int q = 0; q < table.Length; q++) table[q] = (byte)(scalar > 0 ? q : 255 - q);
        var output = new ActivationQParams((float)(Math.Abs(scalar) * input.Scale), scalar > 0 ? input.ZeroPoint : 255 - input.ZeroPoint);
        return (table, output);
    }
}
