using System.Runtime.CompilerServices;
using QuantGen.Kernels.Reference;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// <c>Y[m, n] = requantize(bias[n] + Σₖ (A[m, k] − z_a)·(W[n, k] − z_w[n]))</c> for u8 activations A [M × K] and s8
/// weights W [N × K] packed once, with requantize and the fused activation in the epilogue. Shared by linear layers,
/// 1×1 convolutions and im2col convolutions (all channels-last, so a pixel is a row).
/// </summary>
/// <remarks>
/// The kernels multiply raw bytes and correct for the zero points afterwards:
/// <code>Σ(x − z_a)(w − z_w) = Σxw − z_w·Σx − z_a·Σw + K·z_a·z_w</code>
/// <c>bias − z_a·Σw + K·z_a·z_w</c> is per column and folded into <see cref="Epilogue.Offsets"/> here; <c>z_w·Σx</c>
/// needs the row sums, computed per call only when some weight zero point is nonzero. Every term is int32 with
/// wraparound, as the reference accumulator, and wraparound arithmetic is exact modulo 2³², so the bytes are the same.
/// <para>Weights are packed in panels of <see cref="PanelWidth"/> columns; inside a panel, K runs in steps of one
/// 32-bit slot per column (<see cref="StepKind"/>), zero-padded past K and past N. A zero weight makes any activation
/// contribute 0, so a row may read past its own K into the next row; only the last row is copied to a padded buffer.</para>
/// </remarks>
internal sealed unsafe class QGemm
{
    /// <summary>The longest padded last row copied on the stack; longer ones borrow from the array pool.</summary>
    private const int StackRowBytes = 8192;

    private readonly PinnedBuffer<byte> packed;

    private PinnedBuffer<byte>? exact;

    /// <summary>
    /// What <see cref="Packing"/>'s weights leave out when they are <see cref="StepPairing"/>'s reduced ones (empty when
    /// they are the weights as given): kept for <see cref="Unpack"/>, not the reduced copy, which only the packing needs.
    /// </summary>
    private readonly Correction[] pairedCorrections = [];

    private readonly PanelCorrections? corrections;

    /// <summary>Where <see cref="Packing"/> puts each column inside a panel, or null for column order.</summary>
    private readonly Func<int, int>? slotOfColumn;

    public QGemm(
        ReadOnlySpan<sbyte> weight, int outputs, int depth, WeightQParams weightQ, ReadOnlySpan<int> bias,
        ActivationQParams inputQ, ActivationQParams outputQ, OutputRange range, OutputRange inputRange, Int8KernelPath path)
    {
        N = outputs;
        K = depth;
        Path = path;
        Kind = path switch
        {
            Int8KernelPath.AvxVnni => StepKind.Quad,
            Int8KernelPath.Avx2 or Int8KernelPath.Avx512BW => StepKind.Quad,
            _ => StepKind.Single,
        };
        bool maddubs = path is Int8KernelPath.Avx2 or Int8KernelPath.Avx512BW;
        InputLimit = maddubs ? ByteRange.GemmLimit(weight, outputs, depth) : byte.MaxValue;
        ChecksRows = maddubs && inputRange.Max > InputLimit;
        StepCount = (depth + Steps.Size(Kind) - 1) / Steps.Size(Kind);
        Tile = ForcedTile ?? TileFor(path, outputs, StepCount);
        PanelWidth = Tile switch
        {
            GemmTile.Ymm4x16 => YmmTile4x16<VnniQuad>.Width,
            GemmTile.Ymm4x24 => YmmTile4x24<VnniQuad>.Width,
            GemmTile.Ymm4x32 => YmmTile4x32<VnniQuad>.Width,
            GemmTile.Ymm4x32ZmmEpilogue => YmmTile4x32ZmmEpilogue<VnniQuad>.Width,
            GemmTile.Zmm4x32 => ZmmTile4x32<WidePair>.Width,
            _ => XmmTile4x8<PortableSingle>.Width,
        };
        slotOfColumn = path == Int8KernelPath.Scalar ? null : Tile switch
        {
            GemmTile.Ymm4x24 => YmmTile4x24<MaddubsQuad>.SlotOfColumn,
            GemmTile.Zmm4x32 => ZmmTile4x32<MaddubsQuad>.SlotOfColumn,
            _ => null,
        };
        PairedLimit = Math.Min(inputRange.Max, StepPairing.Bound);
        StepPairing? candidate = maddubs ? StepPairing.Of(weight, outputs, depth, PairedLimit) : null;
        PairingCorrections = candidate?.Corrections.Length ?? 0;
        StepPairing? pairing = candidate is { Pays: true } ? candidate : null;
        if (pairing is not null)
        {
            PairedSteps = StepCount & ~1;
            ChecksPairedRows = inputRange.Max > PairedLimit;
            pairedCorrections = pairing.Corrections;
            corrections = new PanelCorrections(pairedCorrections, outputs, PanelWidth, slotOfColumn);
        }
        packed = path == Int8KernelPath.Scalar
            ? Raw(weight)
            : Pack(pairing is null ? weight : pairing.Weights, outputs, depth, Kind, PanelWidth, StepCount, slotOfColumn);

        Epilogue = new Epilogue(outputs, inputQ.Scale, weightQ, outputQ, range, needsWeightZeroPoints: true);
        int za = inputQ.ZeroPoint;
        Span<int> offsets = Epilogue.OffsetSpan;
        for (int n = 0; n < outputs; n++)
        {
            int sum = 0;
            foreach (sbyte w in weight.Slice(n * depth, depth)) sum += w;
            unchecked
            {
                offsets[n] = (bias.IsEmpty ? 0 : bias[n]) - za * sum + depth * za * weightQ.ZeroPoint(n);
            }
        }
        // AVX-VNNI's ymm tiles and SparseRow, all through PanelRequantizer, are what this path runs (not the scalar
        // reference nor the zmm tile), so the biased start is safe there; their panels start on the scales' blocks
        // where the panels are 16 or 32 columns wide (not 24).
        if (path == Int8KernelPath.AvxVnni && PanelWidth % FloatBits.ScaleBlock == 0 && ZeroBasedRequantize.Fits(Epilogue)
            && Epilogue.NonNegativeMultipliers && FloatBits.Fits(offsets, weight, outputs, depth, inputRange.Max))
        {
            Epilogue.StartFromFloatBits();
        }
        PackingEpilogue = slotOfColumn is null ? Epilogue : Epilogue.InPanelOrder(PanelWidth, slotOfColumn);
        sparseRows = SparseRow.Applies(this);
    }

    public int N { get; }

    public int K { get; }

    public Int8KernelPath Path { get; }

    public StepKind Kind { get; }

    /// <summary>
    /// Makes the GEMMs built on this thread use this register tile whatever their path picks, so that tests cover a
    /// tile on a path this machine lacks (e.g. the 4×32 ymm tile of AVX-VNNI with AVX2's dot product). The tile must
    /// suit the path: ymm tiles need AVX2, the zmm tile AVX-512BW, and neither takes the scalar path.
    /// </summary>
    [ThreadStatic]
    internal static GemmTile? ForcedTile;

    /// <summary>The register tile this GEMM runs (<see cref="GemmDriver{TTile, TExact}"/> with one of the tile structs).</summary>
    public GemmTile Tile { get; }

    /// <summary>Output columns per packed panel: the tile's width.</summary>
    public int PanelWidth { get; }

    /// <summary>Slots per column in a panel: K divided by the step size, rounded up.</summary>
    public int StepCount { get; }

    public byte* Panels => packed.Pointer;

    /// <summary>The packing every path runs: <see cref="Panels"/>, <see cref="StepCount"/> slots of <see cref="Kind"/>.</summary>
    public PanelSet Packing => new(packed.Pointer, StepCount, PackingEpilogue, PairedSteps, corrections);

    /// <summary>
    /// The leading steps <see cref="Packing"/>'s tiles may take two at a time: all but an odd last one when the weights
    /// pair (<see cref="StepPairing"/>, on AVX2's and AVX-512BW's <c>vpmaddubsw</c>), else 0.
    /// </summary>
    public int PairedSteps { get; }

    /// <summary>The largest activation byte for which <see cref="Packing"/>'s steps may be taken two at a time.</summary>
    public byte PairedLimit { get; }

    /// <summary>
    /// Whether row blocks must be checked for bytes above <see cref="PairedLimit"/> before their steps are taken two at a
    /// time: the input range allows them. A block that holds one takes its steps one at a time.
    /// </summary>
    public bool ChecksPairedRows { get; }

    /// <summary>How many weights pairing the steps reduces, their rest added by the driver: the layer pairs only while they are few (for tests and the bench's profile).</summary>
    internal int PairingCorrections { get; }

    /// <summary>
    /// <see cref="Epilogue"/> in <see cref="Packing"/>'s column order: the same object, but under the 4×24 and zmm tiles,
    /// whose panels put each column where their in-lane packs leave it (<see cref="YmmTile4x24{TStep}.SlotOfColumn"/>,
    /// <see cref="ZmmTile4x32{TStep}.SlotOfColumn"/>).
    /// </summary>
    public Epilogue PackingEpilogue { get; }

    /// <summary>
    /// Whether the rows must be checked for activations above <see cref="InputLimit"/> before they meet
    /// <see cref="Packing"/>: AVX2's and AVX-512BW's <c>vpmaddubsw</c> (<see cref="MaddubsQuad"/>) could saturate on them,
    /// and the input range does not rule them out. Row blocks that hold one run on <see cref="ExactPacking"/> instead.
    /// </summary>
    public bool ChecksRows { get; }

    /// <summary>The largest activation byte <see cref="Packing"/> is exact for on this path (<see cref="ByteRange.GemmLimit"/>): 128 to 255.</summary>
    public byte InputLimit { get; }

    /// <summary>
    /// Columns per panel of <see cref="ExactPacking"/>: the tile's, but 16 under the 4×24 tile, whose twelve accumulators
    /// leave no register spare for the pairs' products (full-range expansions ran 22% slower on it than on 4×16, Zen 3).
    /// </summary>
    public int ExactPanelWidth => Tile == GemmTile.Ymm4x24 ? YmmTile4x16<WidePair>.Width : PanelWidth;

    /// <summary>
    /// Where <see cref="ExactPacking"/> puts each column inside a panel: as <see cref="Packing"/> does where both run on
    /// one tile (the zmm tile, whose requantize reads its panels' order), in column order where the exact tile is 4×16.
    /// </summary>
    private Func<int, int>? ExactSlotOfColumn => ExactPanelWidth == PanelWidth ? slotOfColumn : null;

    /// <summary>Slots per column of <see cref="ExactPacking"/>: K in int16 pairs.</summary>
    public int ExactStepCount => (K + 1) / 2;

    /// <summary>
    /// The weights as int16 pairs (<see cref="WidePair"/>), exact for any activation, for the row blocks that
    /// <see cref="ChecksRows"/> finds above <see cref="InputLimit"/>. Packed from <see cref="Packing"/> when the first such
    /// block comes, so a layer whose activations stay within the limit (always, when calibrated to [0, 127] as PyTorch's
    /// x86 qconfigs do) keeps its weights once, in bytes. Safe to read from several threads: a race packs twice and keeps one.
    /// </summary>
    public PanelSet ExactPacking
    {
        get
        {
            PinnedBuffer<byte>? pairs = Volatile.Read(ref exact);
            if (pairs == null)
            {
                Interlocked.CompareExchange(ref exact, Pack(Unpack(), N, K, StepKind.Pair, ExactPanelWidth, ExactStepCount, ExactSlotOfColumn), null);
                pairs = exact!;
            }
            return new PanelSet(pairs.Pointer, ExactStepCount, ExactSlotOfColumn is null ? Epilogue : PackingEpilogue);
        }
    }

    /// <summary>Whether <see cref="ExactPacking"/> has been packed (for tests).</summary>
    internal bool HasExactPacking => Volatile.Read(ref exact) != null;

    /// <summary>
    /// The weights depth by depth for <see cref="SparseRow"/>: packed from <see cref="Packing"/> when the first single row
    /// with enough zeros comes, so a layer that never sees one keeps its weights once. Safe to read from several threads,
    /// as <see cref="ExactPacking"/>.
    /// </summary>
    public SparsePanels SparsePacking
    {
        get
        {
            PinnedBuffer<byte>? rows = Volatile.Read(ref sparse);
            if (rows == null)
            {
                Interlocked.CompareExchange(ref sparse, PackSparse(Unpack()), null);
                rows = sparse!;
            }
            return new SparsePanels(rows.Pointer, SparseStride);
        }
    }

    /// <summary>Whether <see cref="SparsePacking"/> has been packed (for tests).</summary>
    internal bool HasSparsePacking => Volatile.Read(ref sparse) != null;

    /// <summary>Bytes a depth in <see cref="SparsePacking"/>: N in whole chunks.</summary>
    private int SparseStride => Padded(N, SparseRow.Width);

    /// <summary>Whether single rows may take <see cref="SparseRow"/> (<see cref="SparseRow.Applies"/>).</summary>
    private readonly bool sparseRows;

    private PinnedBuffer<byte>? sparse;

    /// <summary><see cref="SparsePacking"/> from W [N × K] (<see cref="Unpack"/>).</summary>
    private PinnedBuffer<byte> PackSparse(sbyte[] weight)
    {
        int stride = SparseStride;
        var rows = new PinnedBuffer<byte>(K * stride);
        rows.Span.Clear();
        for (int column = 0; column < N; column++)
        {
            int slot = column - column % SparseRow.Width + SparseRow.SlotOf(column % SparseRow.Width);
            for (int k = 0; k < K; k++) rows.Span[k * stride + slot] = (byte)weight[column * K + k];
        }
        return rows;
    }

    public Epilogue Epilogue { get; }

    /// <summary>Row sums of A, needed when <see cref="Epilogue.WeightZeroPoints"/> is not null.</summary>
    public int RowSumsLength(int rows) => Epilogue.WeightZeroPoints == null ? 0 : rows;

    /// <summary>
    /// Y [M × N] from A [M × K]; <paramref name="rowSums"/> holds <see cref="RowSumsLength"/> ints. Keeps no state
    /// between calls but <see cref="ExactPacking"/> and <see cref="SparsePacking"/>, each published once with a
    /// compare-exchange, so layers that share this packing may run on several threads at once. A single row with enough
    /// zero bytes takes <see cref="SparseRow"/> where it applies.
    /// </summary>
    [SkipLocalsInit]   // the last row's copy is written whole (its bytes, then zeros) before it is read
    public void Run(byte* a, int rows, byte* y, int* rowSums)
    {
        if (rows == 0) return;
        if (Epilogue.WeightZeroPoints != null) SumRows(a, rows, K, rowSums);
        else rowSums = null;
        if (rows == 1 && sparseRows && SparseRow.TryRun(this, a, y, rowSums == null ? 0 : rowSums[0])) return;
        if (Path == Int8KernelPath.Scalar)
        {
            GemmScalar.Run(this, a, rows, y, rowSums);
            return;
        }
        // The last row may not be followed by readable memory: where its whole steps run past it, give it a zero-padded copy.
        int padded = StepCount * Steps.Size(Kind);
        if (padded <= StackRowBytes)
        {
            byte* lastRow = stackalloc byte[padded];
            RunTiles(a, rows, y, rowSums, lastRow, padded);
            return;
        }
        byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(padded);
        try
        {
            fixed (byte* lastRow = rented) RunTiles(a, rows, y, rowSums, lastRow, padded);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void RunTiles(byte* a, int rows, byte* y, int* rowSums, byte* lastRow, int padded)
    {
        if (padded == K)
        {
            // Whole steps end with the row: the last one is read in place, a stride after the others, as tiles read theirs.
            RunTiles(new Rows(a, K, rows, a + (long)(rows - 1) * K), y, rowSums);
            return;
        }
        var copy = new Span<byte>(lastRow, padded);
        new ReadOnlySpan<byte>(a + (long)(rows - 1) * K, K).CopyTo(copy);
        copy.Slice(K).Clear();
        RunTiles(new Rows(a, K, rows, lastRow), y, rowSums);
    }

    /// <summary>The vector paths on rows whose last one may be read in whole steps.</summary>
    internal void RunTiles(Rows a, byte* y, int* rowSums)
    {
        switch (Tile, Path)
        {
            case (GemmTile.Ymm4x32, Int8KernelPath.AvxVnni): GemmDriver<YmmTile4x32<VnniQuad>, YmmTile4x32<VnniQuad>>.Run(this, a, y, rowSums); break;
            case (GemmTile.Ymm4x32, _): GemmDriver<YmmTile4x32<MaddubsQuad>, YmmTile4x32<WidePair>>.Run(this, a, y, rowSums); break;
            // Few rows run the same panels with their requantize on ymm (ZmmEpilogueRows).
            case (GemmTile.Ymm4x32ZmmEpilogue, Int8KernelPath.AvxVnni) when a.Count < ZmmEpilogueRows: GemmDriver<YmmTile4x32<VnniQuad>, YmmTile4x32<VnniQuad>>.Run(this, a, y, rowSums); break;
            case (GemmTile.Ymm4x32ZmmEpilogue, Int8KernelPath.AvxVnni): GemmDriver<YmmTile4x32ZmmEpilogue<VnniQuad>, YmmTile4x32ZmmEpilogue<VnniQuad>>.Run(this, a, y, rowSums); break;
            case (GemmTile.Ymm4x32ZmmEpilogue, _): GemmDriver<YmmTile4x32ZmmEpilogue<MaddubsQuad>, YmmTile4x32ZmmEpilogue<WidePair>>.Run(this, a, y, rowSums); break;
            case (GemmTile.Ymm4x24, Int8KernelPath.AvxVnni): GemmDriver<YmmTile4x24<VnniQuad>, YmmTile4x24<VnniQuad>>.Run(this, a, y, rowSums); break;
            case (GemmTile.Ymm4x24, _): GemmDriver<YmmTile4x24<MaddubsQuad>, YmmTile4x16<WidePair>>.Run(this, a, y, rowSums); break;
            case (GemmTile.Ymm4x16, Int8KernelPath.AvxVnni): GemmDriver<YmmTile4x16<VnniQuad>, YmmTile4x16<VnniQuad>>.Run(this, a, y, rowSums); break;
            case (GemmTile.Ymm4x16, _): GemmDriver<YmmTile4x16<MaddubsQuad>, YmmTile4x16<WidePair>>.Run(this, a, y, rowSums); break;
            case (GemmTile.Zmm4x32, _): GemmDriver<ZmmTile4x32<MaddubsQuad>, ZmmTile4x32<WidePair>>.Run(this, a, y, rowSums); break;
            default: GemmDriver<XmmTile4x8<PortableSingle>, XmmTile4x8<PortableSingle>>.Run(this, a, y, rowSums); break;
        }
    }

    /// <summary>
    /// The most K steps (of four) for which the AVX-VNNI path takes <see cref="YmmTile4x32ZmmEpilogue{TStep}"/>, whose
    /// requantize on zmm pays only while the requantizes come often enough to keep the core in its 512-bit mode.
    /// </summary>
    internal const int ZmmEpilogueSteps = 8;

    /// <summary>
    /// The fewest rows a call of <see cref="YmmTile4x32ZmmEpilogue{TStep}"/>'s GEMMs runs it for; fewer run the same
    /// panels on <see cref="YmmTile4x32{TStep}"/>, whose requantize stays on ymm. The first zmm instructions of a call cost
    /// some 0.3–0.6 µs (the core powering up the upper lanes again, after the ymm layers between), which the zmm
    /// requantize wins back only over enough tiles: MNIST MobileNetV2's expansions at batch 1 took 0.69 of their time on
    /// the ymm one at 16 rows, 0.86–0.95 at 49, and 1.03 at 196 (Sapphire Rapids, <c>--compare-tiles</c>).
    /// </summary>
    internal const int ZmmEpilogueRows = 128;

    /// <summary>The tile each path runs.</summary>
    private static GemmTile TileFor(Int8KernelPath path, int outputs, int steps) => path switch
    {
        Int8KernelPath.Avx512BW when !ZmmPadsMore(outputs) => GemmTile.Zmm4x32,
        // Sixteen columns or fewer waste half of a 32-column tile: the 16-column one serves them better. Where 24-column
        // panels pad N less (MobileNetV2's 24 and 144), the requantize, which bounds the small-K layers, skips the padding:
        // projections to 24 took 0.80–0.81 of their time, expansions to 144 0.97 (Sapphire Rapids, --layers). With few K
        // steps the zmm requantize gains more than an eighth of padding costs: 24 → 144 on it took 0.95–0.96 of 4×24's time.
        Int8KernelPath.AvxVnni when YmmTile4x32<VnniQuad>.IsSupported && outputs > 16 =>
            steps <= ZmmEpilogueSteps && YmmTile4x32ZmmEpilogue<VnniQuad>.IsSupported
                && 8 * Padded(outputs, YmmTile4x32<VnniQuad>.Width) <= 9 * Padded(outputs, YmmTile4x24<VnniQuad>.Width) ? GemmTile.Ymm4x32ZmmEpilogue
            : Padded(outputs, YmmTile4x24<VnniQuad>.Width) < Padded(outputs, YmmTile4x32<VnniQuad>.Width) ? GemmTile.Ymm4x24
            : GemmTile.Ymm4x32,
        // AVX2's 16 registers hold a 4×24 tile where 24-column panels fit N as well as 16-column ones (measured on Zen 3).
        Int8KernelPath.Avx2 or Int8KernelPath.Avx512BW when YmmTile4x24<MaddubsQuad>.Suits(outputs) => GemmTile.Ymm4x24,
        Int8KernelPath.Avx2 or Int8KernelPath.Avx512BW or Int8KernelPath.AvxVnni => GemmTile.Ymm4x16,
        _ => GemmTile.Xmm4x8,
    };

    /// <summary><paramref name="n"/> columns rounded up to whole panels of <paramref name="width"/>.</summary>
    private static int Padded(int n, int width) => (n + width - 1) / width * width;

    /// <summary>
    /// Whether 32-column zmm panels would pad <paramref name="n"/> by a quarter of it or more beyond AVX2's ymm tiles,
    /// whose work a zmm tile then spends on zero columns. Measured on Zen 4, layer against layer (<c>--compare-layer-paths</c>):
    /// the ymm tiles took 0.52 of the zmm tile's time at N = 16 and 0.75–0.88 at N = 24 (MobileNetV2's first
    /// projections); where neither pads, 1.01–1.06, and at N = 144 (10% padding) 0.86–1.17, so that stays zmm.
    /// </summary>
    private static bool ZmmPadsMore(int n)
    {
        int ymm = YmmTile4x24<MaddubsQuad>.Suits(n) ? YmmTile4x24<MaddubsQuad>.Width : YmmTile4x16<MaddubsQuad>.Width;
        return 4 * (Padded(n, ZmmTile4x32<MaddubsQuad>.Width) - Padded(n, ymm)) >= n;
    }

    private static void SumRows(byte* a, int rows, int k, int* sums)
    {
        for (int m = 0; m < rows; m++)
        {
            sums[m] = Sum(new ReadOnlySpan<byte>(a + (long)m * k, k));
        }
    }

    private static int Sum(ReadOnlySpan<byte> row)
    {
        int sum = 0;
        foreach (byte x in row) sum += x;
        return sum;
    }

    private static PinnedBuffer<byte> Raw(ReadOnlySpan<sbyte> weight)
    {
        var raw = new PinnedBuffer<byte>(Math.Max(1, weight.Length));
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(weight).CopyTo(raw.Span);
        return raw;
    }

    /// <summary>[panel][step][slot in panel][32-bit slot], zero past K and N; column j of a panel in slot <paramref name="slotOfColumn"/>(j), or slot j.</summary>
    private static PinnedBuffer<byte> Pack(ReadOnlySpan<sbyte> weight, int n, int k, StepKind kind, int width, int steps, Func<int, int>? slotOfColumn = null)
    {
        int size = Steps.Size(kind), panels = (n + width - 1) / width;
        var packed = new PinnedBuffer<byte>(Math.Max(1, panels * steps * width * 4));
        byte* p = packed.Pointer;
        for (int panel = 0; panel < panels; panel++)
        {
            for (int step = 0; step < steps; step++)
            {
                for (int j = 0; j < width; j++)
                {
                    int column = panel * width + j;
                    byte* slot = p + (((long)panel * steps + step) * width + (slotOfColumn is null ? j : slotOfColumn(j))) * 4;
                    for (int i = 0; i < size; i++)
                    {
                        int kk = step * size + i;
                        sbyte w = column < n && kk < k ? weight[column * k + kk] : (sbyte)0;
                        switch (kind)
                        {
                            case StepKind.Quad: ((sbyte*)slot)[i] = w; break;
                            case StepKind.Pair: ((short*)slot)[i] = w; break;
                            default: *(int*)slot = w; break;
                        }
                    }
                }
            }
        }
        return packed;
    }

    /// <summary>W [N × K] back from <see cref="Packing"/>'s quad panels (<see cref="Pack"/>'s layout, read the other way).</summary>
    private sbyte[] Unpack()
    {
        var weight = new sbyte[N * K];
        sbyte* quads = (sbyte*)Panels;
        int size = Steps.Size(Kind), width = PanelWidth;
        for (int column = 0; column < N; column++)
        {
            int panel = column / width, j = slotOfColumn is null ? column % width : slotOfColumn(column % width);
            for (int kk = 0; kk < K; kk++)
            {
                weight[column * K + kk] = quads[(((long)panel * StepCount + kk / size) * width + j) * 4 + kk % size];
            }
        }
        foreach (Correction c in pairedCorrections) weight[c.Column * K + c.K] += (sbyte)c.Delta;
        return weight;
    }
}

/// <summary>
/// One packing of a GEMM's weights: panels of <see cref="QGemm.PanelWidth"/> columns, <paramref name="steps"/> 32-bit
/// slots a column, and the epilogue whose per-channel arrays follow its column order.
/// </summary>
internal readonly unsafe struct PanelSet(byte* panels, int steps, Epilogue epilogue, int pairedSteps = 0, PanelCorrections? corrections = null)
{
    public int StepCount => steps;

    /// <summary>The leading steps the tiles may take two at a time (<see cref="StepPairing"/>): an even number, or 0.</summary>
    public int PairedSteps => pairedSteps;

    /// <summary>What the packed weights leave out of the sums, for the driver to add; null when they leave nothing.</summary>
    public PanelCorrections? Corrections => corrections;

    /// <summary>The same packing, every step taken alone: for rows with bytes above <see cref="QGemm.PairedLimit"/>.</summary>
    public PanelSet OneStepAtATime => new(panels, steps, epilogue, 0, corrections);

    public Epilogue Epilogue => epilogue;

    /// <summary>The panel that starts at column <paramref name="c0"/> (a multiple of the panel width).</summary>
    public byte* Panel(int c0) => panels + (long)c0 * steps * Steps.LaneBytes;
}

/// <summary>The register tiles of <see cref="GemmDriver{TTile, TExact}"/>: rows × columns, on which vector registers.</summary>
internal enum GemmTile
{
    /// <summary><see cref="XmmTile4x8{TStep}"/>: the portable path.</summary>
    Xmm4x8,

    /// <summary><see cref="YmmTile4x16{TStep}"/>: AVX2, and AVX-VNNI without AVX-512VL or for N ≤ 16.</summary>
    Ymm4x16,

    /// <summary>
    /// <see cref="YmmTile4x24{TStep}"/>: AVX2 where N is a multiple of 24 (or 24-column panels waste no more than 16-column
    /// ones), and AVX-VNNI where 24-column panels pad N less than 32-column ones.
    /// </summary>
    Ymm4x24,

    /// <summary><see cref="YmmTile4x32{TStep}"/>: AVX-VNNI on machines with AVX-512VL, for N above 16.</summary>
    Ymm4x32,

    /// <summary><see cref="YmmTile4x32ZmmEpilogue{TStep}"/>: as <see cref="Ymm4x32"/> where K is short and the machine has AVX-512BW.</summary>
    Ymm4x32ZmmEpilogue,

    /// <summary><see cref="ZmmTile4x32{TStep}"/>: AVX-512BW.</summary>
    Zmm4x32,
}

/// <summary>
/// The rows of A as the kernels read them: row m at <c>Start + m·Stride</c>, except the last, which is read from a
/// zero-padded copy so that whole steps never run past the caller's buffer.
/// </summary>
internal readonly unsafe struct Rows(byte* start, int stride, int count, byte* last)
{
    public int Count => count;

    /// <summary>Bytes from one row to the next, except into the last.</summary>
    public int Stride => stride;

    /// <summary>
    /// Rows <paramref name="first"/>…<paramref name="end"/> of a matrix of <paramref name="count"/> rows, stored from
    /// <paramref name="block"/> every <paramref name="stride"/> bytes; no other row may be read through it.
    /// </summary>
    public static Rows Block(byte* block, int stride, int first, int end, int count) =>
        new(block - (long)first * stride, stride, count, block + (long)(end - 1 - first) * stride);

    /// <summary>Row <paramref name="m"/>, clamped to the last row (tiles past the end recompute it and discard it).</summary>
    public byte* this[int m] => m >= count - 1 ? last : start + (long)m * stride;

    /// <summary>
    /// The first of four rows from <paramref name="m0"/> that a tile reads <see cref="Stride"/> apart: below the last row,
    /// or up to it where it lies in place (<see cref="LastInPlace"/>).
    /// </summary>
    public byte* Tile(int m0) => start + (long)m0 * stride;

    /// <summary>Whether the last row lies a stride after the one before it, not in a copy of its own.</summary>
    public bool LastInPlace => last == start + (long)(count - 1) * stride;

    /// <summary>Row <paramref name="m"/>'s sum from <paramref name="sums"/> (clamped like the rows), or 0 when there are none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Sum(int* sums, int m) => sums == null ? 0 : sums[Math.Min(m, count - 1)];
}
