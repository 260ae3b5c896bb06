using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <see cref="QUpsample2d"/> over channels-last (NHWC) samples (<see cref="UpsampleGeometry.Planes"/> is the channel
/// count): nearest copies each source pixel's channels; bilinear computes each channel as the reference does, eight
/// channels a step on AVX2 with FMA (the same fused operations, so the same bytes). Immutable: safe to share.
/// </summary>
internal sealed class ChannelsLastUpsample
{
    private readonly UpsampleGeometry geometry;
    private readonly (int Index, int Step, float Lambda0, float Lambda1)[] rows, columns;
    private readonly bool vector;

    /// <summary><paramref name="vector"/>: whether bilinear mode may take the AVX2+FMA path (tests force it off to compare).</summary>
    public ChannelsLastUpsample(in UpsampleGeometry geometry, bool vector = true)
    {
        this.geometry = geometry;
        (rows, columns) = Float.UpsampleKernels.Sources(geometry);
        this.vector = vector && Avx2.IsSupported && Fma.IsSupported;
    }

    public bool Vectorized => vector;

    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch, int zeroPoint)
    {
        var g = geometry;
        int channels = g.Planes, inLength = g.InHeight * g.InWidth * channels, outLength = g.OutHeight * g.OutWidth * channels;
        Int8Checks.Length(input.Length, (long)batch * inLength, nameof(input), "ChannelsLastUpsample", $"[{batch}, {g.InHeight}, {g.InWidth}, {channels}]");
        Int8Checks.Length(output.Length, (long)batch * outLength, nameof(output), "ChannelsLastUpsample", $"[{batch}, {g.OutHeight}, {g.OutWidth}, {channels}]");
        for (int n = 0; n < batch; n++)
        {
            var image = input.Slice(n * inLength, inLength);
            var result = output.Slice(n * outLength, outLength);
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                var r = rows[oy];
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    var c = columns[ox];
                    var pixel = result.Slice((oy * g.OutWidth + ox) * channels, channels);
                    int top = (r.Index * g.InWidth + c.Index) * channels;
                    if (g.Mode == UpsampleMode.Nearest)
                    {
                        image.Slice(top, channels).CopyTo(pixel);
                        continue;
                    }
                    int bottom = top + r.Step * g.InWidth * channels, right = c.Step * channels;
                    var p00 = image.Slice(top, channels);
                    var p01 = image.Slice(top + right, channels);
                    var p10 = image.Slice(bottom, channels);
                    var p11 = image.Slice(bottom + right, channels);
                    int k = vector ? BilinearAvx2(p00, p01, p10, p11, r, c, zeroPoint, pixel) : 0;
                    for (; k < channels; k++)
                    {
                        pixel[k] = QUpsample2d.Bilinear(p00[k], p01[k], p10[k], p11[k], r.Lambda0, r.Lambda1, c.Lambda0, c.Lambda1, zeroPoint);
                    }
                }
            }
        }
    }

    /// <summary>Eight channels a step; returns how many it wrote.</summary>
    private static int BilinearAvx2(
        ReadOnlySpan<byte> p00, ReadOnlySpan<byte> p01, ReadOnlySpan<byte> p10, ReadOnlySpan<byte> p11,
        (int Index, int Step, float Lambda0, float Lambda1) r, (int Index, int Step, float Lambda0, float Lambda1) c, int zeroPoint, Span<byte> pixel)
    {
        var h0 = Vector256.Create(r.Lambda0);
        var h1 = Vector256.Create(r.Lambda1);
        var w0 = Vector256.Create(c.Lambda0);
        var w1 = Vector256.Create(c.Lambda1);
        var zero = Vector256.Create((float)zeroPoint);
        var zeroInt = Vector256.Create(zeroPoint);
        int k = 0;
        for (; k + 8 <= pixel.Length; k += 8)
        {
            var top = Fma.MultiplyAdd(w1, Load(p01, k), Avx.Multiply(w0, Load(p00, k)));
            var bottom = Fma.MultiplyAdd(w1, Load(p11, k), Avx.Multiply(w0, Load(p10, k)));
            var result = Avx.Subtract(Fma.MultiplyAdd(h1, bottom, Avx.Multiply(h0, top)), zero);
            var rounded = Avx.ConvertToVector256Int32(Avx.RoundToNearestInteger(result));
            var bytes = Avx2.Max(Avx2.Min(Avx2.Add(rounded, zeroInt), Vector256.Create(255)), Vector256<int>.Zero);
            for (int i = 0; i < 8; i++) pixel[k + i] = (byte)bytes.GetElement(i);
        }
        return k;
    }

    private static Vector256<float> Load(ReadOnlySpan<byte> bytes, int offset) =>
        Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Vector128.CreateScalarUnsafe(MemoryMarshal.Read<ulong>(bytes.Slice(offset, 8))).AsByte()));
}
