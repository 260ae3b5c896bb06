using System.Runtime.Intrinsics;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Depthwise convolution (one output channel per input channel) on channels-last data, vectorized across channels:
/// for each output pixel, <c>acc[c] = Offsets_k[c] + Σ_inside taps x_tap[c]·(w_tap[c] − z_w[c])</c>, where the window's
/// class <c>k</c> (<see cref="DepthwiseWindows"/>) has <c>Offsets_k[c] = bias[c] − z_in·Σ_inside taps (w_tap[c] − z_w[c])</c>.
/// </summary>
/// <remarks>
/// <para>The reference sums <c>(x − z_in)·w′</c> over every tap, and a padded tap holds <c>z_in</c>, so it adds exactly 0:
/// skipping it and leaving its <c>z_in·w′</c> out of the class's offset gives the same int32 sum (all arithmetic wraps).
/// Weights are stored as <c>w′ = w − z_w</c> (in [−255, 255]). Any kernel size, stride, padding and dilation; MobileNetV2
/// uses 3×3, stride 1 and 2, padding 1.</para>
/// <para>One pixel kernel per path, chosen at construction (<see cref="DepthwiseKernel"/>); the pixel loop is compiled
/// once per kernel. <see cref="Run"/> writes nothing but its output, so layers sharing one packing may run on several
/// threads.</para>
/// </remarks>
internal sealed unsafe class QDepthwise
{
    /// <summary><see cref="Int8Conv2d"/> rejects larger kernels; the kernels here have no limit of their own.</summary>
    public const int MaxTaps = 64;

    private readonly DepthwiseKernel kernel;
    private readonly DepthwiseWindows windows;
    private readonly long inputImageBytes;

    // The tables point into these buffers; the fields keep them alive.
    private readonly PinnedBuffer<int> weights, offsets;
    private readonly PinnedBuffer<DepthwiseConstants> constants;
    private readonly PinnedBuffer<short>? evenOddWeights, pairWeights;
    private readonly PinnedBuffer<sbyte>? quadWeights, columnWeights, lowerColumnWeights;
    private readonly PinnedBuffer<int>? evenOddOffsets, quadOffsets, wideOffsets, paddedOffsets, pairOffsets;
    private readonly PinnedBuffer<byte>? padRow;
    private readonly PinnedBuffer<float>? evenOddMultipliers, quadMultipliers, wideMultipliers;

    public QDepthwise(
        in ConvGeometry geometry, ReadOnlySpan<sbyte> weight, WeightQParams weightQ, ReadOnlySpan<int> bias,
        ActivationQParams inputQ, ActivationQParams outputQ, OutputRange range, OutputRange inputRange, Int8KernelPath path)
    {
        int channels = geometry.OutChannels, taps = geometry.KernelHeight * geometry.KernelWidth;
        int padded = Epilogue.PaddedLength(channels);
        windows = new DepthwiseWindows(geometry);
        inputImageBytes = (long)geometry.InHeight * geometry.InWidth * geometry.InChannels;
        // The epilogue's own offsets stay zero: each window class's offsets start the accumulators instead.
        var epilogue = new Epilogue(channels, inputQ.Scale, weightQ, outputQ, range, needsWeightZeroPoints: false);

        weights = new PinnedBuffer<int>(taps * padded);
        bool weightZeroPoints = false, pairFloatBits = false;
        for (int c = 0; c < channels; c++)
        {
            for (int t = 0; t < taps; t++) weights.Span[t * padded + c] = weight[c * taps + t] - weightQ.ZeroPoint(c);
            weightZeroPoints |= weightQ.ZeroPoint(c) != 0;
        }
        offsets = DepthwisePacking.ClassOffsets(windows, weights.Span, bias, inputQ.ZeroPoint, channels, padded);
        constants = new PinnedBuffer<DepthwiseConstants>(1);
        constants.Span[0] = new DepthwiseConstants
        {
            Low = epilogue.Low, High = epilogue.High, ZeroPoint = epilogue.ZeroPoint,
            PairZeroPoint = epilogue.ZeroPoint * 257,
            ZeroWords = Vector256.Create((short)epilogue.ZeroPoint),
            MinBytes = Vector256.Create(epilogue.Range.Min),
            MaxBytes = Vector256.Create(epilogue.Range.Max),
            WideZeroWords = Vector512.Create((short)epilogue.ZeroPoint),
            WideMinBytes = Vector512.Create(epilogue.Range.Min),
            WideMaxBytes = Vector512.Create(epilogue.Range.Max),
        };

        kernel = Choose(path, weightZeroPoints, geometry.OutHeight * geometry.OutWidth);
        byte inputLimit = kernel == DepthwiseKernel.Maddubs256 ? ByteRange.DepthwiseLimit(weights.Span, taps, channels, padded) : byte.MaxValue;
        var multipliers = new ReadOnlySpan<float>(epilogue.Multipliers, padded);
        if (kernel == DepthwiseKernel.Pairs512) pairWeights = DepthwisePacking.PairWeights(windows, weights.Span, channels, padded);
        if (kernel is DepthwiseKernel.EvenOdd256 or DepthwiseKernel.Maddubs256)
        {
            evenOddWeights = DepthwisePacking.EvenOddWeights(windows, weights.Span, channels, padded);
            evenOddOffsets = ChannelOrder.Reordered(offsets.Span, padded, Depthwise256.EvenOdd);
            evenOddMultipliers = ChannelOrder.Reordered(multipliers, padded, Depthwise256.EvenOdd);
        }
        if (kernel is DepthwiseKernel.Quads256 or DepthwiseKernel.Maddubs256)
        {
            quadWeights = DepthwisePacking.QuadWeights(windows, weights.Span, channels, padded);
            quadOffsets = ChannelOrder.Reordered(offsets.Span, padded, DepthwiseQuads.QuadOrder);
            quadMultipliers = ChannelOrder.Reordered(multipliers, padded, DepthwiseQuads.QuadOrder);
            // The AVX2 kernel takes channels past the last whole 32 on its exact steps; VNNI's slides only over every channel.
            bool slides = kernel == DepthwiseKernel.Maddubs256 ? DepthwiseQuads.CanSlide(geometry) : DepthwiseVnni.CanSlide(geometry);
            // AVX-512BW's slide takes whole 64-channel chunks on zmm, in an order of their own.
            int wide = slides && kernel == DepthwiseKernel.Maddubs256 && path == Int8KernelPath.Avx512BW ? DepthwiseQuads.WideChannels(channels) : 0;
            if (slides) columnWeights = DepthwisePacking.ColumnWeights(weights.Span, channels, padded, wide);
            // Whole padded rows on the four-tap slide's ymm layout: AVX-VNNI's (exact for any byte), and AVX2's
            // vpmaddubsw where the pad byte is within its limit and every channel is in a whole chunk (the AVX-512BW
            // slide's zmm chunks have a layout of their own).
            bool paddedRows = kernel == DepthwiseKernel.Quads256
                || (wide == 0 && inputQ.ZeroPoint <= inputLimit && DepthwiseQuads.QuadChannels(channels) == channels);
            if (slides && paddedRows && DepthwiseQuads.CanSlidePaddedRows(geometry))
            {
                padRow = new PinnedBuffer<byte>(geometry.InWidth * channels);
                padRow.Span.Fill((byte)inputQ.ZeroPoint);
                int[] allTaps = DepthwisePacking.AllTapOffsets(weights.Span, taps, bias, inputQ.ZeroPoint, channels, padded);
                paddedOffsets = ChannelOrder.Reordered(allTaps, padded, DepthwiseQuads.QuadOrder);
                // The lower row's lanes pair other taps than the upper row's: vpdpbusd adds four products exactly whatever
                // the bytes, and vpmaddubsw's limit (ByteRange.DepthwiseLimit) bounds any two of a channel's taps.
                if (DepthwiseQuads.CanSlideRowPairs(geometry))
                {
                    lowerColumnWeights = DepthwisePacking.ColumnWeights(weights.Span, channels, padded, firstByte: 1);
                    // The pairs' sums start as float bits where the requantize is zero-based and no sum can leave the bits' reach.
                    pairFloatBits = ZeroBasedRequantize.Fits(epilogue) && epilogue.NonNegativeMultipliers && FloatBits.FitsDepthwise(allTaps, weights.Span, taps, channels, padded, inputRange.Max);
                    pairOffsets = pairFloatBits ? FloatBits.Biased(paddedOffsets.Span) : paddedOffsets;
                }
            }
            if (wide > 0)
            {
                wideOffsets = ChannelOrder.Reordered(offsets.Span, padded, c => DepthwiseQuads.WideOrder(c, wide));
                wideMultipliers = ChannelOrder.Reordered(multipliers, padded, c => DepthwiseQuads.WideOrder(c, wide));
            }
        }
        Tables = new DepthwiseTables
        {
            Channels = channels,
            PaddedChannels = padded,
            TapInputs = windows.TapInputs,
            TapWeights = windows.TapWeights,
            PairInputs = windows.PairInputs,
            QuadInputs = windows.QuadInputs,
            Weights = weights.Pointer,
            Offsets = offsets.Pointer,
            Multipliers = epilogue.Multipliers,
            EvenOddWeights = evenOddWeights is null ? null : evenOddWeights.Pointer,
            PairWeights = pairWeights is null ? null : pairWeights.Pointer,
            QuadWeights = quadWeights is null ? null : quadWeights.Pointer,
            ColumnWeights = columnWeights is null ? null : columnWeights.Pointer,
            WideOffsets = wideOffsets is null ? null : wideOffsets.Pointer,
            WideMultipliers = wideMultipliers is null ? null : wideMultipliers.Pointer,
            PadRow = padRow is null ? null : padRow.Pointer,
            PaddedOffsets = paddedOffsets is null ? null : paddedOffsets.Pointer,
            LowerColumnWeights = lowerColumnWeights is null ? null : lowerColumnWeights.Pointer,
            PairOffsets = pairOffsets is null ? null : pairOffsets.Pointer,
            PairForm = pairFloatBits ? RequantizeForm.ZeroBasedFloatBits : RequantizeForms.Of(epilogue),
            Slides = columnWeights is not null || (kernel == DepthwiseKernel.EvenOdd256 && Depthwise256.CanSlide(geometry)),
            ColumnStride = geometry.StrideWidth,
            RowStep = (long)geometry.DilationHeight * geometry.InWidth * channels,
            ColumnStep = (long)geometry.DilationWidth * channels,
            EvenOddOffsets = evenOddOffsets is null ? null : evenOddOffsets.Pointer,
            EvenOddMultipliers = evenOddMultipliers is null ? null : evenOddMultipliers.Pointer,
            QuadOffsets = quadOffsets is null ? null : quadOffsets.Pointer,
            QuadMultipliers = quadMultipliers is null ? null : quadMultipliers.Pointer,
            ChecksBytes = inputRange.Max > inputLimit,
            InputLimit = inputLimit,
            Epilogue = epilogue,
            Form = RequantizeForms.Of(epilogue),
            Constants = constants.Pointer,
        };
    }

    /// <summary>The kernels' view of the layer: raw pointers into the buffers above.</summary>
    public DepthwiseTables Tables { get; }

    public DepthwiseKernel Kernel => kernel;

    /// <summary>Output [batch, OH, OW, C] from input [batch, H, W, C]. The kernel is chosen here once, not per pixel.</summary>
    public void Run(byte* input, byte* output, int batch)
    {
        switch (kernel)
        {
            case DepthwiseKernel.Scalar: windows.Walk<DepthwiseScalar>(Tables, input, output, batch); break;
            case DepthwiseKernel.Portable128: windows.Walk<Depthwise128>(Tables, input, output, batch); break;
            case DepthwiseKernel.EvenOdd256: windows.Walk<Depthwise256>(Tables, input, output, batch); break;
            case DepthwiseKernel.Pairs512: windows.Walk<Depthwise512>(Tables, input, output, batch); break;
            case DepthwiseKernel.Quads256: windows.Walk<DepthwiseVnni>(Tables, input, output, batch); break;
            case DepthwiseKernel.Maddubs256: windows.Walk<DepthwiseMaddubs>(TablesFor(input, batch), input, output, batch); break;
        }
    }

    /// <summary>
    /// <see cref="Tables"/> for one call: without <see cref="DepthwiseTables.ChecksBytes"/> when no input byte is above
    /// <see cref="DepthwiseTables.InputLimit"/>. One scan of the input, where each run checking its own three rows read
    /// every row three times (15% of a 112×112 layer's time, against 8% for the scan).
    /// </summary>
    private DepthwiseTables TablesFor(byte* input, int batch)
    {
        long bytes = (long)batch * inputImageBytes;
        if (!Tables.ChecksBytes) return Tables;
        // A byte above the limit: the runs check their own rows, and the padded rows, which do not, are left out.
        return ByteRange.AnyAbove(input, bytes, Tables.InputLimit) ? Tables with { PadRow = null } : Tables with { ChecksBytes = false };
    }

    /// <summary>
    /// Outputs of at least this many pixels an image take the four-tap <see cref="DepthwiseKernel.Maddubs256"/> on the
    /// AVX-512BW path, smaller ones <see cref="DepthwiseKernel.Pairs512"/>. Measured on Zen 4, layer against layer
    /// (<c>--compare-layer-paths</c>): from 7×7 up the ymm four-tap kernel took 0.56–0.95 of the zmm pairs kernel's
    /// time (its runs of whole windows pay); on MNIST's 4×4 to 1×1 outputs, where nearly every window is cut, 1.04–1.27.
    /// </summary>
    internal const int FourTapMinimumPixels = 49;

    /// <summary>
    /// The four-taps-a-lane kernels need <c>w′</c> in a signed byte, so all weight zero points 0 (PyTorch's symmetric
    /// per-channel default): AVX-VNNI's <c>vpdpbusd</c>, and <c>vpmaddubsw</c> where the bytes allow it, on AVX2 and, for
    /// outputs of <see cref="FourTapMinimumPixels"/> or more, on AVX-512BW. Otherwise, the 512-bit pairs kernel if the
    /// machine has VBMI.
    /// </summary>
    private static DepthwiseKernel Choose(Int8KernelPath path, bool weightZeroPoints, int outputPixels) => path switch
    {
        Int8KernelPath.Scalar => DepthwiseKernel.Scalar,
        Int8KernelPath.Vector128 => DepthwiseKernel.Portable128,
        Int8KernelPath.AvxVnni when !weightZeroPoints && DepthwiseVnni.IsSupported => DepthwiseKernel.Quads256,
        Int8KernelPath.Avx2 when !weightZeroPoints => DepthwiseKernel.Maddubs256,
        Int8KernelPath.Avx512BW when !weightZeroPoints && (outputPixels >= FourTapMinimumPixels || !Depthwise512.IsSupported) => DepthwiseKernel.Maddubs256,
        Int8KernelPath.AvxVnni or Int8KernelPath.Avx512BW when Depthwise512.IsSupported => DepthwiseKernel.Pairs512,
        _ => DepthwiseKernel.EvenOdd256,
    };
}

/// <summary>The depthwise pixel kernels, by how they reach int32 accumulators.</summary>
internal enum DepthwiseKernel
{
    /// <summary><see cref="DepthwiseScalar"/>: the reference arithmetic.</summary>
    Scalar,

    /// <summary><see cref="Depthwise128"/>: int32 multiplies on portable 128-bit vectors.</summary>
    Portable128,

    /// <summary><see cref="Depthwise256"/>: AVX2, one tap at a time into even- and odd-channel accumulators.</summary>
    EvenOdd256,

    /// <summary><see cref="Depthwise512"/>: AVX-512BW + VBMI, two taps per int32 lane.</summary>
    Pairs512,

    /// <summary><see cref="DepthwiseVnni"/>: AVX-VNNI, four taps per int32 lane, weight zero points 0.</summary>
    Quads256,

    /// <summary>
    /// <see cref="DepthwiseMaddubs"/>: AVX2, four taps per int32 lane through <c>vpmaddubsw</c> where the bytes are ≤ 127,
    /// weight zero points 0; <see cref="EvenOdd256"/>'s steps elsewhere.
    /// </summary>
    Maddubs256,
}
