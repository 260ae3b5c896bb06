using QuantGen.IO.Qgm;
using QuantGen.Kernels;

namespace QuantGen.Tests.IO;

/// <summary>The per-layer metadata spellings: every value written reads back, and nothing else reads.</summary>
public sealed class QgmMetadataTests
{
    [Theory]
    [InlineData(false, FusedActivation.ReLU, "ReLU")]
    [InlineData(false, FusedActivation.ReLU6, "ReLU6")]
    [InlineData(true, FusedActivation.None, "BatchNorm2d")]
    [InlineData(true, FusedActivation.ReLU, "BatchNorm2d+ReLU")]
    [InlineData(true, FusedActivation.ReLU6, "BatchNorm2d+ReLU6")]
    public void Every_fusion_is_spelled_and_read_back(bool folded, FusedActivation activation, string spelling)
    {
        var record = new FusionRecord(folded, activation);

        Assert.Equal(spelling, record.ToString());
        Assert.True(FusionRecord.TryParse(spelling, out var read));
        Assert.Equal(record, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("None")]
    [InlineData("relu")]
    [InlineData("ReLU+BatchNorm2d")]
    [InlineData("BatchNorm2d+BatchNorm2d")]
    [InlineData("BatchNorm2d+ReLU+ReLU6")]
    [InlineData("BatchNorm2d+")]
    public void Other_fusion_spellings_are_refused(string spelling) =>
        Assert.False(FusionRecord.TryParse(spelling, out _));

    [Fact]
    public void Substitute_kinds_are_read_by_name_only()
    {
        foreach (var kind in Enum.GetValues<SubstituteKind>())
        {
            Assert.True(SubstituteKinds.TryParse(kind.ToString(), out var read));
            Assert.Equal(kind, read);
        }
        Assert.False(SubstituteKinds.TryParse("3", out _));
        Assert.False(SubstituteKinds.TryParse("identity", out _));
    }

    [Theory]
    [InlineData("[]", "it is a JSON array, not an object")]
    [InlineData("{\"a\": 1}", "the value of \"a\" is not a string")]
    [InlineData("{\"a\": \"x\", \"a\": \"y\"}", "\"a\" appears twice")]
    [InlineData("{", "it is not valid JSON")]
    public void A_metadata_map_that_is_not_an_object_of_strings_is_refused(string text, string problem)
    {
        Assert.Null(MetadataMap.TryRead(text, out string found));
        Assert.Contains(problem, found);
    }

    [Fact]
    public void A_metadata_map_keeps_its_order_and_escapes()
    {
        (string, string)[] entries = [("z.0", "Identity"), ("a \"quoted\" path", "ReLU"), ("é", "x")];

        var read = MetadataMap.TryRead(MetadataMap.Write(entries), out _);

        Assert.Equal(entries, read);
    }
}
