using QuantGen;
using QuantGen.Autograd;
using QuantGen.IO;
using QuantGen.Nn;

namespace TrainSmallCnn;

/// <summary>Top-1 accuracy of a classifier on an MNIST split, in eval mode and without recording gradients.</summary>
internal static class Accuracy
{
    public static double TopOne(Module model, MnistSet set, int batchSize = 500)
    {
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        int correct = 0;
        for (int start = 0; start < set.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, set.Count - start);
            var logits = model.Forward(set.ToTensor(start, count));
            for (int i = 0; i < count; i++)
            {
                if (ArgMax(logits.Data.AsSpan(i * 10, 10)) == set.Labels[start + i]) correct++;
            }
        }
        model.Train();
        return (double)correct / set.Count;
    }

    /// <summary>How many rows of <paramref name="logits"/> [N, C] have their largest value at the label.</summary>
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        int classes = logits.Size(1), correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (ArgMax(logits.Data.AsSpan(i * classes, classes)) == labels[i]) correct++;
        }
        return correct;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best]) best = i;
        }
        return best;
    }
}
