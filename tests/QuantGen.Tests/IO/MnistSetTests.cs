using QuantGen.IO;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.IO;

/// <summary>The real MNIST files in ../shared/data/mnist.</summary>
public sealed class MnistSetTests
{
    private static readonly Lazy<MnistSet> Test = new(() => MnistSet.LoadTest());

    [Fact]
    public void TestSet_Has10000ImagesOf28By28()
    {
        MnistSet test = Test.Value;

        Assert.Equal(10_000, test.Count);
        Assert.Equal(28, test.Rows);
        Assert.Equal(28, test.Cols);
        Assert.Equal(10_000 * 28 * 28, test.Pixels.Length);
        Assert.Equal(10_000, test.Labels.Length);
    }

    [Fact]
    public void TrainSet_Has60000Images()
    {
        MnistSet train = MnistSet.LoadTrain(SharedData.MnistDirectory());

        Assert.Equal(60_000, train.Count);
        Assert.Equal((28, 28), (train.Rows, train.Cols));
        Assert.Equal(60_000, train.Labels.Length);
        AssertPlausibleClassCounts(train.Labels, minimum: 5_000, maximum: 7_000);
        Assert.Equal(5, train.Labels[0]); // the famous first training digit
    }

    [Fact]
    public void TestSet_LabelsAreDigitsWithPlausibleCounts()
    {
        MnistSet test = Test.Value;

        AssertPlausibleClassCounts(test.Labels, minimum: 850, maximum: 1_150);
        Assert.Equal([7, 2, 1, 0, 4, 1, 4, 9], test.Labels[..8].ToArray());
    }

    [Fact]
    public void TestImages_LookLikeDigits()
    {
        ReadOnlySpan<byte> first = Test.Value.Image(0);

        Assert.Equal(28 * 28, first.Length);
        Assert.Equal(0, first[0]);             // a black border
        Assert.Contains((byte)255, first.ToArray()); // and full ink somewhere
        Assert.InRange(first.ToArray().Count(p => p > 0), 50, 300);
    }

    [Fact]
    public void FirstSixteenTestImages_NormaliseBitForBitAsPyTorch()
    {
        Tensor expected = Fixtures.LoadProbeImages();

        Tensor actual = Test.Value.ToTensor(0, 16);

        Assert.Equal(new Shape(16, 1, 28, 28), actual.Shape);
        for (int i = 0; i < expected.Length; i++)
        {
            int want = BitConverter.SingleToInt32Bits(expected.Data[i]);
            int got = BitConverter.SingleToInt32Bits(actual.Data[i]);
            Assert.True(want == got, $"Value {i} (pixel {Test.Value.Pixels[i]}): expected {expected.Data[i]:R}, got {actual.Data[i]:R}.");
        }
    }

    [Fact]
    public void ToTensor_TakesTheRequestedSlice()
    {
        MnistSet test = Test.Value;

        Tensor slice = test.ToTensor(9_998, 2);

        Assert.Equal(new Shape(2, 1, 28, 28), slice.Shape);
        for (int i = 0; i < slice.Length; i++)
        {
            Assert.Equal(MnistSet.Normalize(test.Pixels[9_998 * 784 + i]), slice.Data[i]);
        }
    }

    [Fact]
    public void ToTensor_RejectsARangePastTheEnd()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Test.Value.ToTensor(9_999, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Test.Value.ToTensor(-1, 1));
    }

    [Fact]
    public void Normalize_MapsBackgroundAndInkAsPyTorch()
    {
        Assert.Equal(-0.42421296f, MnistSet.Normalize(0));
        Assert.Equal(2.8214867f, MnistSet.Normalize(255));
    }

    private static void AssertPlausibleClassCounts(ReadOnlySpan<byte> labels, int minimum, int maximum)
    {
        var counts = new int[10];
        foreach (byte label in labels)
        {
            Assert.InRange(label, (byte)0, (byte)9);
            counts[label]++;
        }
        Assert.All(counts, c => Assert.InRange(c, minimum, maximum));
    }
}
