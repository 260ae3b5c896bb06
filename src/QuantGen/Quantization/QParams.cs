using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace QuantGen.Quantization;

/// <summary>
/// Quantization parameters, per tensor (<see cref="Axis"/> = -1, one scale and zero point) or per channel
/// (one of each per slice along <see cref="Axis"/>): <c>q = clamp(round_half_even(x / s) + z, QuantMin, QuantMax)</c>.
/// Immutable; equal when every field and every array element is equal.
/// </summary>
/// <remarks>
/// The arrays are <see cref="ImmutableArray{T}"/> rather than <c>float[]</c> so that the record really is
/// immutable: a caller holding the array could otherwise change the parameters of a converted layer.
/// </remarks>
public sealed record QParams
{
    public QParams(ReadOnlySpan<float> scales, ReadOnlySpan<int> zeroPoints, int axis, QDType dtype, int quantMin, int quantMax)
    {
        if (scales.Length == 0 || scales.Length != zeroPoints.Length)
        {
            throw new ArgumentException($"QParams needs as many zero points as scales, at least one; got {scales.Length} scales and {zeroPoints.Length} zero points.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(axis, -1);
        if (axis == -1 && scales.Length != 1)
        {
            throw new ArgumentException($"Per-tensor QParams (axis -1) hold one scale; got {scales.Length}. Give the channel axis for per-channel parameters.");
        }
        if (quantMin >= quantMax || quantMin < dtype.MinValue() || quantMax > dtype.MaxValue())
        {
            throw new ArgumentException($"The range [{quantMin}, {quantMax}] is not a range of {dtype} ([{dtype.MinValue()}, {dtype.MaxValue()}]).");
        }
        for (int i = 0; i < scales.Length; i++)
        {
            if (!(scales[i] > 0) || !float.IsFinite(scales[i]))
            {
                throw new ArgumentException($"Scale {i} is {scales[i]}; scales must be positive and finite.");
            }
            if (zeroPoints[i] < quantMin || zeroPoints[i] > quantMax)
            {
                throw new ArgumentException($"Zero point {i} is {zeroPoints[i]}, outside the range [{quantMin}, {quantMax}].");
            }
        }
        Scales = [.. scales];
        ZeroPoints = [.. zeroPoints];
        Axis = axis;
        DType = dtype;
        QuantMin = quantMin;
        QuantMax = quantMax;
    }

    public static QParams PerTensor(float scale, int zeroPoint, QDType dtype, int quantMin, int quantMax) =>
        new([scale], [zeroPoint], -1, dtype, quantMin, quantMax);

    public static QParams PerChannel(ReadOnlySpan<float> scales, ReadOnlySpan<int> zeroPoints, int axis, QDType dtype, int quantMin, int quantMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        return new(scales, zeroPoints, axis, dtype, quantMin, quantMax);
    }

    public ImmutableArray<float> Scales { get; }

    public ImmutableArray<int> ZeroPoints { get; }

    /// <summary>The channel axis, or -1 for per-tensor parameters.</summary>
    public int Axis { get; }

    public QDType DType { get; }

    public int QuantMin { get; }

    public int QuantMax { get; }

    public bool IsPerChannel => Axis >= 0;

    /// <summary>The one scale of per-tensor parameters.</summary>
    /// <exception cref="InvalidOperationException">The parameters are per channel.</exception>
    public float Scale => IsPerChannel ? throw PerChannelError(nameof(Scale)) : Scales[0];

    /// <summary>The one zero point of per-tensor parameters.</summary>
    /// <exception cref="InvalidOperationException">The parameters are per channel.</exception>
    public int ZeroPoint => IsPerChannel ? throw PerChannelError(nameof(ZeroPoint)) : ZeroPoints[0];

    public bool Equals(QParams? other) =>
        other is not null
        && Axis == other.Axis && DType == other.DType && QuantMin == other.QuantMin && QuantMax == other.QuantMax
        && Scales.AsSpan().SequenceEqual(other.Scales.AsSpan())
        && ZeroPoints.AsSpan().SequenceEqual(other.ZeroPoints.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Axis);
        hash.Add(DType);
        hash.Add(QuantMin);
        hash.Add(QuantMax);
        foreach (float s in Scales) hash.Add(s);
        foreach (int z in ZeroPoints) hash.Add(z);
        return hash.ToHashCode();
    }

    private bool PrintMembers(StringBuilder text)
    {
        string Join<T>(ImmutableArray<T> values) where T : IFormattable =>
            string.Join(", ", values.Select(v => v.ToString(null, CultureInfo.InvariantCulture)));

        text.Append(IsPerChannel
            ? $"Axis = {Axis}, Scales = [{Join(Scales)}], ZeroPoints = [{Join(ZeroPoints)}]"
            : $"Scale = {Scales[0].ToString(CultureInfo.InvariantCulture)}, ZeroPoint = {ZeroPoints[0]}");
        text.Append($", DType = {DType}, QuantMin = {QuantMin}, QuantMax = {QuantMax}");
        return true;
    }

    private InvalidOperationException PerChannelError(string property) =>
        new($"These QParams are per channel ({Scales.Length} channels along axis {Axis}); {property} exists only for per-tensor " +
            $"parameters. Read {property}s[channel] instead.");
}
