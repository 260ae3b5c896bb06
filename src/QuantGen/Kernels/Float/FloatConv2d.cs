namespace QuantGen.Kernels.Float;

/// <summary>
/// PyTorch's <c>Conv2d</c> in float32 on one thread: any stride, padding, dilation and groups, bias optional.
/// Input [N, Cin, H, W], weight [Cout, Cin / groups, kH, kW], output [N, Cout, OH, OW], all NCHW as PyTorch.
/// </summary>
/// <remarks>
/// Three algorithms, chosen from the geometry:
/// <list type="bullet">
/// <item>Pointwise (1×1, stride 1, no padding, one group): a GEMM, weight [Cout, Cin] times the input seen as
/// [Cin, N·H·W]. The whole batch is one product, so each weight is loaded once per call, not once per image.</item>
/// <item>Depthwise (groups = Cin, any channel multiplier): direct kernels, per plane or across channels (<c>DepthwiseConv</c>).</item>
/// <item>Everything else: per group, a GEMM against the im2col matrix, which is built panel by panel as the GEMM
/// consumes it (never whole), directly in the packed layout.</item>
/// </list>
/// Scratch comes from a per-thread pinned buffer that grows to the largest call and is reused, so steady-state
/// calls allocate nothing. Layers run more than once should pass a <see cref="PackedConvWeights"/>.
/// </remarks>
public static unsafe class FloatConv2d
{
    /// <summary>Runs the convolution with the weight as PyTorch stores it; repacks it into scratch when the algorithm needs.</summary>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output)
    {
        Check(g, input, bias, output);
        ConvChecks.Length(weight, g.WeightLength, "weight", g);
        if (g.Batch == 0) return;
        FloatKernelPath path = FloatKernelPaths.Current;
        int pixels = g.OutHeight * g.OutWidth, n = g.Batch * pixels;
        fixed (float* x = input, w = weight, b = bias, y = output)
        {
            float* biasOrNull = bias.IsEmpty ? null : b;
            if (g.IsDepthwise)
            {
                float* scratch = FloatScratch.Acquire(DepthwiseConv.ScratchFloats(g, weightsPacked: false));
                DepthwiseConv.Run(path, g, x, w, null, biasOrNull, y, scratch);
            }
            else if (g.IsPointwise && DirectConvOrder.Blocks(g) == 1)
            {
                float* scratch = FloatScratch.Acquire(MatrixProduct.RawScratchFloats(g.OutChannels, g.InChannels, n));
                var columns = BatchedMatrix.Activations(x, g.InChannels, pixels);
                MatrixProduct.WithRawA(path, w, g.InChannels, g.OutChannels, g.InChannels, columns, n, BatchedMatrix.Activations(y, g.OutChannels, pixels), biasOrNull, false, scratch);
            }
            else
            {
                long packedFloats = g.Groups * PackedConvWeights.GroupFloats(g);
                float* packed = FloatScratch.Acquire(packedFloats + BlockScratchFloats(g));
                int k = PackedConvWeights.GroupColumns(g), rows = g.OutChannelsPerGroup;
                for (int group = 0; group < g.Groups; group++)
                {
                    DirectConvOrder.PackGroup(g, w + (long)group * rows * k, packed + group * PackedConvWeights.GroupFloats(g));
                }
                ByChannelBlocks(path, g, x, packed, biasOrNull, y, packed + packedFloats);
            }
        }
    }

    /// <summary>Runs the convolution with weights packed once by <see cref="PackedConvWeights.Pack"/>.</summary>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> input, PackedConvWeights weights, ReadOnlySpan<float> bias, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Check(g, input, bias, output);
        if (!weights.Fits(g))
        {
            throw new ShapeMismatchException(
                $"Conv2d: the packed weights are for {weights.OutChannels}×{weights.InChannels / weights.Groups}×{weights.KernelHeight}×{weights.KernelWidth} " +
                $"in {weights.Groups} group(s), which does not fit {g}.");
        }
        if (g.Batch == 0) return;
        FloatKernelPath path = FloatKernelPaths.Current;
        fixed (float* x = input, b = bias, y = output)
        {
            float* biasOrNull = bias.IsEmpty ? null : b;
            if (g.IsDepthwise)
            {
                float* scratch = FloatScratch.Acquire(DepthwiseConv.ScratchFloats(g, weightsPacked: true));
                DepthwiseConv.Run(path, g, x, weights.PytorchOrder, weights.TapMajor, biasOrNull, y, scratch);
            }
            else
            {
                float* scratch = FloatScratch.Acquire(BlockScratchFloats(g));
                ByChannelBlocks(path, g, x, weights.GroupPanels(g, 0), biasOrNull, y, scratch);
            }
        }
    }

    /// <summary>
    /// Each group, in PyTorch's order (<see cref="DirectConvOrder"/>). A 1×1 kernel, or any kernel over one block of
    /// input channels, as one product that adds its blocks tile by tile (<see cref="KBlocks"/>); otherwise each block of
    /// input channels' packed weight rows times its im2col columns, the first block into the group's slice of output
    /// channels plus the bias, every later block into scratch and then added. <paramref name="panels"/> holds the groups'
    /// panels one after another, as <see cref="DirectConvOrder.PackGroup"/> lays them out.
    /// </summary>
    private static void ByChannelBlocks(FloatKernelPath path, in ConvGeometry g, float* input, float* panels, float* bias, float* output, float* scratch)
    {
        int pixels = g.OutHeight * g.OutWidth, rows = g.OutChannelsPerGroup, taps = g.KernelHeight * g.KernelWidth, n = g.Batch * pixels;
        bool fromBias = DirectConvOrder.StartsFromBias(g);
        if (fromBias || DirectConvOrder.Blocks(g) == 1)
        {
            // One product per group over all of k, which adds its blocks tile by tile (KBlocks): a 1×1 kernel's
            // (its k in channel order, its first block from the bias), or one block (the stem: its bias added after).
            var blocks = new KBlocks(g.InChannelsPerGroup * taps, DirectConvOrder.BlockChannels(g) * taps) { BiasAfterSum = !fromBias };
            for (int group = 0; group < g.Groups; group++)
            {
                float* groupPanels = panels + group * PackedConvWeights.GroupFloats(g);
                var target = BatchedMatrix.Activations(output + (long)group * rows * pixels, g.OutChannels, pixels);
                float* groupBias = bias == null ? null : bias + group * rows;
                if (g.IsPointwise)
                {
                    // Its columns are its input rows, read in place (no im2col).
                    var rowsInPlace = new MatrixColumns(BatchedMatrix.Activations(input, g.InChannels, pixels), g.InChannels);
                    MatrixProduct.WithPackedA(path, groupPanels, rows, blocks, ref rowsInPlace, n, target, groupBias, false, scratch);
                }
                else
                {
                    var columns = new Im2ColColumns(g, input, group, 0, g.InChannelsPerGroup);
                    MatrixProduct.WithPackedA(path, groupPanels, rows, blocks, ref columns, n, target, groupBias, false, scratch);
                }
            }
            return;
        }
        float* partial = scratch + MatrixProduct.PackedScratchFloats(DirectConvOrder.Channels(g, 0) * taps, n);
        var partialMatrix = BatchedMatrix.Activations(partial, rows, pixels);
        for (int group = 0; group < g.Groups; group++)
        {
            float* groupOutput = output + (long)group * rows * pixels;
            var target = BatchedMatrix.Activations(groupOutput, g.OutChannels, pixels);
            float* groupBias = bias == null ? null : bias + group * rows;
            float* groupPanels = panels + group * PackedConvWeights.GroupFloats(g);
            for (int block = 0; block < DirectConvOrder.Blocks(g); block++)
            {
                int firstChannel = DirectConvOrder.FirstChannel(g, block), channels = DirectConvOrder.Channels(g, block);
                float* blockPanels = groupPanels + (long)Panels.Padded(rows) * DirectConvOrder.FirstRow(g, block);
                bool first = block == 0;
                BatchedMatrix blockTarget = first ? target : partialMatrix;
                float* blockBias = first && fromBias ? groupBias : null;
                var columns = new Im2ColColumns(g, input, group, firstChannel, channels);
                MatrixProduct.WithPackedA(path, blockPanels, rows, channels * taps, ref columns, n, blockTarget, blockBias, false, scratch);
                if (first && !fromBias && groupBias != null) AddPerRow(g, groupOutput, groupBias, rows, pixels);
                if (!first) AddBlock(g, groupOutput, partial, rows, pixels);
            }
        }
    }

    /// <summary>The group's output channels (rows of <paramref name="output"/> in each image) plus their bias.</summary>
    private static void AddPerRow(in ConvGeometry g, float* output, float* bias, int rows, int pixels)
    {
        for (int image = 0; image < g.Batch; image++)
        {
            for (int r = 0; r < rows; r++)
            {
                var plane = new Span<float>(output + ((long)image * g.OutChannels + r) * pixels, pixels);
                ElementwiseKernels.ScaleShift(plane, 1f, bias[r], plane);
            }
        }
    }

    /// <summary>A later block's sums (<paramref name="partial"/>, [images, rows, pixels]) added to the group's output.</summary>
    private static void AddBlock(in ConvGeometry g, float* output, float* partial, int rows, int pixels)
    {
        for (int image = 0; image < g.Batch; image++)
        {
            var plane = new Span<float>(output + (long)image * g.OutChannels * pixels, rows * pixels);
            var sums = new ReadOnlySpan<float>(partial + (long)image * rows * pixels, rows * pixels);
            ElementwiseKernels.Add(plane, sums, plane);
        }
    }

    /// <summary>Scratch for <see cref="ByChannelBlocks"/>: the GEMM's for the largest block, and a later block's sums when there are several.</summary>
    private static long BlockScratchFloats(in ConvGeometry g)
    {
        int pixels = g.OutHeight * g.OutWidth, n = g.Batch * pixels;
        if (DirectConvOrder.StartsFromBias(g) || DirectConvOrder.Blocks(g) == 1)
        {
            return MatrixProduct.PackedScratchFloats(g.InChannelsPerGroup * g.KernelHeight * g.KernelWidth, n);
        }
        long partial = DirectConvOrder.Blocks(g) > 1 ? (long)g.Batch * g.OutChannelsPerGroup * pixels : 0;
        return MatrixProduct.PackedScratchFloats(DirectConvOrder.Channels(g, 0) * g.KernelHeight * g.KernelWidth, n) + partial;
    }

    private static void Check(in ConvGeometry g, ReadOnlySpan<float> input, ReadOnlySpan<float> bias, ReadOnlySpan<float> output)
    {
        ConvChecks.Geometry(g);
        ConvChecks.Length(input, g.InputLength, "input", g);
        ConvChecks.Length(output, g.OutputLength, "output", g);
        if (!bias.IsEmpty) ConvChecks.Length(bias, g.OutChannels, "bias", g);
    }
}
