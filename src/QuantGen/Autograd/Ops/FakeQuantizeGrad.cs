using QuantGen.Kernels.Reference;
using QuantGen.Quantization;

namespace QuantGen.Autograd;

/// <summary>
/// Fake quantization, x → s·(clamp(round_half_even(x/s) + z, qmin, qmax) − z), per tensor or per channel along
/// axis 0, with the rounding of <c>Kernels/Reference</c>. Its gradient is PyTorch's straight-through estimator
/// with the clamp mask: dy where round(x/s) + z lies in [qmin, qmax], 0 where the value was clamped.
/// </summary>
internal static class FakeQuantizeGrad
{
    public static Tensor Apply(Tensor input, QParams qparams)
    {
        int channels = qparams.Scales.Length;
        int perChannel = channels == 1 ? input.Length : input.Length / channels;
        if (channels > 1 && (qparams.Axis != 0 || input.Rank == 0 || input.Size(0) != channels))
        {
            throw new ShapeMismatchException($"Per-channel fake quantization along axis {qparams.Axis} with {channels} channels cannot apply to {input}; QuantGen quantizes weights along axis 0.");
        }
        var output = Tensor.Uninitialized(input.Shape);
        bool record = GradMode.Records(input);
        var inRange = record ? new bool[input.Length] : null;
        var x = input.Data;
        var y = output.Data;
        for (int c = 0; c < channels; c++)
        {
            float scale = qparams.Scales[c];
            int zeroPoint = qparams.ZeroPoints[c];
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++)
            {
                // Unclamped, to tell the straight-through values from the clamped ones; then clamped as the reference does.
                long q = Quantize.ToInteger(x[i], scale, zeroPoint, long.MinValue, long.MaxValue);
                if (inRange is not null) inRange[i] = q >= qparams.QuantMin && q <= qparams.QuantMax && !float.IsNaN(x[i]);
                long clamped = Math.Clamp(q, qparams.QuantMin, qparams.QuantMax);
                y[i] = scale * (clamped - zeroPoint);
            }
        }
        if (inRange is null) return output;
        return GradNode.Record(output, "FakeQuantize", [input], (dy, inputs) =>
        {
            var dx = inputs.For(0);
            for (int i = 0; i < dx.Length; i++)
            {
                if (inRange[i]) dx[i] += dy[i];
            }
        });
    }
}
