namespace QuantGen.Training;

/// <summary>
/// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, in float32 with
/// <c>torch.optim.SGD</c>'s formulas and order: g = ∇ + wd·p; b = g on the first step, else b = μ·b + (1 − τ)·g;
/// g = g + μ·b with Nesterov, else b; p = p − lr·g.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[]?[] momentumBuffers;

    public Sgd(IEnumerable<Tensor> parameters, float learningRate, float momentum = 0, float dampening = 0, float weightDecay = 0, bool nesterov = false)
        : base(parameters, learningRate)
    {
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must not be negative, got {momentum}.");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must not be negative, got {weightDecay}.");
        if (nesterov && (momentum <= 0 || dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum needs a positive momentum and zero dampening, as in PyTorch.");
        }
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        momentumBuffers = new float[]?[Parameters.Count];
    }

    public float Momentum { get; }
    public float Dampening { get; }
    public float WeightDecay { get; }
    public bool Nesterov { get; }

    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        float lr = LearningRate;
        bool firstStep = momentumBuffers[index] is null;
        var buffer = Momentum == 0 ? null : momentumBuffers[index] ??= new float[parameter.Length];
        for (int i = 0; i < parameter.Length; i++)
        {
            float g = WeightDecay == 0 ? gradient[i] : gradient[i] + WeightDecay * parameter[i];
            if (buffer is not null)
            {
                buffer[i] = firstStep ? g : buffer[i] * Momentum + (1 - Dampening) * g;
                g = Nesterov ? g + Momentum * buffer[i] : buffer[i];
            }
            parameter[i] += -lr * g;
        }
    }
}
