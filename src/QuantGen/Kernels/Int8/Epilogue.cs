using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// The per-output-channel constants of the fused requantize step, padded with zeros to whole panels so vector
/// loads never run past them:
/// <code>acc = dot + Offsets[c] − WeightZeroPoints[c]·rowSum;   y = Requantize.ToUInt8(acc, Multipliers[c], z_out, range)</code>
/// <c>Offsets</c> holds the bias and every zero-point term that does not depend on the input (see <see cref="QGemm"/>
/// and <see cref="QDepthwise"/>); all int32 arithmetic wraps, so the sum equals the reference accumulator exactly.
/// </summary>
internal sealed unsafe class Epilogue
{
    /// <summary>Channels are padded to a multiple of this: the widest panel (32 int32 lanes).</summary>
    public const int Padding = 32;

    private readonly PinnedBuffer<int> offsets;
    private readonly PinnedBuffer<float> multipliers;
    private readonly PinnedBuffer<int>? weightZeroPoints;
    private readonly PinnedBuffer<short> clampWords;
    private PinnedBuffer<int>? floatStart;
    private PinnedBuffer<float>? floatScales;

    public Epilogue(int channels, float inputScale, WeightQParams weightQ, ActivationQParams outputQ, OutputRange range, bool needsWeightZeroPoints)
    {
        // Whole panels of any width: 16 and 32 divide the padded length; 24-column panels may need more.
        int padded = Math.Max(PaddedLength(channels), (channels + 23) / 24 * 24);
        offsets = new PinnedBuffer<int>(padded);
        multipliers = new PinnedBuffer<float>(padded);
        for (int c = 0; c < channels; c++)
        {
            multipliers.Span[c] = Requantize.Multiplier(inputScale, weightQ.Scale(c), outputQ.Scale);
        }
        bool anyZeroPoint = false;
        for (int c = 0; c < channels; c++) anyZeroPoint |= weightQ.ZeroPoint(c) != 0;
        if (needsWeightZeroPoints && anyZeroPoint)
        {
            weightZeroPoints = new PinnedBuffer<int>(padded);
            for (int c = 0; c < channels; c++) weightZeroPoints.Span[c] = weightQ.ZeroPoint(c);
        }
        ClampsInBytes = true;
        for (int c = 0; c < channels; c++) ClampsInBytes &= MathF.Abs(multipliers.Span[c]) <= 0.5f;
        NonNegativeMultipliers = true;
        for (int c = 0; c < channels; c++) NonNegativeMultipliers &= multipliers.Span[c] >= 0;
        Range = range;
        ZeroPoint = outputQ.ZeroPoint;
        Low = range.Min - ZeroPoint;
        High = range.Max - ZeroPoint;
        clampWords = new PinnedBuffer<short>(3 * ClampWordCount);
        clampWords.Span[..ClampWordCount].Fill((short)ZeroPoint);
        clampWords.Span.Slice(ClampWordCount, ClampWordCount).Fill(range.Min);
        clampWords.Span[(2 * ClampWordCount)..].Fill(range.Max);
    }

    /// <summary>
    /// This epilogue with its per-channel arrays in a packing's order: channel <c>p·width + j</c> at position
    /// <c>p·width + <paramref name="slotOfColumn"/>(j)</c> (<see cref="QGemm"/>'s lane-ordered panels).
    /// </summary>
    public Epilogue InPanelOrder(int width, Func<int, int> slotOfColumn) => new(this, width, slotOfColumn);

    /// <summary><paramref name="other"/>'s scalars, and its arrays reordered (see <see cref="InPanelOrder"/>).</summary>
    private Epilogue(Epilogue other, int width, Func<int, int> slotOfColumn)
    {
        offsets = ChannelOrder.Reordered(other.offsets.Span, width, slotOfColumn);
        multipliers = ChannelOrder.Reordered(other.multipliers.Span, width, slotOfColumn);
        weightZeroPoints = other.weightZeroPoints is null ? null : ChannelOrder.Reordered(other.weightZeroPoints.Span, width, slotOfColumn);
        (ClampsInBytes, NonNegativeMultipliers, Range, ZeroPoint, Low, High) =
            (other.ClampsInBytes, other.NonNegativeMultipliers, other.Range, other.ZeroPoint, other.Low, other.High);
        clampWords = other.clampWords;
        floatStart = other.floatStart is null ? null : ChannelOrder.Reordered(other.floatStart.Span, width, slotOfColumn);
        floatScales = other.floatScales is null ? null : FloatScalesOf(multipliers.Span);
    }

    public static int PaddedLength(int channels) => (channels + Padding - 1) / Padding * Padding;

    public Span<int> OffsetSpan => offsets.Span;

    public int* Offsets => offsets.Pointer;

    /// <summary>
    /// Where the kernels that read this epilogue through <see cref="PanelRequantizer"/> start their accumulators:
    /// <see cref="Offsets"/>, biased by <see cref="FloatBits.Bias"/> once <see cref="StartFromFloatBits"/> has been called.
    /// </summary>
    public int* StartOffsets => floatStart is null ? offsets.Pointer : floatStart.Pointer;

    /// <summary>Whether the accumulators start biased, their bits a float (<see cref="FloatBits"/>).</summary>
    public bool FloatStart => floatStart is not null;

    /// <summary>
    /// Once <see cref="StartFromFloatBits"/> has been called, the multipliers and <see cref="FloatBits.Addend"/>s in
    /// blocks of <see cref="FloatBits.ScaleBlock"/> columns (<see cref="FloatBits.ScaleIndex"/>), for the requantize's
    /// multiply-add; else null. Read through <see cref="PanelRequantizer"/> from panels that start on a block.
    /// </summary>
    public float* FloatScales => floatScales is null ? null : floatScales.Pointer;

    /// <summary>Whether no multiplier is negative, as every positive scale gives: the float-bits start needs it (<see cref="FloatBits"/>).</summary>
    public bool NonNegativeMultipliers { get; }

    /// <summary>
    /// Makes the accumulators start at <see cref="Offsets"/> + <see cref="FloatBits.Bias"/>, once the offsets are final
    /// and before <see cref="InPanelOrder"/>: only for a zero-based epilogue whose sums <see cref="FloatBits.Fits"/>, whose
    /// kernels all requantize by <see cref="ZeroBasedFloatBitsRequantize"/> then (<see cref="RequantizeForms.Of"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The epilogue is not zero-based (no requantize form would take the bias out), or a multiplier is negative (a negative sum would then requantize above 0).</exception>
    public void StartFromFloatBits()
    {
        if (!ZeroBasedRequantize.Fits(this) || !NonNegativeMultipliers)
        {
            throw new InvalidOperationException("Only a zero-based epilogue's accumulators, with no negative multiplier, may start at float bits.");
        }
        floatStart = FloatBits.Biased(offsets.Span);
        floatScales = FloatScalesOf(multipliers.Span);
    }

    /// <summary><see cref="FloatScales"/> of <paramref name="multipliers"/>, in whole blocks.</summary>
    private static PinnedBuffer<float> FloatScalesOf(ReadOnlySpan<float> multipliers)
    {
        const int Block = FloatBits.ScaleBlock;
        var scales = new PinnedBuffer<float>((multipliers.Length + Block - 1) / Block * 2 * Block);
        for (int c = 0; c < multipliers.Length; c++)
        {
            int at = FloatBits.ScaleIndex(c);
            scales.Span[at] = multipliers[c];
            scales.Span[at + FloatBits.ScaleBlock] = FloatBits.Addend(multipliers[c]);
        }
        return scales;
    }

    public float* Multipliers => multipliers.Pointer;

    /// <summary>Null when every weight zero point is 0, so the kernels skip the row-sum term.</summary>
    public int* WeightZeroPoints => weightZeroPoints is null ? null : weightZeroPoints.Pointer;

    public OutputRange Range { get; }

    /// <summary>Words a zmm register holds: <see cref="ClampWords"/>' three vectors are this long.</summary>
    public const int ClampWordCount = 32;

    /// <summary>
    /// The zero point, <see cref="Range"/>'s minimum and its maximum, each as <see cref="ClampWordCount"/> int16 words
    /// one after another: for the zmm requantize, which reads them as memory operands, where broadcasting them from
    /// scalars took three <c>vpbroadcastw</c> from general registers a row.
    /// </summary>
    public short* ClampWords => clampWords.Pointer;

    /// <summary>
    /// Whether every multiplier is at most ½ in magnitude (as usual: PyTorch's and qnnpack's are below 1). Then
    /// <c>|acc·M| ≤ 2³⁰·(1 + 2⁻²⁴)</c>, so the scaled value converts to int32 and takes the zero point without overflow,
    /// and the clamp can follow the rounding: saturating packs to bytes clamp to [0, 255] and a byte max/min to the
    /// range, instead of a float max/min on every int32 lane. Clamping to integer bounds commutes with rounding, so the
    /// bytes are the reference's.
    /// </summary>
    public bool ClampsInBytes { get; }

    /// <summary>
    /// <see cref="ClampsInBytes"/>, onto all of [0, 255]: the saturation of the packs and narrowings is the whole clamp,
    /// and the kernels skip the byte max/min after them.
    /// </summary>
    public bool FullRange => ClampsInBytes && Range is { Min: 0, Max: 255 };

    /// <summary><see cref="FullRange"/> from an output zero point of 0 (a ReLU's or ReLU6's output calibrated from 0): no zero point to add.</summary>
    public bool ZeroBased => FullRange && ZeroPoint == 0;

    public int ZeroPoint { get; }

    /// <summary>The clamp bounds relative to the zero point, <c>min − z</c> and <c>max − z</c>: integers, so clamping before rounding equals clamping after.</summary>
    public float Low { get; }

    public float High { get; }

    /// <summary>One output in plain C#: the reference requantize.</summary>
    public byte Scalar(int accumulator, int channel) =>
        Requantize.ToUInt8(accumulator, Multipliers[channel], ZeroPoint, Range);
}
