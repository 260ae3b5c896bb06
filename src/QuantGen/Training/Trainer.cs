using QuantGen.Autograd;
using QuantGen.Nn;

namespace QuantGen.Training;

/// <summary>
/// The training step of a classifier: forward, cross-entropy, backward, optimizer step. A NaN or infinite loss
/// stops training before anything is updated, restores the running statistics the bad forward pass touched,
/// and names the layer whose output went bad first.
/// </summary>
public sealed class Trainer
{
    private readonly Module model;
    private readonly (string Name, Tensor Buffer)[] buffers;
    private readonly (string Name, Tensor Parameter)[] parameters;

    public Trainer(Module model, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        this.model = model;
        Optimizer = optimizer;
        buffers = [.. model.NamedBuffers()];
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
        var saved = SnapshotBuffers();
        Optimizer.ZeroGrad();
        logits = model.Forward(images);
        var loss = Losses.CrossEntropy(logits, labels);
        float value = loss.Data[0];
        if (!float.IsFinite(value))
        {
            RestoreBuffers(saved);
            throw new NonFiniteLossException(Step + 1, value, NonFiniteOrigin.Find(loss, images, parameters));
        }
        loss.Backward();
        Optimizer.Step();
        Step++;
        return value;
    }

    // Running statistics are small (a few floats per channel), so copying them each step costs nothing measurable.
    private float[][] SnapshotBuffers() => Array.ConvertAll(buffers, b => (float[])b.Buffer.Data.Clone());

    private void RestoreBuffers(float[][] saved)
    {
        for (int i = 0; i < buffers.Length; i++)
        {
            saved[i].CopyTo(buffers[i].Buffer.Data, 0);
            buffers[i].Buffer.MarkModified();
        }
    }
}
