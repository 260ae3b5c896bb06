using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// A quantized fully connected layer, packed once for this machine's fastest <see cref="Int8KernelPath"/>: the same
/// bytes as <see cref="QLinear.Forward"/> (PyTorch's <c>quantized::linear</c> / <c>linear_relu</c> on qnnpack).
/// A 1×1 convolution over channels-last pixels is the same product, so it runs here too (see <see cref="Int8Conv2d"/>).
/// </summary>
/// <remarks>
/// Construction packs the weights, folds the bias and the zero-point terms into per-channel offsets and computes the
/// requantize multipliers; <see cref="Forward"/> then allocates nothing unless the batch grows past <c>maxRows</c> and some weight zero
/// point is nonzero (its row sums). One call at a time per instance: the scratch is the layer's own; for another
/// thread, <see cref="Fork"/> it.
/// </remarks>
public sealed unsafe class Int8Linear
{
    private const string Op = "Int8Linear";
    private readonly QGemm gemm;
    private readonly PinnedBuffer<int> rowSums;

    /// <param name="weight">[outFeatures, inFeatures], qint8, PyTorch's layout.</param>
    /// <param name="weightQ">Per tensor or per output feature; zero points may be nonzero.</param>
    /// <param name="bias">[outFeatures] in int32 at scale <c>s_in·s_w[o]</c> (<see cref="Quantize.Bias"/>); empty for none.</param>
    /// <param name="inFeatures">K, the length of one input row.</param>
    /// <param name="outFeatures">N, the length of one output row.</param>
    /// <param name="inputQ">The input's quint8 parameters; its zero point is folded into the packed offsets.</param>
    /// <param name="outputQ">The output's quint8 parameters.</param>
    /// <param name="activation">ReLU or ReLU6 fused into the requantize clamp.</param>
    /// <param name="inputRange">
    /// The bytes the input can hold (e.g. the producing layer's fused range). When its maximum is at most 127 the
    /// AVX2/AVX-512BW paths use the faster saturating <c>vpmaddubsw</c>, which would be wrong for larger bytes; leave it
    /// <see langword="null"/> (the full range) unless that bound is guaranteed.
    /// </param>
    /// <param name="maxRows">The most rows a call is expected to run: the row-sum scratch is sized for them now.</param>
    public Int8Linear(
        ReadOnlySpan<sbyte> weight, WeightQParams weightQ, ReadOnlySpan<int> bias, int inFeatures, int outFeatures,
        ActivationQParams inputQ, ActivationQParams outputQ, FusedActivation activation = FusedActivation.None, OutputRange? inputRange = null,
        int maxRows = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        Int8Checks.QParams(weightQ, outFeatures, inputQ, outputQ, Op);
        Int8Checks.Length(weight.Length, (long)outFeatures * inFeatures, nameof(weight), Op, $"[{outFeatures}, {inFeatures}]");
        Int8Checks.Bias(bias, outFeatures, Op);
        gemm = new QGemm(weight, outFeatures, inFeatures, weightQ, bias, inputQ, outputQ,
            OutputRange.For(activation, outputQ), inputRange ?? OutputRange.Full, Int8KernelPaths.Current);
        rowSums = new PinnedBuffer<int>(Math.Max(1, gemm.RowSumsLength(maxRows)));
    }

    /// <summary>A fork: the same packed weights (whose <c>Run</c> keeps no state), its own row sums.</summary>
    private Int8Linear(Int8Linear source)
    {
        gemm = source.gemm;
        rowSums = new PinnedBuffer<int>(source.rowSums.Length);
    }

    public int InFeatures => gemm.K;

    public int OutFeatures => gemm.N;

    /// <summary>The path chosen when the layer was built (<see cref="Int8KernelPaths.Current"/> on the building thread).</summary>
    public Int8KernelPath Path => gemm.Path;

    /// <summary>The GEMM this layer runs (for tests).</summary>
    internal QGemm Gemm => gemm;

    /// <summary>
    /// A layer over this one's packed weights with row-sum scratch of its own (as large as this one's now), so that
    /// the two can run at once on different threads: costs the scratch, not the weights.
    /// </summary>
    public Int8Linear Fork() => new(this);

    /// <summary><paramref name="output"/> [rows, OutFeatures] from <paramref name="input"/> [rows, InFeatures], any number of rows.</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length % InFeatures != 0)
        {
            throw new ShapeMismatchException($"{Op}: the input holds {input.Length} values, not a whole number of {InFeatures}-feature rows.");
        }
        int rows = input.Length / InFeatures;
        ReferenceChecks.Length(output.Length, (long)rows * OutFeatures, nameof(output), Op, $"[{rows}, {OutFeatures}]");
        int* sums = rowSums.Ensure(gemm.RowSumsLength(rows));
        fixed (byte* x = input, y = output)
        {
            gemm.Run(x, rows, y, sums);
        }
    }
}
