using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using QuantGen.Kernels.Float;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>How an <see cref="Int8Conv2d"/> computes.</summary>
public enum Int8ConvAlgorithm
{
    /// <summary>1×1, stride 1, no padding, one group: the input pixels are the rows of one packed GEMM.</summary>
    Pointwise,

    /// <summary>One output channel per input channel: a direct kernel vectorized across channels.</summary>
    Depthwise,

    /// <summary>Any other ungrouped convolution: the receptive fields gathered into rows (im2col), then the GEMM.</summary>
    Im2Col,

    /// <summary>Few input channels (a stem) on a 256-bit path: a direct kernel vectorized across output channels.</summary>
    Direct,
}

/// <summary>
/// A quantized 2-D convolution on channels-last (NHWC) data, packed once for this machine's fastest
/// <see cref="Int8KernelPath"/>: the same bytes as <see cref="QConv2d.Forward"/> on the same tensors in NCHW.
/// </summary>
/// <remarks>
/// Supports ungrouped convolutions of any kernel, stride, padding and dilation, and depthwise ones with one output
/// channel per input channel (MobileNetV2's). Padding holds the input zero point, so padded taps add exactly 0.
/// <c>Forward</c> allocates nothing; one call at a time per instance (the im2col scratch is the layer's own): for
/// another thread, <see cref="Fork"/> it.
/// </remarks>
public sealed unsafe class Int8Conv2d
{
    private const string Op = "Int8Conv2d";
    private readonly QGemm? gemm;
    private readonly QDepthwise? depthwise;
    private readonly QDirect? direct;
    private readonly PinnedBuffer<byte>? columns;
    private readonly PinnedBuffer<int>? rowSums;
    private readonly byte inputZeroPoint;

    // Per sample, from the geometry once: a call then checks its spans without the divisions the geometry's
    // properties make (six of them, a third of a small layer's call).
    private readonly int inputSample, outputSample, outputPixels;

    /// <param name="geometry">The convolution's shapes, as PyTorch's <c>Conv2d</c> (the data is NHWC all the same).</param>
    /// <param name="weight">[OutChannels, InChannels / Groups, kH, kW], qint8, PyTorch's layout; repacked here.</param>
    /// <param name="weightQ">Per tensor or per output channel; zero points may be nonzero.</param>
    /// <param name="bias">[OutChannels] in int32 at scale <c>s_in·s_w[c]</c> (<see cref="Quantize.Bias"/>); empty for none.</param>
    /// <param name="inputQ">The input's quint8 parameters.</param>
    /// <param name="outputQ">The output's quint8 parameters.</param>
    /// <param name="activation">ReLU or ReLU6 fused into the requantize clamp.</param>
    /// <param name="inputRange">The bytes the input can hold; see <see cref="Int8Linear"/>'s constructor for when to narrow it.</param>
    /// <exception cref="NotSupportedException">A grouped convolution that is not depthwise with one output channel per input channel.</exception>
    public Int8Conv2d(
        in ConvGeometry geometry, ReadOnlySpan<sbyte> weight, WeightQParams weightQ, ReadOnlySpan<int> bias,
        ActivationQParams inputQ, ActivationQParams outputQ, FusedActivation activation = FusedActivation.None, OutputRange? inputRange = null)
    {
        ConvGeometry g = geometry;
        ConvChecks.Geometry(g);
        Int8Checks.QParams(weightQ, g.OutChannels, inputQ, outputQ, Op);
        Int8Checks.Length(weight.Length, g.WeightLength, nameof(weight), Op,
            $"[{g.OutChannels}, {g.InChannelsPerGroup}, {g.KernelHeight}, {g.KernelWidth}]");
        Int8Checks.Bias(bias, g.OutChannels, Op);
        Geometry = g;
        (inputSample, outputSample, outputPixels) = (g.InChannels * g.InHeight * g.InWidth, g.OutChannels * g.OutHeight * g.OutWidth, g.OutHeight * g.OutWidth);
        Path = Int8KernelPaths.Current;
        inputZeroPoint = (byte)inputQ.ZeroPoint;
        OutputRange range = OutputRange.For(activation, outputQ), inputBytes = inputRange ?? OutputRange.Full;
        if (g.IsDepthwise && g.OutChannels == g.InChannels)
        {
            if (g.KernelHeight * g.KernelWidth > QDepthwise.MaxTaps)
            {
                throw new NotSupportedException($"{Op}: depthwise kernels of more than {QDepthwise.MaxTaps} taps are not supported: {g}.");
            }
            Algorithm = Int8ConvAlgorithm.Depthwise;
            depthwise = new QDepthwise(g, weight, weightQ, bias, inputQ, outputQ, range, inputBytes, Path);
            return;
        }
        if (g.Groups != 1)
        {
            throw new NotSupportedException($"{Op}: grouped convolutions other than depthwise with one output channel per input channel are not supported: {g}.");
        }
        int depth = g.InChannels * g.KernelHeight * g.KernelWidth, rows = g.Batch * g.OutHeight * g.OutWidth;
        ReadOnlySpan<sbyte> packedOrder = g.IsPointwise ? weight : ChannelsLast(weight, g);
        if (QDirect.Supports(g, Path))
        {
            Algorithm = Int8ConvAlgorithm.Direct;
            direct = new QDirect(g, packedOrder, weightQ, bias, inputQ, outputQ, range, Path);
            return;
        }
        Algorithm = g.IsPointwise ? Int8ConvAlgorithm.Pointwise : Int8ConvAlgorithm.Im2Col;
        gemm = new QGemm(packedOrder, g.OutChannels, depth, weightQ, bias, inputQ, outputQ, range, inputBytes, Path);
        rowSums = new PinnedBuffer<int>(Math.Max(1, gemm.RowSumsLength(rows)));
        if (!g.IsPointwise) columns = new PinnedBuffer<byte>(Math.Max(1, rows * depth));
    }

    /// <summary>
    /// Whether the constructor takes <paramref name="geometry"/>: any ungrouped convolution, and depthwise ones with one
    /// output channel per input channel and at most <see cref="QDepthwise.MaxTaps"/> taps; it throws
    /// <see cref="NotSupportedException"/> for the rest.
    /// </summary>
    internal static bool Supports(in ConvGeometry geometry) =>
        geometry.Groups == 1
        || (geometry.IsDepthwise && geometry.OutChannels == geometry.InChannels && geometry.KernelHeight * geometry.KernelWidth <= QDepthwise.MaxTaps);

    /// <summary>A fork: the same packed weights (whose <c>Run</c> keeps no state), its own scratch.</summary>
    private Int8Conv2d(Int8Conv2d source)
    {
        (Geometry, Path, Algorithm, inputZeroPoint) = (source.Geometry, source.Path, source.Algorithm, source.inputZeroPoint);
        (inputSample, outputSample, outputPixels) = (source.inputSample, source.outputSample, source.outputPixels);
        (gemm, depthwise, direct) = (source.gemm, source.depthwise, source.direct);
        if (source.rowSums is not null) rowSums = new PinnedBuffer<int>(source.rowSums.Length);
        if (source.columns is not null) columns = new PinnedBuffer<byte>(source.columns.Length);
    }

    public ConvGeometry Geometry { get; }

    public Int8ConvAlgorithm Algorithm { get; }

    /// <summary>The depthwise pixel kernel chosen for <see cref="Path"/>; null for the other algorithms.</summary>
    internal DepthwiseKernel? DepthwiseKernel => depthwise?.Kernel;

    /// <summary>Whether the depthwise kernel slides whole output rows over the padding (<see cref="DepthwiseTables.PadRow"/>).</summary>
    internal unsafe bool SlidesPaddedRows => depthwise is not null && depthwise.Tables.PadRow != null;

    /// <summary>The requantize form a depthwise layer's four-tap kernels are compiled for (for tests), or null.</summary>
    internal RequantizeForm? DepthwiseForm => depthwise?.Tables.Form;

    /// <summary>Whether the depthwise kernel slides output rows in pairs (<see cref="DepthwiseQuads.SlidePaddedRowPair{TDot}"/>), for the tests.</summary>
    internal unsafe bool SlidesRowPairs => depthwise is not null && depthwise.Tables.LowerColumnWeights != null;

    /// <summary>The requantize form the row pairs are compiled for (<see cref="DepthwiseTables.PairForm"/>), for the tests.</summary>
    internal RequantizeForm? DepthwisePairForm => SlidesRowPairs ? depthwise!.Tables.PairForm : null;

    /// <summary>The GEMM of the pointwise and im2col algorithms; null for the others.</summary>
    internal QGemm? Gemm => gemm;

    /// <summary>The kernel this layer runs, for the bench's profiles: the depthwise pixel kernel, the GEMM tile, or the direct tile's width.</summary>
    internal string KernelName => DepthwiseKernel?.ToString() ?? gemm?.Tile.ToString() ?? $"Direct{direct!.PanelWidth}";

    /// <summary>The path chosen when the layer was built (<see cref="Int8KernelPaths.Current"/> on the building thread).</summary>
    public Int8KernelPath Path { get; }

    /// <summary>
    /// A layer over this one's packed weights with scratch of its own (the im2col rows and row sums, sized as this
    /// one's), so that the two can run at once on different threads: costs the scratch, not the weights.
    /// </summary>
    public Int8Conv2d Fork() => new(this);

    /// <summary><paramref name="output"/> [N, OH, OW, OutChannels] from <paramref name="input"/> [N, H, W, InChannels].</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output) => Forward(input, output, Geometry.Batch);

    /// <summary>
    /// The first <paramref name="batch"/> samples (at most <see cref="ConvGeometry.Batch"/>, which sizes the scratch):
    /// <paramref name="output"/> [batch, OH, OW, OutChannels] from <paramref name="input"/> [batch, H, W, InChannels].
    /// </summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, Geometry.Batch);
        if (input.Length != (long)batch * inputSample || output.Length != (long)batch * outputSample) ThrowLengths(input.Length, output.Length, batch);
        if (batch == 0) return;
        fixed (byte* x = input, y = output)
        {
            if (depthwise is not null)
            {
                depthwise.Run(x, y, batch);
                return;
            }
            if (direct is not null)
            {
                direct.Run(x, y, batch);
                return;
            }
            byte* a = x;
            if (columns is not null)
            {
                a = columns.Pointer;
                Im2Col(Geometry, batch, x, a, inputZeroPoint);
            }
            gemm!.Run(a, batch * outputPixels, y, rowSums!.Pointer);
        }
    }

    /// <summary>The shape errors of <see cref="Forward(ReadOnlySpan{byte}, Span{byte}, int)"/>, input first, out of its line.</summary>
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowLengths(int input, int output, int batch)
    {
        ConvGeometry g = Geometry;
        ReferenceChecks.Length(input, (long)batch * inputSample, nameof(input), Op, $"[{batch}, {g.InHeight}, {g.InWidth}, {g.InChannels}] (NHWC)");
        ReferenceChecks.Length(output, (long)batch * outputSample, nameof(output), Op, $"[{batch}, {g.OutHeight}, {g.OutWidth}, {g.OutChannels}] (NHWC)");
        throw new UnreachableException();
    }

    /// <summary>PyTorch's [Cout, Cin, kH, kW] as [Cout, kH, kW, Cin]: the order of an im2col row over NHWC input.</summary>
    private static sbyte[] ChannelsLast(ReadOnlySpan<sbyte> weight, in ConvGeometry g)
    {
        int taps = g.KernelHeight * g.KernelWidth, cin = g.InChannels;
        var reordered = new sbyte[weight.Length];
        for (int co = 0; co < g.OutChannels; co++)
        {
            for (int ci = 0; ci < cin; ci++)
            {
                for (int t = 0; t < taps; t++) reordered[(co * taps + t) * cin + ci] = weight[(co * cin + ci) * taps + t];
            }
        }
        return reordered;
    }

    /// <summary>One row per output pixel: for each tap (ky, kx), the input pixel's channels, or the zero point outside the image.</summary>
    private static void Im2Col(in ConvGeometry g, int batch, byte* input, byte* rows, byte zeroPoint)
    {
        int cin = g.InChannels, outHeight = g.OutHeight, outWidth = g.OutWidth;
        for (int n = 0; n < batch; n++)
        {
            byte* image = input + (long)n * g.InHeight * g.InWidth * cin;
            for (int oy = 0; oy < outHeight; oy++)
            {
                for (int ox = 0; ox < outWidth; ox++)
                {
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        int iy = oy * g.StrideHeight - g.PadHeight + ky * g.DilationHeight;
                        for (int kx = 0; kx < g.KernelWidth; kx++, rows += cin)
                        {
                            int ix = ox * g.StrideWidth - g.PadWidth + kx * g.DilationWidth;
                            bool inside = (uint)iy < (uint)g.InHeight && (uint)ix < (uint)g.InWidth;
                            byte* pixel = image + ((long)iy * g.InWidth + ix) * cin;
                            if (cin == 1)
                            {
                                *rows = inside ? *pixel : zeroPoint;   // a one-channel stem: a byte, not a copy
                            }
                            else if (inside)
                            {
                                new ReadOnlySpan<byte>(pixel, cin).CopyTo(new Span<byte>(rows, cin));
                            }
                            else
                            {
                                new Span<byte>(rows, cin).Fill(zeroPoint);
                            }
                        }
                    }
                }
            }
        }
    }
}
