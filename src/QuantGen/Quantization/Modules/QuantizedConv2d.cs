using QuantGen.Compiled;
using QuantGen.Kernels;
using QuantGen.Kernels.Int8;
using QuantGen.Kernels.Reference;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// A convolution in int8, as PyTorch's quantized <c>Conv2d</c>/<c>ConvReLU2d</c> (and <c>Conv1d</c>/<c>ConvReLU1d</c>,
/// which PyTorch runs as the 2-D kernel over one row): quint8 in and out, qint8 weights (per tensor or per output
/// channel), the fused activation as the output clamp.
/// </summary>
/// <remarks>
/// It runs the generated pass's kernels (<see cref="CompiledConv2d"/>), built for the first input's shape and qparams
/// and again when they change, on channels-last bytes; its output stays channels-last for the next int8 layer, and is
/// read in PyTorch's order by anything else. Convolutions those kernels do not take (grouped ones other than
/// depthwise) run the reference kernel.
/// </remarks>
public sealed class QuantizedConv2d : QuantizedWeightLayer
{
    private Built<ConvInput, KernelPool<CompiledConv2d>>? compiled;

    internal QuantizedConv2d(Conv2d source, sbyte[] weight, WeightQParams weightQParams, ActivationQParams output)
        : base(weight, weightQParams, source.Bias)
    {
        Source = source;
        Output = output;
    }

    /// <summary>The float convolution this came from: its shapes, stride, padding, groups and fused activation.</summary>
    [field: NotAChild]
    public Conv2d Source { get; }

    internal override Tensor FloatWeight => Source.Weight;

    public ActivationQParams Output { get; }

    public override Tensor Forward(Tensor input)
    {
        QuantizedInput.Require(input, this, "QuantizedConv2d");
        var geometry = Source.GeometryFor(input);
        var shape = Source.OutputShape(geometry);
        var values = GC.AllocateUninitializedArray<byte>(geometry.OutputLength);   // the kernels write every byte
        if (EagerKernels.Reference || !Int8Conv2d.Supports(geometry))
        {
            QConv2d.Forward(geometry, input.QuantizedData, input.QParams(), Weight, WeightQParams, QuantizedBiasFor(input.QuantScale),
                Output, Source.Activation, values);
            return Tensor.FromQuantized(shape, values, Output.Scale, Output.ZeroPoint);
        }

        using (var conv = KernelsFor(geometry, input.QParams()).Rent())
        {
            conv.Kernel.Forward(input.QuantizedChannelsLast(), values, geometry.Batch);
        }
        return Tensor.FromChannelsLast(shape, values, Output.Scale, Output.ZeroPoint);
    }

    /// <summary>The compiled convolution for this input, built again when its shape, qparams or kernel path differ, or its batch is larger.</summary>
    private KernelPool<CompiledConv2d> KernelsFor(in ConvGeometry geometry, ActivationQParams inputQ)
    {
        var key = new ConvInput(geometry, inputQ, Int8KernelPaths.Current);
        if (compiled is { } built && built.Key.Serves(key)) return built.Kernel;

        var pool = new KernelPool<CompiledConv2d>(CompiledConv2d.For(this, inputQ, geometry), conv => conv.Fork());
        compiled = new(key, pool);
        return pool;
    }

    protected override string ExtraRepr() =>
        $"{Source.InChannels}, {Source.OutChannels}, kernel_size=({Source.KernelSize.Height}, {Source.KernelSize.Width}), " +
        $"scale={Output.Scale}, zero_point={Output.ZeroPoint}{(Source.Activation == default ? "" : $", fused={Source.Activation}")}";

    /// <summary>What a compiled convolution is built for: the shapes (the batch is the most samples a call runs), the input's qparams, the kernel path.</summary>
    private readonly record struct ConvInput(ConvGeometry Geometry, ActivationQParams Input, Int8KernelPath Path)
    {
        /// <summary>Whether kernels built for this serve <paramref name="call"/>: the same in all but a batch no larger.</summary>
        public bool Serves(ConvInput call) => call.Geometry.Batch <= Geometry.Batch && call with { Geometry = call.Geometry with { Batch = Geometry.Batch } } == this;
    }
}
