namespace QuantGen.Training;

/// <summary>A class label is outside [0, classes): the data and the model's output do not agree.</summary>
public sealed class LabelOutOfRangeException : QuantGenException
{
    public LabelOutOfRangeException(int index, int label, int classCount)
        : base($"Label {index} is {label}, outside the {classCount} classes [0, {classCount - 1}] of the logits.")
    {
        Index = index;
        Label = label;
        ClassCount = classCount;
    }

    /// <summary>The position of the label in the batch.</summary>
    public int Index { get; }

    public int Label { get; }

    public int ClassCount { get; }
}

/// <summary>
/// The loss became NaN or infinite. Training stopped before the backward pass and the optimizer step, so the
/// model holds the weights of the last good step; <see cref="Origin"/> names where the values first went bad.
/// </summary>
public sealed class NonFiniteLossException : QuantGenException
{
    public NonFiniteLossException(long step, float loss, string origin)
        : base($"Step {step}: the loss is {loss}. The first non-finite values come from {origin}. The weights are those of the last good step.")
    {
        Step = step;
        Loss = loss;
        Origin = origin;
    }

    /// <summary>The 1-based step that failed.</summary>
    public long Step { get; }

    public float Loss { get; }

    /// <summary>The layer (with its path) or op whose output first held a NaN or infinity.</summary>
    public string Origin { get; }
}
