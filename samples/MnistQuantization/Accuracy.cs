using QuantGen;
using QuantGen.IO;

namespace MnistQuantization;

/// <summary>Top-1 and top-5 accuracy over a test set, in batches.</summary>
internal static class Accuracy
{
    public const int BatchSize = 64;

    /// <summary>
    /// Batches run on every core when the variant may be called concurrently (a generated pass), else on one thread (an
    /// eager module is for one thread at a time); latency is timed elsewhere, on one.
    /// </summary>
    /// <returns>Top-1 and top-5 in percent.</returns>
    public static (double Top1, double Top5) Evaluate(Variant variant, MnistSet test, int count, Action<int> progress)
    {
        int top1 = 0, top5 = 0;
        var gate = new object();
        int batches = (count + BatchSize - 1) / BatchSize;
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = variant.ThreadSafe ? Environment.ProcessorCount : 1 }, b =>
        {
            int start = b * BatchSize, n = Math.Min(BatchSize, count - start);
            var logits = variant.Predict(test.ToTensor(start, n));
            int classes = logits.Size(1), hits1 = 0, hits5 = 0;
            for (int i = 0; i < n; i++)
            {
                int rank = RankOf(logits.Data.AsSpan(i * classes, classes), test.Labels[start + i]);
                if (rank == 0) hits1++;
                if (rank < 5) hits5++;
            }
            lock (gate)
            {
                top1 += hits1;
                top5 += hits5;
                progress(n);
            }
        });
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
