using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Float;

/// <summary>
/// Depthwise convolution one channel plane at a time, NCHW as it comes, vectorised along output rows: for images
/// wide enough to fill a vector row (MobileNetV2's 14×14 and 7×7). Each input plane is first copied into a
/// zero-bordered scratch plane so no tap needs a bounds check; for stride s the copy splits every row into s
/// column phases, which makes the taps of a strided convolution contiguous loads. 3×3 with stride 1 or 2 has
/// its own kernel with the nine weights held in registers; every other shape takes the general one.
/// </summary>
internal static unsafe class DepthwisePlanes
{
    /// <summary>The padded, phase-split copy of one input plane.</summary>
    private readonly struct Plane(ConvGeometry g, int slack)
    {
        public readonly int Rows = g.InHeight + 2 * g.PadHeight;

        /// <summary>Floats per column phase of a row: ⌈padded width / stride⌉.</summary>
        public readonly int PhaseLength = (g.InWidth + 2 * g.PadWidth + g.StrideWidth - 1) / g.StrideWidth;

        public int RowLength => PhaseLength * g.StrideWidth;

        /// <summary>Room for the plane plus a vector of over-read past its end (those lanes are never stored).</summary>
        public long Floats => (long)Rows * RowLength + slack;

        /// <summary>Where tap (ky, kx) of output (0, 0) is, relative to the plane's start.</summary>
        public int TapOffset(int ky, int kx)
        {
            int dx = kx * g.DilationWidth;
            return ky * g.DilationHeight * RowLength + dx % g.StrideWidth * PhaseLength + dx / g.StrideWidth;
        }
    }

    public static long ScratchFloats(in ConvGeometry g) => new Plane(g, Panels.Width).Floats;

    [SkipLocalsInit]
    public static void Run<TPath, TVector>(ConvGeometry g, float* input, float* weight, float* bias, float* output, float* scratch)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        var plane = new Plane(g, TPath.Count);
        int* offsets = stackalloc int[g.KernelHeight * g.KernelWidth];
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            for (int kx = 0; kx < g.KernelWidth; kx++) offsets[ky * g.KernelWidth + kx] = plane.TapOffset(ky, kx);
        }
        float* spare = stackalloc float[Vector512<float>.Count];
        var rows = new OutputRows(g, output, spare);
        new Span<float>(scratch, (int)plane.Floats).Clear(); // the border stays zero: each channel rewrites only the interior
        int multiplier = g.OutChannels / g.InChannels;
        int taps = g.KernelHeight * g.KernelWidth;
        long inPixels = (long)g.InHeight * g.InWidth, outPixels = (long)g.OutHeight * g.OutWidth;
        bool is3x3 = g.KernelHeight == 3 && g.KernelWidth == 3 && g.DilationHeight == 1 && g.DilationWidth == 1 && g.StrideHeight == g.StrideWidth;
        for (int image = 0; image < g.Batch; image++)
        {
            for (int channel = 0; channel < g.InChannels; channel++)
            {
                CopyIntoPlane(g, plane, input + (image * g.InChannels + channel) * inPixels, scratch);
                for (int copy = 0; copy < multiplier; copy++)
                {
                    int outChannel = channel * multiplier + copy;
                    float* target = output + (image * g.OutChannels + outChannel) * outPixels;
                    float start = bias == null ? 0f : bias[outChannel];
                    float* w = weight + outChannel * taps;
                    if (is3x3 && g.StrideWidth == 1) Kernel3x3<TPath, TVector, One>(g, plane, offsets, scratch, w, start, target, rows);
                    else if (is3x3 && g.StrideWidth == 2) Kernel3x3<TPath, TVector, Two>(g, plane, offsets, scratch, w, start, target, rows);
                    else General<TPath, TVector>(g, plane, offsets, scratch, w, start, target, rows);
                }
            }
        }
    }

    private static void CopyIntoPlane(in ConvGeometry g, in Plane plane, float* source, float* destination)
    {
        int stride = g.StrideWidth, pad = g.PadWidth;
        for (int y = 0; y < g.InHeight; y++)
        {
            float* row = destination + (long)(y + g.PadHeight) * plane.RowLength;
            float* from = source + y * g.InWidth;
            if (stride == 1)
            {
                RowCopy.Copy(row + pad, from, g.InWidth);
            }
            else if (stride == 2)
            {
                // Input column x sits at padded column x + pad: phase (x + pad) % 2, index (x + pad) / 2.
                float* evenPhase = row + (pad & 1) * plane.PhaseLength + (pad >> 1);
                float* oddPhase = row + ((pad + 1) & 1) * plane.PhaseLength + ((pad + 1) >> 1);
                RowCopy.Deinterleave(from, g.InWidth, evenPhase, oddPhase);
            }
            else
            {
                // Walk phase and index together instead of dividing per element.
                int phase = pad % stride, index = pad / stride;
                for (int x = 0; x < g.InWidth; x++)
                {
                    row[phase * plane.PhaseLength + index] = from[x];
                    if (++phase == stride)
                    {
                        phase = 0;
                        index++;
                    }
                }
            }
        }
    }

    private static void Kernel3x3<TPath, TVector, TStride>(
        in ConvGeometry g, in Plane plane, int* offsets, float* source, float* w, float bias, float* target, in OutputRows rows)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
        where TStride : struct, IConstant
    {
        int stride = TStride.Value, rowLength = plane.RowLength;
        int o1 = offsets[1], o2 = offsets[2];
        TVector w00 = TPath.Broadcast(w[0]), w01 = TPath.Broadcast(w[1]), w02 = TPath.Broadcast(w[2]);
        TVector w10 = TPath.Broadcast(w[3]), w11 = TPath.Broadcast(w[4]), w12 = TPath.Broadcast(w[5]);
        TVector w20 = TPath.Broadcast(w[6]), w21 = TPath.Broadcast(w[7]), w22 = TPath.Broadcast(w[8]);
        TVector start = TPath.Broadcast(bias);
        int outWidth = g.OutWidth, outHeight = g.OutHeight;
        for (int y = 0; y < outHeight; y++)
        {
            float* r0 = source + (long)y * stride * rowLength, r1 = r0 + rowLength, r2 = r1 + rowLength;
            float* row = target + y * outWidth;
            for (int x = 0; x < outWidth; x += TPath.Count)
            {
                TVector sum = TPath.MultiplyAdd(w00, TPath.Load(r0 + x), start);
                sum = TPath.MultiplyAdd(w01, TPath.Load(r0 + o1 + x), sum);
                sum = TPath.MultiplyAdd(w02, TPath.Load(r0 + o2 + x), sum);
                sum = TPath.MultiplyAdd(w10, TPath.Load(r1 + x), sum);
                sum = TPath.MultiplyAdd(w11, TPath.Load(r1 + o1 + x), sum);
                sum = TPath.MultiplyAdd(w12, TPath.Load(r1 + o2 + x), sum);
                sum = TPath.MultiplyAdd(w20, TPath.Load(r2 + x), sum);
                sum = TPath.MultiplyAdd(w21, TPath.Load(r2 + o1 + x), sum);
                sum = TPath.MultiplyAdd(w22, TPath.Load(r2 + o2 + x), sum);
                rows.Store<TPath, TVector>(sum, row + x, outWidth - x);
            }
        }
    }

    private static void General<TPath, TVector>(
        in ConvGeometry g, in Plane plane, int* offsets, float* source, float* w, float bias, float* target, in OutputRows rows)
        where TPath : struct, IFloatPath<TVector>
        where TVector : struct
    {
        int taps = g.KernelHeight * g.KernelWidth;
        TVector start = TPath.Broadcast(bias);
        int outWidth = g.OutWidth, outHeight = g.OutHeight;
        for (int y = 0; y < outHeight; y++)
        {
            float* rowSource = source + (long)y * g.StrideHeight * plane.RowLength;
            float* row = target + y * outWidth;
            for (int x = 0; x < outWidth; x += TPath.Count)
            {
                TVector sum = start;
                for (int t = 0; t < taps; t++) sum = TPath.MultiplyAdd(TPath.Broadcast(w[t]), TPath.Load(rowSource + offsets[t] + x), sum);
                rows.Store<TPath, TVector>(sum, row + x, outWidth - x);
            }
        }
    }

    /// <summary>Stores row pieces into the output, with a spare vector for the rare piece at its very end.</summary>
    private readonly struct OutputRows(ConvGeometry g, float* output, float* spare)
    {
        private readonly float* end = output + (long)g.Batch * g.OutChannels * g.OutHeight * g.OutWidth;

        /// <summary>
        /// Stores the first <paramref name="valid"/> lanes. Lanes past the row end are stored too while they fall
        /// inside the output: they land on later rows, channels or images, which are written afterwards.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store<TPath, TVector>(TVector sum, float* target, int valid)
            where TPath : struct, IFloatPath<TVector>
            where TVector : struct
        {
            if (valid >= TPath.Count || target + TPath.Count <= end)
            {
                TPath.Store(target, sum);
                return;
            }
            TPath.Store(spare, sum);
            for (int i = 0; i < valid; i++) target[i] = spare[i];
        }
    }
}
