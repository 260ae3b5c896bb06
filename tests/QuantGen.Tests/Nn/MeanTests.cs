using System.Runtime.InteropServices;
using System.Text.Json;
using QuantGen.Nn;

namespace QuantGen.Tests.Nn;

/// <summary>
/// <c>Functional.Mean</c> and <c>Tensor.Mean</c> against PyTorch 1.13's <c>torch.mean</c> (Fixtures/mean.json, made by
/// mean.py): bit for bit, along the last dimension and the others, over counts that reach each level of PyTorch's cascade.
/// </summary>
public sealed class MeanTests
{
    private static readonly Lazy<JsonDocument> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "mean.json"))));

    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, Fixture.Value.RootElement.GetProperty("cases").GetArrayLength())];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_mean_is_PyTorchs_bit_for_bit(int index)
    {
        JsonElement @case = Fixture.Value.RootElement.GetProperty("cases")[index];
        int[] dims = [.. @case.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())];
        int dim = @case.GetProperty("dim").GetInt32();
        float[] pytorch = Floats(@case.GetProperty("mean").GetString()!);

        float[] mean = Functional.Mean(Values(dims), dim).Data;

        Assert.Equal(pytorch.Length, mean.Length);
        for (int i = 0; i < mean.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(pytorch[i]) == BitConverter.SingleToInt32Bits(mean[i]), $"mean {i} of {new Shape(dims)} along {dim}: {mean[i]:R}, PyTorch {pytorch[i]:R}");
        }
    }

    [Fact]
    public void KeepDim_keeps_the_dimension_with_size_1_and_the_Tensor_method_is_the_function()
    {
        Tensor x = Values([2, 28, 5]);
        Assert.Equal(new Shape(2, 5), Functional.Mean(x, 1).Shape);
        Assert.Equal(new Shape(2, 1, 5), Functional.Mean(x, 1, keepDim: true).Shape);
        Assert.Equal(new Shape(2, 28), x.Mean(-1).Shape);
        Assert.Equal(Functional.Mean(x, 1).Data, x.Mean(1, keepDim: true).Data);
    }

    [Fact]
    public void Each_input_gets_its_outputs_gradient_divided_by_the_count()
    {
        Tensor x = Values([2, 3, 4]);
        x.RequiresGrad = true;
        Tensor y = Functional.Mean(x, 1);
        var dy = Tensor.FromArray([.. Enumerable.Range(1, 8).Select(v => (float)v)], 2, 4);
        y.Backward(dy);

        for (int n = 0; n < 2; n++)
        {
            for (int t = 0; t < 3; t++)
            {
                for (int f = 0; f < 4; f++) Assert.Equal(dy[n, f] / 3, x.Grad![n, t, f]);
            }
        }
    }

    [Fact]
    public void Bad_input_is_a_typed_error_naming_it()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Mean(Values([2, 3]), 2));
        var empty = Assert.Throws<ShapeMismatchException>(() => Functional.Mean(Tensor.Zeros(2, 0, 3), 1));
        Assert.Contains("[2, 0, 3]", empty.Message);
    }

    /// <summary>Value i is float32(((i·7919) mod 1000 − 500) / 37), as mean.py makes it.</summary>
    private static Tensor Values(int[] dims)
    {
        var t = new Tensor(new Shape(dims));
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)((i * 7919L % 1000 - 500) / 37.0);
        return t;
    }

    private static float[] Floats(string hex) => MemoryMarshal.Cast<byte, float>(Convert.FromHexString(hex)).ToArray();
}
