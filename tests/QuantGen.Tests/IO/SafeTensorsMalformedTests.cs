using QuantGen.IO;
using QuantGen.Tests.Infrastructure;

namespace QuantGen.Tests.IO;

/// <summary>
/// Each kind of damage, made from the real small_cnn file or from a hand-written header. Every error must be
/// a <see cref="SafeTensorsException"/> that names the file and the tensor (when one is at fault); each test
/// pins the problem text, which says what was found and what was expected.
/// </summary>
public sealed class SafeTensorsMalformedTests
{
    private const string Name = "crafted.safetensors";

    // small_cnn's layout: a 944-byte header, then 106,896 data bytes; conv1.weight is F32 [8, 1, 3, 3] at [0, 288].
    private static readonly byte[] SmallCnn = File.ReadAllBytes(Fixtures.SmallCnnWeights);

    [Fact]
    public void TruncatedInsideTheHeader()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteFile("cut_in_header.safetensors", SmallCnn[..500]);

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(path));

        AssertNames(e, path, key: null);
        Assert.Contains("header length is 944 bytes, but only 492 bytes follow", e.Problem);
    }

    [Fact]
    public void TruncatedInsideTheData()
    {
        using var temp = new TempDirectory();
        string path = temp.WriteFile("cut_in_data.safetensors", SmallCnn[..(8 + 944 + 1000)]);

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Load(path));

        // conv2.weight is the first tensor (in header order) that reaches past the 1000 bytes left.
        AssertNames(e, path, "conv2.weight");
        Assert.Contains("data_offsets [424, 5032] end beyond the data buffer, which holds 1000 bytes", e.Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void ShorterThanTheLengthPrefix(int length)
    {
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(SmallCnn.AsSpan(0, length), Name));

        AssertNames(e, Name, key: null);
        Assert.Contains($"is {length} bytes long; expected at least the 8-byte header length", e.Problem);
    }

    [Theory]
    [InlineData(7)] // the top byte flipped: 2^63 and more, must not be allocated
    [InlineData(4)]
    [InlineData(2)]
    public void HeaderLengthLargerThanTheFile(int byteToFlip)
    {
        byte[] file = (byte[])SmallCnn.Clone();
        file[byteToFlip] ^= 0xFF;

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, key: null);
        Assert.Contains($"but only {file.Length - 8} bytes follow the length prefix; expected at most {file.Length - 8}", e.Problem);
    }

    [Fact]
    public void SpanDoesNotMatchDTypeTimesShape()
    {
        byte[] file = SafeTensorsFiles.ReplaceInHeader(SmallCnn, "\"data_offsets\":[0,288]", "\"data_offsets\":[0,300]");

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, "conv1.weight");
        Assert.Equal("data_offsets [0, 300] span 300 bytes, but a F32 tensor of shape [8, 1, 3, 3] needs 288", e.Problem);
    }

    [Fact]
    public void EndBeyondTheData()
    {
        // fc2.bias is last; grown to 12 elements its span is consistent but runs 8 bytes past the buffer.
        byte[] file = SafeTensorsFiles.ReplaceInHeader(SmallCnn,
            "\"fc2.bias\":{\"dtype\":\"F32\",\"shape\":[10],\"data_offsets\":[106856,106896]}",
            "\"fc2.bias\":{\"dtype\":\"F32\",\"shape\":[12],\"data_offsets\":[106856,106904]}");

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, "fc2.bias");
        Assert.Equal("data_offsets [106856, 106904] end beyond the data buffer, which holds 106896 bytes; expected offsets within [0, 106896]", e.Problem);
    }

    [Fact]
    public void OverlappingTensors()
    {
        byte[] file = SafeTensorsFiles.ReplaceInHeader(SmallCnn, "[288,320]", "[280,312]");

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, "bn1.weight");
        Assert.Contains("data_offsets [280, 312] overlap tensor 'conv1.weight' at [0, 288]", e.Problem);
        Assert.Contains("expected the tensor to begin at 288", e.Problem);
    }

    [Fact]
    public void GapBetweenTensors()
    {
        byte[] file = SafeTensorsFiles.ReplaceInHeader(SmallCnn, "[288,320]", "[296,328]");

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, "bn1.weight");
        Assert.Contains("leave bytes [288, 296) of the data buffer unused after tensor 'conv1.weight' at [0, 288]", e.Problem);
        Assert.Contains("expected the tensor to begin at 288", e.Problem);
    }

    [Fact]
    public void TrailingBytesAfterTheLastTensor()
    {
        byte[] file = [.. SmallCnn, 1, 2, 3, 4, 5, 6, 7, 8];

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, key: null);
        Assert.Contains("the tensors end at byte 106896 of the data buffer, but it holds 106904 bytes; expected no trailing bytes", e.Problem);
    }

    [Fact]
    public void EmptyTensorInsideAnother_IsAnOverlap()
    {
        string header = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}""";

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(SafeTensorsFiles.Compose(header, 8), Name));

        AssertNames(e, Name, "e");
        Assert.Contains("overlap tensor 'a' at [0, 8]", e.Problem);
    }

    [Fact]
    public void EmptyTensorsAtTheSameOffset_AreAllowed()
    {
        string header = """{"a":{"dtype":"I8","shape":[0,7],"data_offsets":[0,0]},"b":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"c":{"dtype":"I32","shape":[0],"data_offsets":[0,0]}}""";

        StateDict dict = SafeTensors.Read(SafeTensorsFiles.Compose(header, [7, 8, 9]), Name);

        Assert.Equal(["a", "b", "c"], dict.Keys);
        Assert.Equal([7, 8, 9], dict["b"].ToUInt8());
    }

    [Theory]
    [InlineData("F64")]
    [InlineData("BOOL")]
    [InlineData("F8_E4M3")]
    [InlineData("f32")]
    public void UnsupportedDType(string dtype)
    {
        byte[] file = SafeTensorsFiles.ReplaceInHeader(SmallCnn,
            "\"conv1.weight\":{\"dtype\":\"F32\"", $"\"conv1.weight\":{{\"dtype\":\"{dtype}\"");

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, "conv1.weight");
        Assert.Equal($"dtype \"{dtype}\" is not supported; QuantGen reads F32, F16, BF16, I64, I32, I8, U8", e.Problem);
    }

    [Fact]
    public void MalformedJson()
    {
        byte[] file = SafeTensorsFiles.ReplaceInHeader(SmallCnn, "\"shape\":[8,1,3,3]", "\"shape\":[8,1,3,3");

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, key: null);
        Assert.StartsWith("the header is not valid JSON (", e.Problem);
        Assert.Contains("expected a JSON object of tensor entries", e.Problem);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(e.InnerException);
    }

    [Fact]
    public void HeaderThatIsNotUtf8()
    {
        byte[] file = SafeTensorsFiles.ReplaceInHeader(SmallCnn, "conv2.bias", "conv2.bia\u00e9");
        int at = SafeTensorsFiles.HeaderText(file).IndexOf('\u00e9') + 8;
        file[at + 1] = 0xFF; // the second byte of é's two-byte UTF-8 sequence, no longer a continuation byte

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, key: null);
        Assert.Contains("not valid UTF-8; expected UTF-8 JSON text", e.Problem);
    }

    [Theory]
    [InlineData("\"shape\":[8,1,3,3]", "\"shape\":\"8,1,3,3\"", "\"shape\" is the string \"8,1,3,3\"; expected an array of non-negative integers")]
    [InlineData("\"shape\":[8,1,3,3]", "\"shape\":[8,1,-3,-3]", "dimension 2 of \"shape\" is the number -3; expected an integer in [0, 2147483647]")]
    [InlineData("\"shape\":[8,1,3,3]", "\"shape\":[8,1,3,3.0]", "dimension 3 of \"shape\" is the number 3.0; expected an integer in [0, 2147483647]")]
    [InlineData("\"shape\":[8,1,3,3]", "\"shape\":[8,1,null,3]", "dimension 2 of \"shape\" is null; expected an integer in [0, 2147483647]")]
    [InlineData("\"dtype\":\"F32\",\"shape\":[8,1,3,3]", "\"dtype\":32,\"shape\":[8,1,3,3]", "\"dtype\" is the number 32; expected a string such as \"F32\"")]
    [InlineData("\"data_offsets\":[0,288]", "\"data_offsets\":[0,144,288]", "\"data_offsets\" is an array of 3 items; expected an array of two byte offsets [begin, end]")]
    [InlineData("\"data_offsets\":[0,288]", "\"data_offsets\":{\"begin\":0}", "\"data_offsets\" is an object; expected an array of two byte offsets [begin, end]")]
    [InlineData("\"data_offsets\":[0,288]", "\"data_offsets\":[\"0\",288]", "the begin of \"data_offsets\" is the string \"0\"; expected a non-negative integer")]
    [InlineData("\"data_offsets\":[0,288]", "\"data_offsets\":[0,-288]", "the end of \"data_offsets\" is the number -288; expected a non-negative integer")]
    [InlineData("\"data_offsets\":[0,288]", "\"data_offsets\":[288,0]", "data_offsets [288, 0] end before they begin; expected begin <= end")]
    [InlineData(",\"data_offsets\":[0,288]", "", "the entry has no \"data_offsets\" field; expected \"dtype\", \"shape\" and \"data_offsets\"")]
    [InlineData("\"data_offsets\":[0,288]", "\"data_offsets\":[0,288],\"strides\":[9,9,3,1]", "the entry has an unexpected field \"strides\"; expected exactly \"dtype\", \"shape\" and \"data_offsets\"")]
    [InlineData("\"data_offsets\":[0,288]", "\"data_offsets\":[0,288],\"dtype\":\"F32\"", "the entry has the field \"dtype\" twice; expected each of \"dtype\", \"shape\" and \"data_offsets\" once")]
    [InlineData("{\"dtype\":\"F32\",\"shape\":[8,1,3,3],\"data_offsets\":[0,288]}", "[0,288]", "the entry is an array of 2 items; expected an object with \"dtype\", \"shape\" and \"data_offsets\"")]
    public void WrongFieldTypesInConv1Weight(string oldText, string newText, string expectedProblem)
    {
        const string Entry = "{\"dtype\":\"F32\",\"shape\":[8,1,3,3],\"data_offsets\":[0,288]}";
        string damaged = Entry.Replace(oldText, newText);
        Assert.NotEqual(Entry, damaged);
        byte[] file = SafeTensorsFiles.ReplaceInHeader(SmallCnn, "\"conv1.weight\":" + Entry, "\"conv1.weight\":" + damaged);

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(file, Name));

        AssertNames(e, Name, "conv1.weight");
        Assert.Equal(expectedProblem, e.Problem);
    }

    [Theory]
    [InlineData("""{"__metadata__":{"format":1}}""", "\"__metadata__\" entry \"format\" is the number 1; expected a string")]
    [InlineData("""{"__metadata__":["pt"]}""", "\"__metadata__\" is an array of 1 item; expected an object of string values")]
    [InlineData("""{"__metadata__":{},"__metadata__":{}}""", "the header has two \"__metadata__\" entries; expected at most one")]
    [InlineData("""[{"dtype":"F32"}]""", "the header is an array of 1 item; expected a JSON object mapping tensor names to entries")]
    public void WrongTypesOutsideAnyTensor(string header, string expectedProblem)
    {
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(SafeTensorsFiles.Compose(header, 0), Name));

        AssertNames(e, Name, key: null);
        Assert.Equal(expectedProblem, e.Problem);
    }

    [Fact]
    public void DuplicateTensorName()
    {
        string header = """{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""";

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(SafeTensorsFiles.Compose(header, 2), Name));

        AssertNames(e, Name, "w");
        Assert.Equal("the name appears twice in the header; expected each tensor name once", e.Problem);
    }

    [Fact]
    public void ShapeWhoseSizeOverflows()
    {
        string header = """{"big":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,4]}}""";

        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(SafeTensorsFiles.Compose(header, 4), Name));

        AssertNames(e, Name, "big");
        Assert.Contains("would need more than 9223372036854775807 bytes", e.Problem);
    }

    [Theory]
    [InlineData("""{"a\ud800":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}""")]
    [InlineData("""{"a":{"dtype":"F\udc0032","shape":[0],"data_offsets":[0,0]}}""")]
    [InlineData("""{"__metadata__":{"k":"\ud800"}}""")]
    public void EscapedLoneSurrogate(string header)
    {
        // Valid UTF-8, valid JSON, but not Unicode text once unescaped.
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(SafeTensorsFiles.Compose(header, 0), Name));

        AssertNames(e, Name, key: null);
        Assert.StartsWith("a string in the header escapes an unpaired UTF-16 surrogate", e.Problem);
        Assert.EndsWith("expected escapes of valid Unicode text", e.Problem);
    }

    [Fact]
    public void NullMetadata_IsReadAsNone()
    {
        StateDict dict = SafeTensors.Read(SafeTensorsFiles.Compose("""{"__metadata__":null}""", 0), Name);

        Assert.Empty(dict);
        Assert.Empty(dict.Metadata);
    }

    [Fact]
    public void ErrorsAreQuantGenExceptions_SoOneCatchHandlesThemAll()
    {
        Assert.IsAssignableFrom<QuantGenException>(
            Assert.Throws<SafeTensorsException>(() => SafeTensors.Read(new byte[3], Name)));
    }

    private static void AssertNames(SafeTensorsException e, string file, string? key)
    {
        Assert.Equal(file, e.FilePath);
        Assert.Equal(key, e.Key);
        Assert.Contains(file, e.Message);
        if (key is not null) Assert.Contains($"'{key}'", e.Message);
    }
}
