using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;
using QuantGen.Quantization;

namespace QuantGen.Compiled;

/// <summary>
/// One converted linear layer, as <see cref="CompiledConv2d"/>: an <see cref="Int8Linear"/> packed at convert. Over
/// samples of several rows ([*, F], PyTorch's Linear over the last dimension) it runs every row of every sample as
/// one GEMM; a sample stored channels-last (several channels of several values) is put in row order first and its
/// output back in channels-last order after, through scratch of its own.
/// </summary>
public sealed class CompiledLinear
{
    private readonly Int8Linear kernel;
    private readonly int rows, channels;
    private byte[] rowInput = [], rowOutput = [];
    private int reservedSamples;

    private CompiledLinear(QuantizedLinear layer, ActivationQParams inputQ, FusedActivation activation, int maxBatch, int rows, int channels)
    {
        Output = layer.Output;
        int[] bias = CompiledBias.For(layer.Bias, inputQ, layer.WeightQParams);
        kernel = new Int8Linear(layer.Weight, layer.WeightQParams, bias, layer.Source.InFeatures, layer.Source.OutFeatures,
            inputQ, Output, activation, maxRows: maxBatch * rows);
        (this.rows, this.channels) = (rows, channels);
        Reserve(maxBatch);
    }

    private CompiledLinear(CompiledLinear other, int maxBatch)
    {
        (kernel, Output, rows, channels) = (other.kernel.Fork(), other.Output, other.rows, other.channels);
        Reserve(maxBatch);
    }

    /// <summary>The output's qparams.</summary>
    public ActivationQParams Output { get; }

    /// <summary>
    /// The int8 form of the linear layer at <paramref name="path"/>, checked against the generated code's constants;
    /// its scratch is sized for <paramref name="maxBatch"/> samples a call, each of <paramref name="rows"/> rows of
    /// features, stored channels-last over <paramref name="channels"/> channels when that is above 1.
    /// </summary>
    public static CompiledLinear Create(
        Module model, string path, ActivationQParams input, int inFeatures, int outFeatures, FusedActivation activation, int maxBatch = 1,
        int rows = 1, int channels = 1)
    {
        var layer = CompiledModel.Substitute<QuantizedLinear>(model, path, "Linear");
        CompiledModel.Check(path, "the input features", inFeatures, layer.Source.InFeatures);
        CompiledModel.Check(path, "the output features", outFeatures, layer.Source.OutFeatures);
        CompiledModel.Check(path, "the fused activation ([Fuse])", activation, layer.Source.Activation);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        return For(layer, input, maxBatch, rows, channels);
    }

    /// <summary><paramref name="layer"/>'s int8 form for inputs under <paramref name="input"/>'s qparams: what an eager call builds.</summary>
    internal static CompiledLinear For(QuantizedLinear layer, ActivationQParams input, int maxBatch, int rows = 1, int channels = 1) =>
        new(layer, input, layer.Source.Activation, maxBatch, rows, channels);

    /// <summary>The same packed weights with row sums (and row-order scratch) of its own (<see cref="Int8Linear.Fork"/>), for another thread.</summary>
    public CompiledLinear Fork() => new(this, reservedSamples);

    /// <summary>Any number of samples: quint8 [batch, rows, inFeatures] → quint8 [batch, rows, outFeatures], one GEMM.</summary>
    public void Forward(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (channels == 1)
        {
            kernel.Forward(input, output);
            return;
        }
        int samples = input.Length / (rows * kernel.InFeatures);
        Reserve(samples);
        Span<byte> inRows = rowInput.AsSpan(0, input.Length), outRows = rowOutput.AsSpan(0, output.Length);
        ChannelsLast.ToChannelsFirst(input, channels, input.Length / (samples * channels), inRows);
        kernel.Forward(inRows, outRows);
        ChannelsLast.ToChannelsLast(outRows, channels, output.Length / (samples * channels), output);
    }

    /// <summary>Row-order scratch for <paramref name="samples"/> samples, when samples are stored channels-last.</summary>
    private void Reserve(int samples)
    {
        if (channels == 1 || samples <= reservedSamples) return;
        reservedSamples = samples;
        rowInput = new byte[samples * rows * kernel.InFeatures];
        rowOutput = new byte[samples * rows * kernel.OutFeatures];
    }
}
