namespace QuantGen.Kernels.Reference;

/// <summary>
/// How qint8 weights map to real numbers: <c>w ≈ scale·(q − zeroPoint)</c>, q in [−128, 127], either one pair for
/// the whole tensor or one pair per output channel (axis 0 of the weight, PyTorch's per-channel layout).
/// Symmetric weights have zero point 0; affine ones any value in [−128, 127].
/// </summary>
public sealed class WeightQParams
{
    private readonly float[] scales;
    private readonly int[] zeroPoints;

    private WeightQParams(float[] scales, int[] zeroPoints, bool perChannel)
    {
        for (int i = 0; i < scales.Length; i++)
        {
            if (!float.IsNormal(scales[i]) || scales[i] <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(scales), scales[i], $"Weight scale {i} must be a positive, finite, normal float.");
            }
            if (zeroPoints[i] is < sbyte.MinValue or > sbyte.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(zeroPoints), zeroPoints[i], $"Weight zero point {i} must lie in [-128, 127].");
            }
        }
        this.scales = scales;
        this.zeroPoints = zeroPoints;
        IsPerChannel = perChannel;
    }

    /// <summary>One scale and zero point for every output channel.</summary>
    public static WeightQParams PerTensor(float scale, int zeroPoint = 0) => new([scale], [zeroPoint], perChannel: false);

    /// <summary>One scale and zero point per output channel; symmetric (all zero points 0) when <paramref name="zeroPoints"/> is empty.</summary>
    public static WeightQParams PerChannel(ReadOnlySpan<float> scales, ReadOnlySpan<int> zeroPoints = default)
    {
        if (scales.IsEmpty)
        {
            throw new ArgumentException("Per-channel weights need at least one scale.", nameof(scales));
        }
        if (!zeroPoints.IsEmpty && zeroPoints.Length != scales.Length)
        {
            throw new ArgumentException($"{scales.Length} scales but {zeroPoints.Length} zero points.", nameof(zeroPoints));
        }
        return new(scales.ToArray(), zeroPoints.IsEmpty ? new int[scales.Length] : zeroPoints.ToArray(), perChannel: true);
    }

    public bool IsPerChannel { get; }

    /// <summary>1 for per-tensor parameters, else the number of output channels they describe.</summary>
    public int Count => scales.Length;

    public float Scale(int outputChannel) => scales[IsPerChannel ? outputChannel : 0];

    public int ZeroPoint(int outputChannel) => zeroPoints[IsPerChannel ? outputChannel : 0];

    /// <summary>Throws unless these parameters describe a weight with <paramref name="outputChannels"/> output channels.</summary>
    internal void CheckChannels(int outputChannels, string op)
    {
        if (IsPerChannel && scales.Length != outputChannels)
        {
            throw new ShapeMismatchException($"{op}: the weight has {outputChannels} output channels but {scales.Length} per-channel scales.");
        }
    }
}
