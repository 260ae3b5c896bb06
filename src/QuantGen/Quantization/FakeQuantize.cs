using QuantGen.Autograd;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// Simulates quantization in float for quantization-aware training, as PyTorch's <c>FakeQuantize</c>: while its
/// observer is enabled it records each input and refreshes the parameters; while fake quantization is enabled it
/// returns quantize → dequantize of the input, whose gradient is the straight-through estimator with the clamp mask.
/// Freeze the parameters with <see cref="DisableObserver"/> (PyTorch does so after some epochs of QAT).
/// </summary>
/// <remarks>
/// The state dict is PyTorch's: buffers <c>fake_quant_enabled</c> and <c>observer_enabled</c> (U8 [1]),
/// <c>scale</c> (F32) and <c>zero_point</c> (I32), one value per tensor or one per channel, then the observer as the
/// child <c>activation_post_process</c>. So a QAT checkpoint restores the frozen parameters and the flags.
/// </remarks>
public sealed class FakeQuantize : Module
{
    private int[] observerEnabled = [1];
    private int[] fakeQuantEnabled = [1];
    private Tensor scale = Tensor.FromArray([1f], 1);
    private int[] zeroPoint = [0];
    private QParams? cached;

    public FakeQuantize(Observer observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        RegisterIntegerBuffer("fake_quant_enabled", DType.U8, resizable: false, () => fakeQuantEnabled, v => fakeQuantEnabled = v);
        RegisterIntegerBuffer("observer_enabled", DType.U8, resizable: false, () => observerEnabled, v => observerEnabled = v);
        RegisterResizableBuffer("scale", () => scale, v => (scale, cached) = (v, null));
        RegisterIntegerBuffer("zero_point", DType.I32, resizable: true, () => zeroPoint, v => (zeroPoint, cached) = (v, null));
        ActivationPostProcess = RegisterModule(Layer.ObserverName, observer);
    }

    public Observer ActivationPostProcess { get; }

    public bool ObserverEnabled => observerEnabled[0] != 0;

    public bool FakeQuantEnabled => fakeQuantEnabled[0] != 0;

    /// <summary>
    /// The parameters in use: the observer's last, or the ones frozen when it was disabled (or loaded with a state
    /// dict). Null while the observer has seen nothing, as PyTorch's placeholder scale 1 means nothing either.
    /// </summary>
    public QParams? QParams => ActivationPostProcess.HasObserved ? cached ??= FromBuffers() : null;

    public FakeQuantize EnableObserver(bool enabled = true)
    {
        observerEnabled = [enabled ? 1 : 0];
        return this;
    }

    /// <summary>Freezes the quantization parameters at their current values.</summary>
    public FakeQuantize DisableObserver() => EnableObserver(false);

    public FakeQuantize EnableFakeQuant(bool enabled = true)
    {
        fakeQuantEnabled = [enabled ? 1 : 0];
        return this;
    }

    public FakeQuantize DisableFakeQuant() => EnableFakeQuant(false);

    /// <exception cref="NotCalibratedException">Fake quantization is on but nothing has been observed and the observer is off.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (ObserverEnabled)
        {
            ActivationPostProcess.Forward(input);
            Store(ActivationPostProcess.CalculateQParams());
        }
        if (!FakeQuantEnabled) return input;
        var qparams = QParams ?? throw new NotCalibratedException(Path.Length == 0 ? nameof(FakeQuantize) : $"'{Path}' ({nameof(FakeQuantize)})");
        return FakeQuantizeGrad.Apply(input, qparams);
    }

    protected override string ExtraRepr() =>
        $"fake_quant_enabled={FakeQuantEnabled}, observer_enabled={ObserverEnabled}, {ActivationPostProcess.GetType().Name}";

    private void Store(QParams qparams)
    {
        scale = Tensor.FromArray([.. qparams.Scales], qparams.Scales.Length);
        zeroPoint = [.. qparams.ZeroPoints];
        cached = qparams;
    }

    /// <summary>The parameters the buffers hold, with the observer's dtype, range and channel axis (what PyTorch keeps beside them).</summary>
    private QParams FromBuffers()
    {
        var observer = ActivationPostProcess;
        if (scale.Length != zeroPoint.Length)
        {
            throw new QuantizationException($"{(Path.Length == 0 ? nameof(FakeQuantize) : $"'{Path}'")} holds {scale.Length} scales but {zeroPoint.Length} zero points.");
        }
        int axis = observer is PerChannelMinMaxObserver perChannel ? perChannel.ChannelAxis : -1;
        return new QParams(scale.Data, zeroPoint, axis, observer.DType, observer.QuantMin, observer.QuantMax);
    }
}
