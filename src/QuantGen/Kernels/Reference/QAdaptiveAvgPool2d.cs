namespace QuantGen.Kernels.Reference;

/// <summary>
/// Adaptive average pooling over quint8 NCHW planes to a fixed output size, with PyTorch 1.13's numerics on the
/// qnnpack engine; the output keeps the input's qparams. Output cell (i, j) averages rows
/// [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉) and columns [⌊j·W/OW⌋, ⌈(j+1)·W/OW⌉), as
/// <code>y = z + round_half_even((float)Σ(x − z) · m)</code>  clamped to [0, 255], where
/// <list type="bullet">
/// <item>when the output divides the input evenly (and is not the same size), PyTorch runs qnnpack's average pooling
/// with kernel = stride = input/output (<c>qnnpack_adaptive_avg_pool2d</c>), so <c>m = s / (s · k)</c> in float32 as
/// in <see cref="QAvgPool2d"/>, k the bin area; global pooling (1×1 output) is this case;</item>
/// <item>otherwise it runs ATen's generic kernel, <c>m = (float)(1.0 / k)</c> for each bin's own area k (its
/// channels-last form; see <see cref="QAvgPool2d"/> on the NCHW form's ties).</item>
/// </list>
/// </summary>
public static class QAdaptiveAvgPool2d
{
    public static void Forward(
        int planes, int inHeight, int inWidth, int outHeight, int outWidth, ActivationQParams q, ReadOnlySpan<byte> input, Span<byte> output)
    {
        const string op = "QAdaptiveAvgPool2d";
        ArgumentOutOfRangeException.ThrowIfNegative(planes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outWidth);
        q.Validate(nameof(q));
        int inPlane = inHeight * inWidth;
        ReferenceChecks.Length(input.Length, (long)planes * inPlane, nameof(input), op, $"[{planes}, {inHeight}, {inWidth}]");
        ReferenceChecks.Length(output.Length, (long)planes * outHeight * outWidth, nameof(output), op, $"[{planes}, {outHeight}, {outWidth}]");

        bool viaQnnpack = inHeight % outHeight == 0 && inWidth % outWidth == 0 && (inHeight != outHeight || inWidth != outWidth);
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<byte> plane = input.Slice(p * inPlane, inPlane);
            for (int i = 0; i < outHeight; i++)
            {
                int top = i * inHeight / outHeight, bottom = ((i + 1) * inHeight + outHeight - 1) / outHeight;
                for (int j = 0; j < outWidth; j++)
                {
                    int left = j * inWidth / outWidth, right = ((j + 1) * inWidth + outWidth - 1) / outWidth;
                    var window = new PlaneWindow(top, bottom, left, right);
                    float multiplier = viaQnnpack ? QAvgPool2d.QnnpackMultiplier(q.Scale, window.Count) : (float)(1.0 / window.Count);
                    int accumulator = window.SumMinusZeroPoint(plane, inWidth, q.ZeroPoint);
                    output[(p * outHeight + i) * outWidth + j] = Requantize.ToUInt8(accumulator, multiplier, q.ZeroPoint, OutputRange.Full);
                }
            }
        }
    }
}
