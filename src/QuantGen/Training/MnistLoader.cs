using QuantGen.IO;

namespace QuantGen.Training;

/// <summary>One batch of images [N, 1, 28, 28] (normalised as <see cref="MnistSet.ToTensor"/>) and their labels.</summary>
public sealed record MnistBatch(Tensor Images, int[] Labels);

/// <summary>
/// Batches over an MNIST split, as PyTorch's <c>DataLoader</c>: each <see cref="NextEpoch"/> visits every image
/// once, shuffled by a generator seeded once, so the order of every epoch depends only on the seed.
/// </summary>
public sealed class MnistLoader
{
    private readonly MnistSet set;
    private readonly Random? shuffler;
    private readonly int[] order;
    private readonly float[] pixelValues = new float[256];

    public MnistLoader(MnistSet set, int batchSize, bool shuffle = true, int seed = 0, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        this.set = set;
        BatchSize = batchSize;
        DropLast = dropLast;
        shuffler = shuffle ? new Random(seed) : null;
        order = [.. Enumerable.Range(0, set.Count)];
        for (int pixel = 0; pixel < pixelValues.Length; pixel++) pixelValues[pixel] = MnistSet.Normalize((byte)pixel);
    }

    public int BatchSize { get; }

    public bool DropLast { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => DropLast ? set.Count / BatchSize : (set.Count + BatchSize - 1) / BatchSize;

    /// <summary>The next epoch's batches (reshuffled if shuffling). Enumerate each epoch once, in order.</summary>
    public IEnumerable<MnistBatch> NextEpoch()
    {
        // Shuffle eagerly, so that the epoch's order is fixed when it is asked for, not when first enumerated.
        shuffler?.Shuffle(order);
        var epoch = (int[])order.Clone();
        return Batches(epoch);
    }

    private IEnumerable<MnistBatch> Batches(int[] epoch)
    {
        for (int batch = 0; batch < BatchCount; batch++)
        {
            int start = batch * BatchSize, count = Math.Min(BatchSize, epoch.Length - start);
            yield return Gather(epoch.AsSpan(start, count));
        }
    }

    private MnistBatch Gather(ReadOnlySpan<int> indices)
    {
        int size = set.Rows * set.Cols;
        var images = new Tensor(new Shape(indices.Length, 1, set.Rows, set.Cols));
        var labels = new int[indices.Length];
        var target = images.Data;
        for (int i = 0; i < indices.Length; i++)
        {
            var source = set.Image(indices[i]);
            for (int p = 0; p < size; p++) target[i * size + p] = pixelValues[source[p]];
            labels[i] = set.Labels[indices[i]];
        }
        return new MnistBatch(images, labels);
    }
}
