namespace QuantGen.IO;

/// <summary>
/// An MNIST split: <see cref="Count"/> grey-scale images of <see cref="Rows"/> × <see cref="Cols"/> bytes
/// (0 = background, 255 = ink) and one label 0–9 per image, read from LeCun's idx files.
/// </summary>
public sealed class MnistSet
{
    public const string TrainImagesFileName = "train-images-idx3-ubyte.gz";
    public const string TrainLabelsFileName = "train-labels-idx1-ubyte.gz";
    public const string TestImagesFileName = "t10k-images-idx3-ubyte.gz";
    public const string TestLabelsFileName = "t10k-labels-idx1-ubyte.gz";

    /// <summary>The mean and standard deviation of the training pixels (scaled to [0, 1]), as PyTorch's MNIST examples normalise.</summary>
    public const float Mean = 0.1307f;
    public const float Std = 0.3081f;

    private const int ClassCount = 10;

    /// <summary>
    /// <see cref="Normalize"/> of every byte, built on first use rather than in a static initializer: NativeAOT runs
    /// static initializers at compile time in an interpreter that keeps float intermediates in double precision, and
    /// 39 of the 256 values came out one ulp away from <see cref="Normalize"/> (and from PyTorch). Two threads may
    /// both build it; they build the same table.
    /// </summary>
    private static float[] NormalizedByPixel => normalizedByPixel ??= BuildNormalizationTable();

    private static float[]? normalizedByPixel;

    private readonly byte[] pixels;
    private readonly byte[] labels;

    private MnistSet(int count, int rows, int cols, byte[] pixels, byte[] labels)
    {
        Count = count;
        Rows = rows;
        Cols = cols;
        this.pixels = pixels;
        this.labels = labels;
    }

    public int Count { get; }

    /// <summary>Images <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> as a set of their own (copied), e.g. a held-out subset.</summary>
    public MnistSet Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        int size = Rows * Cols;
        return new MnistSet(count, Rows, Cols, pixels.AsSpan(start * size, count * size).ToArray(), labels.AsSpan(start, count).ToArray());
    }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>All images, <see cref="Count"/> × <see cref="Rows"/> × <see cref="Cols"/> bytes, row-major.</summary>
    public ReadOnlySpan<byte> Pixels => pixels;

    /// <summary>One label (0–9) per image.</summary>
    public ReadOnlySpan<byte> Labels => labels;

    /// <summary>The pixels of image <paramref name="index"/>, row-major.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int size = Rows * Cols;
        return pixels.AsSpan(index * size, size);
    }

    /// <summary>Reads a pair of idx files (each raw or gzipped) holding the same number of images and labels.</summary>
    /// <exception cref="MnistFormatException">Either file is malformed, a label is not 0–9, or the counts differ.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static MnistSet Load(string imagesPath, string labelsPath)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        var images = IdxFile.Read(imagesPath, IdxFile.ImagesMagic);
        var labels = IdxFile.Read(labelsPath, IdxFile.LabelsMagic);

        int count = images.Dims[0];
        if (labels.Dims[0] != count)
        {
            throw new MnistFormatException(labelsPath,
                $"it holds {labels.Dims[0]} labels, but '{imagesPath}' holds {count} images; expected one label per image");
        }
        int badIndex = labels.Values.AsSpan().IndexOfAnyExceptInRange((byte)0, (byte)(ClassCount - 1));
        if (badIndex >= 0)
        {
            throw new MnistFormatException(labelsPath, $"the label of image {badIndex} is {labels.Values[badIndex]}; expected a digit 0–9");
        }
        return new MnistSet(count, images.Dims[1], images.Dims[2], images.Values, labels.Values);
    }

    /// <summary>The 60,000 training images from the standard file names in <paramref name="directory"/> (default: the shared MNIST folder).</summary>
    public static MnistSet LoadTrain(string? directory = null) => LoadPair(directory, TrainImagesFileName, TrainLabelsFileName);

    /// <summary>The 10,000 test images from the standard file names in <paramref name="directory"/> (default: the shared MNIST folder).</summary>
    public static MnistSet LoadTest(string? directory = null) => LoadPair(directory, TestImagesFileName, TestLabelsFileName);

    /// <summary>
    /// Images <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> as a
    /// [count, 1, Rows, Cols] float32 tensor, normalised as PyTorch's
    /// <c>Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])</c> does it: see <see cref="Normalize"/>.
    /// </summary>
    public Tensor ToTensor(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count - start);

        int size = Rows * Cols;
        var tensor = new Tensor(new Shape(count, 1, Rows, Cols));
        ReadOnlySpan<byte> source = pixels.AsSpan(start * size, count * size);
        Span<float> target = tensor.Span;
        for (int i = 0; i < source.Length; i++) target[i] = NormalizedByPixel[source[i]];
        return tensor;
    }

    /// <summary>
    /// One pixel as the model sees it: <c>(pixel / 255 - Mean) / Std</c>, each step rounded to float32 in
    /// that order, as PyTorch's <c>ToTensor</c> (a float32 division by 255) followed by <c>Normalize</c>
    /// (<c>sub_(mean).div_(std)</c>) computes it. Bit-identical to the PyTorch-made probe fixture; the
    /// order matters: multiplying by 1/255 or by 1/Std, or computing in double and rounding once, differs
    /// from it in 1,099, 209 and 12,122 of its 12,544 values.
    /// </summary>
    public static float Normalize(byte pixel) => (pixel / 255f - Mean) / Std;

    private static MnistSet LoadPair(string? directory, string imagesFileName, string labelsFileName)
    {
        directory ??= SharedData.MnistDirectory();
        return Load(Path.Combine(directory, imagesFileName), Path.Combine(directory, labelsFileName));
    }

    private static float[] BuildNormalizationTable()
    {
        var table = new float[256];
        for (int pixel = 0; pixel < table.Length; pixel++) table[pixel] = Normalize((byte)pixel);
        return table;
    }
}
