using QuantGen.Autograd;
using QuantGen.Kernels.Float;

namespace QuantGen.Training;

/// <summary>Loss functions, as <c>torch.nn.functional</c>'s; each returns a scalar tensor that can be back-propagated.</summary>
public static class Losses
{
    /// <summary>
    /// Mean cross-entropy of <paramref name="logits"/> [N, C] against class indices, as <c>F.cross_entropy</c>
    /// (log-softmax and negative log-likelihood in one stable step).
    /// </summary>
    /// <exception cref="LabelOutOfRangeException">A label is not in [0, C).</exception>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2 || logits.Size(0) == 0)
        {
            throw new ShapeMismatchException("CrossEntropy", "logits [N, C] with N > 0", logits.Shape);
        }
        int rows = logits.Size(0), classes = logits.Size(1);
        if (labels.Length != rows)
        {
            throw new ShapeMismatchException($"CrossEntropy: {rows} rows of logits but {labels.Length} labels; expected one label per row.");
        }
        for (int n = 0; n < rows; n++)
        {
            if ((uint)labels[n] >= (uint)classes) throw new LabelOutOfRangeException(n, labels[n], classes);
        }

        var logProbabilities = GC.AllocateUninitializedArray<float>(logits.Length);
        NormalizationKernels.LogSoftmax(logits.Data, rows, classes, 1, logProbabilities);
        double sum = 0;
        for (int n = 0; n < rows; n++) sum -= logProbabilities[n * classes + labels[n]];
        var loss = new Tensor(new Shape(), [(float)(sum / rows)]);
        return GradMode.Records(logits) ? CrossEntropyGrad.Record(loss, logits, logProbabilities, labels.ToArray()) : loss;
    }

    /// <summary>As <see cref="CrossEntropy(Tensor, ReadOnlySpan{int})"/>, with byte labels (MNIST's).</summary>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<byte> labels)
    {
        var wide = new int[labels.Length];
        for (int i = 0; i < wide.Length; i++) wide[i] = labels[i];
        return CrossEntropy(logits, wide);
    }
}
