using QuantGen.Autograd;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// Simulates quantization in float for quantization-aware training, as PyTorch's <c>FakeQuantize</c>: while its
/// observer is enabled it records each input and refreshes the parameters; while fake quantization is enabled it
/// returns quantize → dequantize of the input, whose gradient is the straight-through estimator with the clamp mask.
/// Freeze the parameters with <see cref="DisableObserver"/> (PyTorch does so after some epochs of QAT).
/// </summary>
/// <remarks>The observer is the child <c>activation_post_process</c>, as in PyTorch; the enable flags are properties, not state-dict buffers yet.</remarks>
public sealed class FakeQuantize : Module
{
    public FakeQuantize(Observer observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ActivationPostProcess = RegisterModule(Layer.ObserverName, observer);
    }

    public Observer ActivationPostProcess { get; }

    public bool ObserverEnabled { get; private set; } = true;

    public bool FakeQuantEnabled { get; private set; } = true;

    /// <summary>The parameters in use: the observer's last, or the ones frozen when it was disabled. Null before any observation.</summary>
    public QParams? QParams { get; private set; }

    public FakeQuantize EnableObserver(bool enabled = true)
    {
        ObserverEnabled = enabled;
        return this;
    }

    /// <summary>Freezes the quantization parameters at their current values.</summary>
    public FakeQuantize DisableObserver() => EnableObserver(false);

    public FakeQuantize EnableFakeQuant(bool enabled = true)
    {
        FakeQuantEnabled = enabled;
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
            QParams = ActivationPostProcess.CalculateQParams();
        }
        if (!FakeQuantEnabled) return input;
        var qparams = QParams ?? throw new NotCalibratedException(Path.Length == 0 ? nameof(FakeQuantize) : $"'{Path}' ({nameof(FakeQuantize)})");
        return FakeQuantizeGrad.Apply(input, qparams);
    }
}
