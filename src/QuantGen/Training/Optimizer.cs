namespace QuantGen.Training;

/// <summary>
/// The base of the optimizers, as <c>torch.optim.Optimizer</c>: it holds the parameters, clears their gradients,
/// and updates each one in place from its <see cref="Tensor.Grad"/>. Parameters without a gradient are skipped.
/// </summary>
public abstract class Optimizer
{
    private readonly Tensor[] parameters;

    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = [.. parameters];
        if (this.parameters.Length == 0) throw new ArgumentException("An optimizer needs at least one parameter.", nameof(parameters));
        for (int i = 0; i < this.parameters.Length; i++)
        {
            if (this.parameters[i] is not { IsLeaf: true, IsQuantized: false })
            {
                throw new ArgumentException($"Parameter {i} ({this.parameters[i]}) is not a float leaf tensor, so it cannot be optimized.", nameof(parameters));
            }
        }
        LearningRate = learningRate;
    }

    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The step size; may be changed between steps (a schedule).</summary>
    public float LearningRate
    {
        get;
        set => field = value >= 0 && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), $"The learning rate must be finite and not negative, got {value}.");
    }

    /// <summary>Drops every gradient, as <c>zero_grad(set_to_none=True)</c>: the next backward starts from zero.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in parameters) parameter.Grad = null;
    }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            if (parameter.Grad is not { } gradient) continue;
            Update(i, parameter.Data, gradient.Data);
            parameter.MarkModified();
        }
    }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient.</summary>
    protected abstract void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient);
}
