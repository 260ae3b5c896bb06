using System.Numerics;

namespace QuantGen.Kernels.Float;

/// <summary>Element-wise float kernels: clamp (ReLU, ReLU6), add, multiply (also by a per-plane gate or a scalar), per-channel scale and shift (eval batch norm).</summary>
public static class ElementwiseKernels
{
    /// <summary>min(max(x, lo), hi), written so that NaN passes through as PyTorch's clamp lets it.</summary>
    public static void Clamp(ReadOnlySpan<float> input, float min, float max, Span<float> output)
    {
        var lo = new Vector<float>(min);
        var hi = new Vector<float>(max);
        int i = 0;
        for (; i <= input.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var x = new Vector<float>(input[i..]);
            x = Vector.ConditionalSelect(Vector.LessThan(x, lo), lo, x);
            x = Vector.ConditionalSelect(Vector.GreaterThan(x, hi), hi, x);
            x.CopyTo(output[i..]);
        }
        for (; i < input.Length; i++)
        {
            float x = input[i];
            output[i] = x < min ? min : x > max ? max : x;
        }
    }

    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        int i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            (new Vector<float>(a[i..]) + new Vector<float>(b[i..])).CopyTo(output[i..]);
        }
        for (; i < a.Length; i++) output[i] = a[i] + b[i];
    }

    public static void Mul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        int i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            (new Vector<float>(a[i..]) * new Vector<float>(b[i..])).CopyTo(output[i..]);
        }
        for (; i < a.Length; i++) output[i] = a[i] * b[i];
    }

    /// <summary>x·scale + shift with one scale and shift: exactly x + shift when scale is 1, x·scale when shift is 0.</summary>
    public static void ScaleShift(ReadOnlySpan<float> input, float scale, float shift, Span<float> output)
    {
        var vs = new Vector<float>(scale);
        var vt = new Vector<float>(shift);
        int i = 0;
        for (; i <= input.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            (new Vector<float>(input[i..]) * vs + vt).CopyTo(output[i..]);
        }
        for (; i < input.Length; i++) output[i] = input[i] * scale + shift;
    }

    /// <summary>Each plane of <paramref name="input"/> times its own gate value: output[p, i] = input[p, i]·gate[p] (a [C, 1, 1] gate over NCHW).</summary>
    public static void MulPlanes(ReadOnlySpan<float> input, ReadOnlySpan<float> gate, int plane, Span<float> output)
    {
        for (int p = 0, start = 0; p < gate.Length; p++, start += plane)
        {
            ScaleShift(input.Slice(start, plane), gate[p], 0f, output.Slice(start, plane));
        }
    }

    /// <summary>output[n, c, p] = input[n, c, p]·scale[c] + shift[c] over NC(plane) data.</summary>
    public static void ScaleShiftChannels(
        ReadOnlySpan<float> input, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, int batch, int channels, int plane, Span<float> output)
    {
        int width = Vector<float>.Count;
        for (int n = 0, start = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++, start += plane)
            {
                float s = scale[c], t = shift[c];
                int i = 0;
                // Late layers have 1×1 or 2×2 planes: no vector set-up per channel there.
                if (plane >= width)
                {
                    var vs = new Vector<float>(s);
                    var vt = new Vector<float>(t);
                    for (; i <= plane - width; i += width)
                    {
                        Vector.FusedMultiplyAdd(new Vector<float>(input[(start + i)..]), vs, vt).CopyTo(output[(start + i)..]);
                    }
                }
                for (; i < plane; i++) output[start + i] = MathF.FusedMultiplyAdd(input[start + i], s, t);
            }
        }
    }
}
