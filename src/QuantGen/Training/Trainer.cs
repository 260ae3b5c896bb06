using QuantGen.Autograd;
using QuantGen.Nn;

namespace QuantGen.Training;

/// <summary>
/// The training step of a classifier: forward, cross-entropy, backward, optimizer step. A NaN or infinite loss
/// stops training before anything is updated, restores the buffers (running statistics, batch counters) the bad
/// forward pass touched, and names the layer whose output went bad first.
/// </summary>
public sealed class Trainer
{
    private readonly Module model;
    private readonly (string Name, Tensor Parameter)[] parameters;

    public Trainer(Module model, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        this.model = model;
        Optimizer = optimizer;
        parameters = [.. model.NamedParameters()];
    }

    public Optimizer Optimizer { get; }

    /// <summary>Steps completed.</summary>
    public long Step { get; private set; }

    /// <summary>One optimisation step on a batch; returns the batch's mean loss.</summary>
    /// <exception cref="NonFiniteLossException">The loss is NaN or infinite; nothing was updated.</exception>
    /// <exception cref="LabelOutOfRangeException">A label is outside the model's classes.</exception>
    public float TrainStep(Tensor images, ReadOnlySpan<int> labels) => TrainStep(images, labels, out _);

    /// <summary>As <see cref="TrainStep(Tensor, ReadOnlySpan{int})"/>, also giving the batch's logits (for a running accuracy).</summary>
    public float TrainStep(Tensor images, ReadOnlySpan<int> labels, out Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(images);
        model.Train();
        var buffers = model.BufferState();
        Optimizer.ZeroGrad();
        Tensor loss;
        try
        {
            logits = model.Forward(images);
            loss = Losses.CrossEntropy(logits, labels);
            if (!float.IsFinite(loss.Data[0]))
            {
                throw new NonFiniteLossException(Step + 1, loss.Data[0], NonFiniteOrigin.Find(loss, images, parameters));
            }
        }
        catch
        {
            // The failed forward pass moved the running statistics; put them back so the model is as after the last good step.
            model.LoadStateDict(buffers, strict: false);
            throw;
        }
        loss.Backward();
        Optimizer.Step();
        Step++;
        return loss.Data[0];
    }
}
