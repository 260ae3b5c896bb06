using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Depthwise convolution (one output channel per input channel) on channels-last data, vectorized across channels:
/// for each output pixel, <c>acc[c] = Offsets_k[c] + Σ_inside taps x_tap[c]·(w_tap[c] − z_w[c])</c>, where the window's
/// class <c>k</c> (<see cref="DepthwiseWindows"/>) has <c>Offsets_k[c] = bias[c] − z_in·Σ_inside taps (w_tap[c] − z_w[c])</c>.
/// </summary>
/// <remarks>
/// The reference sums <c>(x − z_in)·w′</c> over every tap, and a padded tap holds <c>z_in</c>, so it adds exactly 0:
/// skipping it and leaving its <c>z_in·w′</c> out of the class's offset gives the same int32 sum (all arithmetic wraps).
/// Weights are stored as <c>w′ = w − z_w</c> (in [−255, 255]), so no product saturates. Any kernel size, stride,
/// padding and dilation; MobileNetV2 uses 3×3, stride 1 and 2, padding 1. <see cref="Run"/> writes nothing but its
/// output, so layers sharing one packing may run on several threads.
/// </remarks>
internal sealed unsafe class QDepthwise
{
    /// <summary>Kernels beyond this are rejected at construction (kept from the tap-pointer days; the windows have no limit).</summary>
    public const int MaxTaps = 64;

    private readonly PinnedBuffer<int> weights, offsets;
    private readonly PinnedBuffer<short>? evenOddWeights, pairWeights;
    private readonly PinnedBuffer<int>? evenOddOffsets;
    private readonly PinnedBuffer<float>? evenOddMultipliers;
    private readonly PinnedBuffer<DepthwiseConstants> constants;
    private readonly PinnedBuffer<sbyte>? quadWeights;
    private readonly PinnedBuffer<int>? quadOrderOffsets;
    private readonly PinnedBuffer<float>? quadOrderMultipliers;
    private readonly bool vnni;
    private readonly Int8KernelPath path;
    private readonly bool wide;

    public QDepthwise(
        in ConvGeometry geometry, ReadOnlySpan<sbyte> weight, WeightQParams weightQ, ReadOnlySpan<int> bias,
        ActivationQParams inputQ, ActivationQParams outputQ, OutputRange range, Int8KernelPath path)
    {
        this.path = path;
        Channels = geometry.OutChannels;
        int taps = geometry.KernelHeight * geometry.KernelWidth;
        PaddedChannels = Epilogue.PaddedLength(Channels);
        Windows = new DepthwiseWindows(geometry);
        // The epilogue's own offsets stay zero: each window class's offsets start the accumulators instead.
        Epilogue = new Epilogue(Channels, inputQ.Scale, weightQ, outputQ, range, needsWeightZeroPoints: false);

        weights = new PinnedBuffer<int>(taps * PaddedChannels);
        for (int c = 0; c < Channels; c++)
        {
            for (int t = 0; t < taps; t++) weights.Span[t * PaddedChannels + c] = weight[c * taps + t] - weightQ.ZeroPoint(c);
        }
        offsets = ClassOffsets(Windows, weights.Span, bias, inputQ.ZeroPoint, Channels, PaddedChannels);

        bool weightZeroPoints = false;
        for (int c = 0; c < Channels; c++) weightZeroPoints |= weightQ.ZeroPoint(c) != 0;
        vnni = path is Int8KernelPath.AvxVnni && DepthwiseVnni.IsSupported && !weightZeroPoints;
        wide = !vnni && path is Int8KernelPath.Avx512BW or Int8KernelPath.AvxVnni && Depthwise512.IsSupported;
        if (vnni)
        {
            quadWeights = QuadWeightsByClass(Windows, weights.Span, Channels, PaddedChannels);
            quadOrderOffsets = Reordered(offsets.Span, PaddedChannels, DepthwiseVnni.QuadOrder);
            quadOrderMultipliers = Reordered(new ReadOnlySpan<float>(Epilogue.Multipliers, PaddedChannels), PaddedChannels, DepthwiseVnni.QuadOrder);
        }
        else if (wide)
        {
            pairWeights = PairWeightsByClass(Windows, weights.Span, Channels, PaddedChannels);
        }
        else if (path is Int8KernelPath.Avx2 or Int8KernelPath.Avx512BW or Int8KernelPath.AvxVnni)
        {
            evenOddWeights = EvenOddWeightsByClass(Windows, weights.Span, Channels, PaddedChannels);
            evenOddOffsets = Reordered(offsets.Span, PaddedChannels, EvenOdd);
            evenOddMultipliers = Reordered(new ReadOnlySpan<float>(Epilogue.Multipliers, PaddedChannels), PaddedChannels, EvenOdd);
        }
        constants = new PinnedBuffer<DepthwiseConstants>(1);
        constants.Span[0] = new DepthwiseConstants { Low = Epilogue.Low, High = Epilogue.High, ZeroPoint = Epilogue.ZeroPoint, WordZeroPoint = (short)Epilogue.ZeroPoint, PairZeroPoint = Epilogue.ZeroPoint * 257 };
        Tables = new DepthwiseTables
        {
            Channels = Channels,
            PaddedChannels = PaddedChannels,
            TapInputs = Windows.TapInputs,
            PairInputs = Windows.PairInputs,
            TapWeights = Windows.TapWeights,
            Weights = weights.Pointer,
            Offsets = offsets.Pointer,
            EvenOddWeights = evenOddWeights is null ? null : evenOddWeights.Pointer,
            EvenOddOffsets = evenOddOffsets is null ? null : evenOddOffsets.Pointer,
            EvenOddMultipliers = evenOddMultipliers is null ? null : evenOddMultipliers.Pointer,
            PairWeights = pairWeights is null ? null : pairWeights.Pointer,
            Multipliers = Epilogue.Multipliers,
            QuadInputs = Windows.QuadInputs,
            QuadWeights = quadWeights is null ? null : quadWeights.Pointer,
            QuadOrderOffsets = quadOrderOffsets is null ? null : quadOrderOffsets.Pointer,
            QuadOrderMultipliers = quadOrderMultipliers is null ? null : quadOrderMultipliers.Pointer,
            Epilogue = Epilogue,
            Constants = constants.Pointer,
        };
    }

    public int Channels { get; }

    /// <summary>Channels rounded up to whole 32-channel chunks: the row length of every table.</summary>
    public int PaddedChannels { get; }

    public DepthwiseWindows Windows { get; }

    public Epilogue Epilogue { get; }

    /// <summary>The kernels' view of the tables; the weight layouts are described on <see cref="EvenOddWeightsByClass"/> and <see cref="PairWeightsByClass"/>.</summary>
    public DepthwiseTables Tables { get; }

    /// <summary>
    /// Where channel <paramref name="c"/> lands in the even/odd order: within each 32 channels, the 16 even ones then
    /// the 16 odd ones. A 16-channel half <c>h</c> of a chunk thus finds its evens at <c>h/2</c> and its odds at <c>16 + h/2</c>.
    /// </summary>
    public static int EvenOdd(int c) => (c & ~31) | (c & 1) << 4 | (c & 31) >> 1;

    /// <summary>Output [batch, OH, OW, C] from input [batch, H, W, C]. The path is chosen here once, not per pixel.</summary>
    public void Run(byte* input, byte* output, int batch)
    {
        switch (path)
        {
            case Int8KernelPath.Scalar: Windows.Walk<DepthwiseScalar>(Tables, input, output, batch); break;
            case Int8KernelPath.Vector128: Windows.Walk<Depthwise128>(Tables, input, output, batch); break;
            default:
                if (vnni) Windows.Walk<DepthwiseVnni>(Tables, input, output, batch);
                else if (wide) Windows.Walk<Depthwise512>(Tables, input, output, batch);
                else Windows.Walk<Depthwise256>(Tables, input, output, batch);
                break;
        }
    }

    /// <summary><c>bias − z_in·Σ w′</c> over each class's inside taps, in wrapping int32 as the reference accumulator.</summary>
    private static PinnedBuffer<int> ClassOffsets(DepthwiseWindows windows, ReadOnlySpan<int> weights, ReadOnlySpan<int> bias, int inputZeroPoint, int channels, int padded)
    {
        var offsets = new PinnedBuffer<int>(windows.ClassCount * padded);
        ReadOnlySpan<int> tapWeights = windows.TapWeightSpan;
        for (int k = 0; k < windows.ClassCount; k++)
        {
            DepthwiseClass window = windows.Classes[k];
            for (int c = 0; c < channels; c++)
            {
                int sum = 0;
                for (int i = window.TapStart; i < window.TapStart + window.TapCount; i++) sum += weights[tapWeights[i] + c];
                unchecked { offsets.Span[window.Offsets + c] = (bias.IsEmpty ? 0 : bias[c]) - inputZeroPoint * sum; }
            }
        }
        return offsets;
    }

    /// <summary>Each row of <paramref name="padded"/> values with channel c moved to <paramref name="order"/>(c).</summary>
    private static PinnedBuffer<T> Reordered<T>(ReadOnlySpan<T> rows, int padded, Func<int, int> order)
        where T : unmanaged
    {
        var reordered = new PinnedBuffer<T>(rows.Length);
        for (int i = 0; i < rows.Length; i++) reordered.Span[i / padded * padded + order(i % padded)] = rows[i];
        return reordered;
    }

    /// <summary>
    /// The AVX-VNNI path's weights, signed bytes for <c>vpdpbusd</c> (all weight zero points are 0 there, so <c>w′ = w</c>):
    /// per window class, per 32 channels, per four of the class's taps (<see cref="DepthwiseWindows.QuadInputs"/>), four
    /// vectors of 8 int32 lanes in the order of <see cref="DepthwiseVnni.QuadOrder"/>, lane bytes the four taps' weights
    /// (zero past the class's last tap).
    /// </summary>
    private static PinnedBuffer<sbyte> QuadWeightsByClass(DepthwiseWindows windows, ReadOnlySpan<int> weights, int channels, int padded)
    {
        int quadCount = 0;
        foreach (DepthwiseClass window in windows.Classes) quadCount += window.QuadCount;
        var packed = new PinnedBuffer<sbyte>(Math.Max(1, 4 * quadCount * padded));
        ReadOnlySpan<int> tapWeights = windows.TapWeightSpan;
        foreach (DepthwiseClass window in windows.Classes)
        {
            for (int i = 0; i < window.TapCount; i++)
            {
                int row = tapWeights[window.TapStart + i];
                for (int c = 0; c < channels; c++)
                {
                    int at = 4 * window.QuadStart * padded + (c >> 5) * window.QuadCount * 128 + i / 4 * 128 + 4 * (DepthwiseVnni.QuadOrder(c) & 31) + i % 4;
                    packed.Span[at] = (sbyte)weights[row + c];
                }
            }
        }
        return packed;
    }

    /// <summary>
    /// The 512-bit path's weights, int16 pairs for <c>vpmaddwd</c> against two taps' bytes zero-extended into the halves
    /// of each int32 lane (<see cref="Depthwise512"/>): per window class, per 32 channels, per pair of the class's taps
    /// (<see cref="DepthwiseWindows.PairInputs"/>), channel c's lane holds <c>(w′_first[c], w′_second[c])</c>, channels in
    /// order, 16 to a vector; an odd class's last pair has a zero second weight.
    /// </summary>
    private static PinnedBuffer<short> PairWeightsByClass(DepthwiseWindows windows, ReadOnlySpan<int> weights, int channels, int padded)
    {
        int pairCount = 0;
        foreach (DepthwiseClass window in windows.Classes) pairCount += window.PairCount;
        var packed = new PinnedBuffer<short>(Math.Max(1, 2 * pairCount * padded));
        ReadOnlySpan<int> tapWeights = windows.TapWeightSpan;
        foreach (DepthwiseClass window in windows.Classes)
        {
            for (int i = 0; i < window.TapCount; i++)
            {
                int row = tapWeights[window.TapStart + i];
                for (int c = 0; c < channels; c++)
                {
                    int at = 2 * window.PairStart * padded + (c >> 5) * window.PairCount * 64 + i / 2 * 64 + 2 * (c & 31) + i % 2;
                    packed.Span[at] = (short)weights[row + c];
                }
            }
        }
        return packed;
    }

    /// <summary>
    /// The 256-bit path's weights, int16 for <c>vpmaddwd</c> against bytes widened to int16 in channel order.
    /// Per window class, per 32 channels, per inside tap in the class's order: first the even channels' pairs
    /// <c>(w′[2j], 0)</c>, then the odd ones' <c>(0, w′[2j+1])</c> (32 int16 each). One <c>vpmaddwd</c> of the widened bytes
    /// with each gives the even and the odd channels' products in int32 lanes, exactly (the zero halves drop the other
    /// channel). A class's taps are consecutive, so a pixel walks its weights with one pointer; a 16-channel half of a
    /// chunk reads half of each run. Classes repeat the weights of the taps they share: at most a few times the kernel.
    /// </summary>
    private static PinnedBuffer<short> EvenOddWeightsByClass(DepthwiseWindows windows, ReadOnlySpan<int> weights, int channels, int padded)
    {
        int tapCount = 0;
        foreach (DepthwiseClass window in windows.Classes) tapCount += window.TapCount;
        var packed = new PinnedBuffer<short>(Math.Max(1, 2 * tapCount * padded));
        ReadOnlySpan<int> tapWeights = windows.TapWeightSpan;
        foreach (DepthwiseClass window in windows.Classes)
        {
            for (int i = 0; i < window.TapCount; i++)
            {
                int row = tapWeights[window.TapStart + i];
                for (int c = 0; c < channels; c++)
                {
                    int at = 2 * window.TapStart * padded + (c >> 5) * window.TapCount * 64 + i * 64 + (c & 1) * 32 + (c & 30) + (c & 1);
                    packed.Span[at] = (short)weights[row + c];
                }
            }
        }
        return packed;
    }
}
