using QuantGen;
using QuantGen.IO;

namespace MnistQuantization;

/// <summary>Top-1 and top-5 accuracy over a test set, in batches.</summary>
internal static class Accuracy
{
    public const int BatchSize = 64;

    /// <returns>Top-1 and top-5 in percent.</returns>
    public static (double Top1, double Top5) Evaluate(Variant variant, MnistSet test, int count, Action<int> progress)
    {
        int top1 = 0, top5 = 0;
        for (int start = 0; start < count; start += BatchSize)
        {
            int n = Math.Min(BatchSize, count - start);
            var logits = variant.Predict(test.ToTensor(start, n));
            int classes = logits.Size(1);
            for (int i = 0; i < n; i++)
            {
                int rank = RankOf(logits.Data.AsSpan(i * classes, classes), test.Labels[start + i]);
                if (rank == 0) top1++;
                if (rank < 5) top5++;
            }
            progress(n);
        }
        return (100.0 * top1 / count, 100.0 * top5 / count);
    }

    /// <summary>How many classes rank above <paramref name="label"/>; ties go to the lower index, as argmax does.</summary>
    private static int RankOf(ReadOnlySpan<float> logits, int label)
    {
        int rank = 0;
        for (int k = 0; k < logits.Length; k++)
        {
            if (logits[k] > logits[label] || (logits[k] == logits[label] && k < label)) rank++;
        }
        return rank;
    }
}
