using QuantGen.IO;

namespace QuantGen.Tests.IO;

/// <summary>Small hand-written idx files, good and bad; every bad one is an <see cref="MnistFormatException"/> naming its file.</summary>
public sealed class MnistMalformedTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly string goodLabels;

    public MnistMalformedTests()
    {
        goodLabels = temp.WriteFile("labels.idx1", IdxFiles.Labels(3, 1, 4));
    }

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WellFormedFiles_Load_RawOrGzipped(bool gzip)
    {
        byte[] images = IdxFiles.Images(3, 2, 5, IdxFiles.Ramp(30));
        // Named against their content, so detection must go by the gzip magic bytes, not the extension.
        string path = temp.WriteFile(gzip ? "images.raw" : "images.gz", gzip ? IdxFiles.Gzip(images) : images);

        MnistSet set = MnistSet.Load(path, goodLabels);

        Assert.Equal((3, 2, 5), (set.Count, set.Rows, set.Cols));
        Assert.Equal(IdxFiles.Ramp(30), set.Pixels.ToArray());
        Assert.Equal([3, 1, 4], set.Labels.ToArray());
        Assert.Equal(IdxFiles.Ramp(30)[20..30], set.Image(2).ToArray());
        Assert.Equal(new Shape(3, 1, 2, 5), set.ToTensor(0, 3).Shape);
    }

    [Fact]
    public void LoadTest_FindsTheStandardNamesInADirectory()
    {
        File.WriteAllBytes(Path.Combine(temp.Path, MnistSet.TestImagesFileName), IdxFiles.Gzip(IdxFiles.Images(1, 28, 28, new byte[784])));
        File.WriteAllBytes(Path.Combine(temp.Path, MnistSet.TestLabelsFileName), IdxFiles.Gzip(IdxFiles.Labels(9)));

        MnistSet set = MnistSet.LoadTest(temp.Path);

        Assert.Equal(1, set.Count);
        Assert.Equal(9, set.Labels[0]);
    }

    [Fact]
    public void WrongMagic_LabelsGivenAsImages()
    {
        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(goodLabels, goodLabels));

        AssertNames(e, goodLabels, "the magic number is 0x00000801; expected 0x00000803 (idx3 unsigned bytes: MNIST images)");
    }

    [Fact]
    public void WrongMagic_NotAnIdxFileAtAll()
    {
        string path = temp.WriteFile("images.png", [0x89, (byte)'P', (byte)'N', (byte)'G', 0, 0, 0, 0]);

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(path, goodLabels));

        AssertNames(e, path, "the magic number is 0x89504E47; expected 0x00000803 (idx3 unsigned bytes: MNIST images)");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData(bool gzip)
    {
        byte[] images = IdxFiles.Images(3, 2, 5, IdxFiles.Ramp(30))[..^7];
        string path = temp.WriteFile("short.idx3", gzip ? IdxFiles.Gzip(images) : images);

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(path, goodLabels));

        AssertNames(e, path, "the data ends after 23 bytes; expected 30 (3 × 2 × 5)");
    }

    [Fact]
    public void TruncatedHeader()
    {
        string path = temp.WriteFile("header.idx3", IdxFiles.Images(3, 2, 5, [])[..10]);

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(path, goodLabels));

        AssertNames(e, path, "the file ends inside the header, in dimension 1; expected a 4-byte big-endian integer");
    }

    [Fact]
    public void TruncatedGzipStream()
    {
        byte[] gzip = IdxFiles.Gzip(IdxFiles.Images(300, 28, 28, IdxFiles.Ramp(300 * 784)));
        string path = temp.WriteFile("cut.gz", gzip[..(gzip.Length / 2)]);

        // Depending on where the cut lands the inflater reports corruption or simply ends early.
        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(path, goodLabels));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void CorruptGzipStream()
    {
        string path = temp.WriteFile("corrupt.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(path, goodLabels));

        Assert.Equal(path, e.FilePath);
        Assert.StartsWith("MNIST file '" + path + "': the gzip data is corrupt (", e.Message);
        Assert.EndsWith("expected a valid gzip stream", e.Message);
    }

    [Fact]
    public void TrailingBytes()
    {
        string path = temp.WriteFile("long.idx1", [.. IdxFiles.Labels(3, 1, 4), 5]);

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(temp.WriteFile("i.idx3", IdxFiles.Images(3, 1, 1, [1, 2, 3])), path));

        AssertNames(e, path, "the data goes on past the 3 bytes its header promises (3); expected it to end there");
    }

    [Fact]
    public void CountMismatchBetweenImagesAndLabels()
    {
        string images = temp.WriteFile("four.idx3", IdxFiles.Images(4, 1, 1, [1, 2, 3, 4]));

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(images, goodLabels));

        AssertNames(e, goodLabels, $"it holds 3 labels, but '{images}' holds 4 images; expected one label per image");
    }

    [Fact]
    public void LabelAboveNine()
    {
        string labels = temp.WriteFile("bad.idx1", IdxFiles.Labels(3, 10, 4));
        string images = temp.WriteFile("three.idx3", IdxFiles.Images(3, 1, 1, [1, 2, 3]));

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(images, labels));

        AssertNames(e, labels, "the label of image 1 is 10; expected a digit 0–9");
    }

    [Fact]
    public void NegativeDimension()
    {
        string path = temp.WriteFile("neg.idx3", IdxFiles.Images(-1, 28, 28, []));

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(path, goodLabels));

        AssertNames(e, path, "dimension 0 is -1; expected a non-negative size");
    }

    [Theory]
    [InlineData(int.MaxValue, 28, 28)]
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue)] // 2^93: a product that would overflow a long
    public void HeaderPromisingMoreThanAnArrayHolds(int count, int rows, int cols)
    {
        string path = temp.WriteFile("huge.idx3", IdxFiles.Images(count, rows, cols, [1, 2, 3]));

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(path, goodLabels));

        AssertNames(e, path, $"the header promises {count} × {rows} × {cols} bytes; expected at most {Array.MaxLength}");
    }

    [Fact]
    public void LyingHeader_DoesNotAllocateWhatItPromises()
    {
        // 1,000,000 images claimed (784 MB), 3 bytes present.
        string path = temp.WriteFile("liar.idx3", IdxFiles.Images(1_000_000, 28, 28, [1, 2, 3]));
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<MnistFormatException>(() => MnistSet.Load(path, goodLabels));

        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8 << 20);
        AssertNames(e, path, "the data ends after 3 bytes; expected 784000000 (1000000 × 28 × 28)");
    }

    [Fact]
    public void MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => MnistSet.Load(Path.Combine(temp.Path, "absent.gz"), goodLabels));
    }

    private static void AssertNames(MnistFormatException e, string path, string problem)
    {
        Assert.Equal(path, e.FilePath);
        Assert.Equal($"MNIST file '{path}': {problem}", e.Message);
    }
}
