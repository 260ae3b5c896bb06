using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QuantGen.Kernels.Int8;

/// <summary>
/// A GEMM of one row that reads only the weights its nonzero activations meet. A zero byte adds nothing to
/// <c>Σ x·w</c> (the zero points' terms are the offsets' and the row sum's), so skipping it leaves every int32 sum, and
/// so every byte, as the reference's. Behind a ReLU half of a row's bytes are zero: MNIST MobileNetV2's projections at
/// 1×1 (576 or 960 → 160 or 320) see 51–54%, and at batch 1 each weight is read once, from L3, so their time is the
/// weights' bytes. Their panels hold four depths a slot (<see cref="StepKind.Quad"/>) and only 7% of the fours are all
/// zero; here the weights lie depth by depth (<see cref="QGemm.SparsePacking"/>), and each nonzero byte's row is read.
/// The whole batch-1 pass took about 0.87 of its time so (bench/RESULTS.md): the other layers' weights, with fewer
/// bytes passing through L2, stay there more often too.
/// </summary>
/// <remarks>
/// AVX-VNNI only: four nonzero depths at a time, their weight rows interleaved into <c>vpdpbusd</c>'s four-byte lanes by
/// the unpacks the depthwise kernels use (<see cref="DepthwiseQuads"/>), against the four activations broadcast. The
/// rows are stored in the unpacks' inverse order (<see cref="SlotOf"/>), so the sums come out in column order.
/// Writes nothing but its output: layers sharing one packing may run on several threads.
/// </remarks>
internal static unsafe class SparseRow
{
    /// <summary>Columns a chunk: four vectors of eight int32 sums.</summary>
    public const int Width = 32;

    /// <summary>The deepest row gathered on the stack (its offsets and bytes, 5 bytes a depth).</summary>
    private const int MaxDepth = 4096;

    /// <summary>
    /// Whether <paramref name="g"/>'s single rows may take this kernel: AVX-VNNI, at least one whole chunk of columns,
    /// and at least <see cref="MinWeightBytes"/> of weights.
    /// </summary>
    public static bool Applies(QGemm g) =>
        g.Path == Int8KernelPath.AvxVnni && AvxVnni.IsSupported && g.N >= Width && g.K <= MaxDepth && (long)g.K * g.N >= MinWeightBytes;

    /// <summary>
    /// The smallest weights this kernel takes. It pays for the bytes it does not read from L3 or memory with more
    /// instructions per byte it reads (four row offsets and eight unpacks a chunk of four depths): with the weights in L2,
    /// a layer called again and again at 55% zeros, 960 → 160 took 1.61 µs here against 1.26 on the panels and 576 → 160
    /// 0.97 against 0.82 (Sapphire Rapids). Smaller layers lose little in time either way, larger ones are unlikely to
    /// stay in L2 between a pass's calls; leaving out MNIST MobileNetV2's 576 → 160 (90 KB) cost its batch-1 pass 4%.
    /// </summary>
    internal const long MinWeightBytes = 64 * 1024;

    /// <summary>
    /// Row <paramref name="a"/> (K bytes) into <paramref name="y"/> (N bytes) when at least <see cref="MinZeroPercent"/>%
    /// of its bytes are zero; false, having written nothing, when too few are.
    /// </summary>
    public static bool TryRun(QGemm g, byte* a, byte* y, int rowSum)
    {
        int k = g.K;
        if (100 * Zeros(a, k) < MinZeroPercent * k) return false;
        SparsePanels weights = g.SparsePacking;
        int* rows = stackalloc int[k + 3];
        byte* values = stackalloc byte[k + 3];
        int count = Gather(a, k, weights.Stride, rows, values);
        RequantizeForm form = RequantizeForms.Of(g.Epilogue);
        switch (form)
        {
            case RequantizeForm.ZeroBasedFloatBits: Run<ZeroBasedFloatBitsRequantize>(g, weights, rows, values, count, rowSum, y); break;
            case RequantizeForm.ZeroBased: Run<ZeroBasedRequantize>(g, weights, rows, values, count, rowSum, y); break;
            case RequantizeForm.FullRange: Run<FullRangeRequantize>(g, weights, rows, values, count, rowSum, y); break;
            case RequantizeForm.Plain: Run<PlainRequantize>(g, weights, rows, values, count, rowSum, y); break;
            case RequantizeForm.Any: Run<AnyRequantize>(g, weights, rows, values, count, rowSum, y); break;
            default: throw RequantizeForms.Unhandled(form);
        }
        return true;
    }

    /// <summary>The share of zero bytes, in percent, from which a row takes this kernel.</summary>
    private const int MinZeroPercent = 40;

    /// <summary>Where column <paramref name="c"/> of a chunk lies in its stored row: the unpacks move byte j to lane <see cref="DepthwiseQuads.QuadOrder"/>(j), so column c goes where that lane is c.</summary>
    public static int SlotOf(int c) => Slots[c];

    private static readonly int[] Slots = InverseQuadOrder();

    private static int[] InverseQuadOrder()
    {
        var slots = new int[Width];
        for (int j = 0; j < Width; j++) slots[DepthwiseQuads.QuadOrder(j)] = j;
        return slots;
    }

    private static int Zeros(byte* a, int k)
    {
        int zeros = 0, i = 0;
        for (; i + 32 <= k; i += 32) zeros += BitOperations.PopCount(Vector256.Equals(Vector256.Load(a + i), Vector256<byte>.Zero).ExtractMostSignificantBits());
        for (; i < k; i++) zeros += a[i] == 0 ? 1 : 0;
        return zeros;
    }

    /// <summary>
    /// The nonzero bytes of <paramref name="a"/> and their rows' offsets in the packing, in depth order, without a branch
    /// per byte (half of them are zero, at random); the count rounded up to a four with zero bytes against row 0.
    /// </summary>
    private static int Gather(byte* a, int k, int stride, int* rows, byte* values)
    {
        int count = 0;
        for (int i = 0; i < k; i++)
        {
            byte x = a[i];
            rows[count] = i * stride;
            values[count] = x;
            count += x != 0 ? 1 : 0;
        }
        for (; (count & 3) != 0; count++)
        {
            rows[count] = 0;
            values[count] = 0;
        }
        return count;
    }

    [MethodImpl(HotLoop.Compiled)]
    private static void Run<TForm>(QGemm g, SparsePanels weights, int* rows, byte* values, int count, int rowSum, byte* y)
        where TForm : struct, IRequantizeForm
    {
        int n = g.N;
        Epilogue e = g.Epilogue;
        Vector256<int>* sums = stackalloc Vector256<int>[4];
        for (int c0 = 0; c0 < n; c0 += Width)
        {
            var requantizer = new PanelRequantizer(e, c0);
            int* offsets = requantizer.Offsets;
            Vector256<int> a0 = Vector256.Load(offsets), a1 = Vector256.Load(offsets + 8);
            Vector256<int> a2 = Vector256.Load(offsets + 16), a3 = Vector256.Load(offsets + 24);
            byte* w = weights.Pointer + c0;
            // Pointers, not an index: rows[i + 1] cost a sign extension and an add per load.
            byte* v = values;
            for (int* row = rows, end = rows + count; row < end; row += 4, v += 4)
            {
                var x = Vector256.Create(*(int*)v);
                Vector256<byte> r0 = Vector256.Load(w + row[0]), r1 = Vector256.Load(w + row[1]);
                Vector256<byte> r2 = Vector256.Load(w + row[2]), r3 = Vector256.Load(w + row[3]);
                Vector256<short> low01 = Avx2.UnpackLow(r0, r1).AsInt16(), high01 = Avx2.UnpackHigh(r0, r1).AsInt16();
                Vector256<short> low23 = Avx2.UnpackLow(r2, r3).AsInt16(), high23 = Avx2.UnpackHigh(r2, r3).AsInt16();
                a0 = VnniQuad.Dot(a0, x, Avx2.UnpackLow(low01, low23).AsInt32());
                a1 = VnniQuad.Dot(a1, x, Avx2.UnpackHigh(low01, low23).AsInt32());
                a2 = VnniQuad.Dot(a2, x, Avx2.UnpackLow(high01, high23).AsInt32());
                a3 = VnniQuad.Dot(a3, x, Avx2.UnpackHigh(high01, high23).AsInt32());
            }
            (sums[0], sums[1], sums[2], sums[3]) = (a0, a1, a2, a3);
            Vector256<byte> bytes = requantizer.Bytes<TForm>(sums, rowSum);
            int columns = Math.Min(Width, n - c0);
            if (columns == Width) bytes.Store(y + c0);
            else Epilogue256.StorePartial(bytes, y + c0, columns);   // out of line: inlined, a copy would cost the loop registers
        }
    }
}

/// <summary>
/// <see cref="SparseRow"/>'s packing: K rows of <see cref="Stride"/> bytes (N rounded up to whole chunks, zero past N),
/// row k holding every column's weight at depth k, each chunk's columns in <see cref="SparseRow.SlotOf"/>'s order.
/// </summary>
internal readonly unsafe struct SparsePanels(byte* pointer, int stride)
{
    public byte* Pointer => pointer;

    public int Stride => stride;
}
