using System.Runtime.Intrinsics;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// Everything a depthwise pixel kernel reads, as raw pointers into a <see cref="QDepthwise"/>'s pinned buffers: copied
/// into a local once per call, so the JIT keeps it in registers instead of following object references at every pixel.
/// Read-only. Each kernel uses its own weight layout (<see cref="DepthwisePacking"/>); the others are null.
/// </summary>
internal readonly unsafe struct DepthwiseTables
{
    public required int Channels { get; init; }

    /// <summary>Channels rounded up to whole 32-channel chunks: the row length of every table.</summary>
    public required int PaddedChannels { get; init; }

    /// <summary>Byte offsets of each class's inside taps from the window's corner (<see cref="DepthwiseWindows.TapInputs"/>).</summary>
    public required long* TapInputs { get; init; }

    /// <summary>Where each inside tap's row of <see cref="Weights"/> starts (<see cref="DepthwiseWindows.TapWeights"/>).</summary>
    public required int* TapWeights { get; init; }

    /// <summary>The inside taps in pairs (<see cref="DepthwiseWindows.PairInputs"/>).</summary>
    public required long* PairInputs { get; init; }

    /// <summary>The inside taps in fours (<see cref="DepthwiseWindows.QuadInputs"/>).</summary>
    public required long* QuadInputs { get; init; }

    /// <summary>Tap-major int32 <c>w′</c>, a row of padded channels per tap, channels in order.</summary>
    public required int* Weights { get; init; }

    /// <summary>Each window class's offsets, a row of padded channels per class, channels in order.</summary>
    public required int* Offsets { get; init; }

    /// <summary>The requantize multipliers, channels in order.</summary>
    public required float* Multipliers { get; init; }

    /// <summary><see cref="Depthwise256"/>'s weights (<see cref="DepthwisePacking.EvenOddWeights"/>).</summary>
    public required short* EvenOddWeights { get; init; }

    /// <summary><see cref="Depthwise512"/>'s weights (<see cref="DepthwisePacking.PairWeights"/>).</summary>
    public required short* PairWeights { get; init; }

    /// <summary>The four-tap kernels' weights (<see cref="DepthwiseQuads"/>, <see cref="DepthwisePacking.QuadWeights"/>).</summary>
    public required sbyte* QuadWeights { get; init; }

    /// <summary>
    /// The four-tap kernels' weights for sliding along rows (<see cref="DepthwisePacking.ColumnWeights"/>); null if it
    /// does not. Where <see cref="WideOffsets"/> is set, its whole 64-channel chunks are laid out for the AVX-512BW slide.
    /// </summary>
    public required sbyte* ColumnWeights { get; init; }

    /// <summary>
    /// The AVX-512BW slide's offsets (every class's) and multipliers: whole 64-channel chunks in the order of
    /// <see cref="DepthwiseQuads.WideOrder"/>, the channels after them as <see cref="QuadOffsets"/> and
    /// <see cref="QuadMultipliers"/> order theirs; null where the slide stays on ymm.
    /// </summary>
    public int* WideOffsets { get; init; }

    public float* WideMultipliers { get; init; }

    /// <summary>
    /// A row of <c>z_in</c> bytes as long as an input row, for the padded slides (<see cref="DepthwiseQuads.SlidePaddedRow{TDot}"/>):
    /// the kernel rows above and below the image and the columns beside it read from here. Null where whole output rows
    /// do not slide (<see cref="DepthwiseQuads.CanSlidePaddedRows"/>).
    /// </summary>
    public byte* PadRow { get; init; }

    /// <summary>
    /// <see cref="ColumnWeights"/> for the lower output row of a pair (<see cref="DepthwiseQuads.SlidePaddedRowPair{TDot}"/>):
    /// each lane's taps one byte higher. Set where output rows slide in pairs (<see cref="DepthwiseQuads.CanSlideRowPairs"/>).
    /// </summary>
    public sbyte* LowerColumnWeights { get; init; }

    /// <summary>
    /// The offsets the row pairs' sums start from: <see cref="PaddedOffsets"/>, biased by <see cref="FloatBits.Bias"/>
    /// where <see cref="PairForm"/> is <see cref="RequantizeForm.ZeroBasedFloatBits"/>; set with <see cref="LowerColumnWeights"/>.
    /// </summary>
    public int* PairOffsets { get; init; }

    /// <summary>
    /// The row pairs' requantize form: <see cref="Form"/>, or its float-bits twin where the sums start biased. In the pairs
    /// the requantize's <c>vcvtdq2ps</c> (ports 0 and 1, beside the <c>vpdpbusd</c>s) becomes a <c>vsubps</c>, which may
    /// issue on port 5: with half the unpacks of the single rows there, port 5 has the room that it lacks for them.
    /// </summary>
    public RequantizeForm PairForm { get; init; }

    /// <summary>The offsets of a window of all nine taps, <c>bias − z_in·Σ w′</c>, in the order of <see cref="QuadOffsets"/>; set with <see cref="PadRow"/>.</summary>
    public int* PaddedOffsets { get; init; }

    /// <summary>Whether the kernel may slide along rows (<see cref="IDepthwisePixel.Slide"/>): see <see cref="DepthwiseQuads.CanSlide"/> and <see cref="Depthwise256.CanSlide"/>.</summary>
    public required bool Slides { get; init; }

    /// <summary>Input columns from one output column's window to the next's.</summary>
    public required int ColumnStride { get; init; }

    /// <summary>Bytes from one kernel row's taps to the next's (dilation × input row).</summary>
    public required long RowStep { get; init; }

    /// <summary>Bytes from one kernel column's taps to the next's (dilation × channels).</summary>
    public required long ColumnStep { get; init; }

    /// <summary><see cref="Offsets"/> in the order of <see cref="Depthwise256"/>'s lanes (<see cref="Depthwise256.EvenOdd"/>).</summary>
    public required int* EvenOddOffsets { get; init; }

    /// <summary><see cref="Multipliers"/> in the same order as <see cref="EvenOddOffsets"/>.</summary>
    public required float* EvenOddMultipliers { get; init; }

    /// <summary><see cref="Offsets"/> in the order of the four-tap lanes (<see cref="DepthwiseQuads.QuadOrder"/>).</summary>
    public required int* QuadOffsets { get; init; }

    /// <summary><see cref="Multipliers"/> in the same order as <see cref="QuadOffsets"/>.</summary>
    public required float* QuadMultipliers { get; init; }

    /// <summary>
    /// Whether <see cref="DepthwiseMaddubs"/> must check a run's bytes before its <c>vpmaddubsw</c> steps: false when the
    /// layer's input range already says they are all ≤ <see cref="InputLimit"/>, or a scan of the call's input found none above.
    /// </summary>
    public required bool ChecksBytes { get; init; }

    /// <summary>The largest input byte the <c>vpmaddubsw</c> steps are exact for with these weights (<see cref="ByteRange.DepthwiseLimit"/>).</summary>
    public required byte InputLimit { get; init; }

    public required Epilogue Epilogue { get; init; }

    /// <summary>
    /// <see cref="Epilogue"/>'s requantize form (<see cref="RequantizeForms.Of"/>): what the four-tap kernels, ymm and zmm,
    /// are compiled for. The epilogue has no weight zero points (they are in the weights) and no float-bits start, so it is
    /// zero-based, full-range (the packs' saturation the whole clamp: 4–5% of the 224×224 fixture's depthwise layers on
    /// Zen 4), plain or any.
    /// </summary>
    public required RequantizeForm Form { get; init; }

    /// <summary>
    /// The requantize's scalars, read through a pointer on purpose: the kernels then broadcast them straight from memory
    /// (a load, or an embedded <c>{1to16}</c> operand) instead of from a register, which costs a shuffle-port uop per use.
    /// </summary>
    public required DepthwiseConstants* Constants { get; init; }
}

/// <summary>The scalars of a depthwise layer's requantize step.</summary>
internal struct DepthwiseConstants
{
    /// <summary>The clamp bounds relative to the output zero point (<see cref="Int8.Epilogue.Low"/>, <see cref="Int8.Epilogue.High"/>).</summary>
    public float Low, High;

    public int ZeroPoint;

    /// <summary>Both bytes of a channel pair offset by the output zero point: <c>z + z·256</c>.</summary>
    public int PairZeroPoint;

    /// <summary>
    /// The output zero point as int16 words and the output range (<see cref="Int8.Epilogue.Range"/>) as bytes, for the
    /// clamp after rounding: broadcast once, and read as memory operands, where broadcasting scalars took three more
    /// instructions an output (bytes and words have no embedded broadcast).
    /// </summary>
    public Vector256<short> ZeroWords;

    public Vector256<byte> MinBytes, MaxBytes;

    /// <summary>
    /// The same at 512 bits, for the AVX-512BW slide: <c>Vector512.Create(v, v)</c> from the 256-bit ones compiled to
    /// a load, two moves and two inserts each, an output.
    /// </summary>
    public Vector512<short> WideZeroWords;

    public Vector512<byte> WideMinBytes, WideMaxBytes;
}
