using Microsoft.CodeAnalysis;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>Shape inference and fusion finding on models other than the baseline's, read through the generated constants.</summary>
public sealed class PlanningTests
{
    [Fact]
    public void Strides_padding_ceil_mode_properties_locals_and_residual_adds_are_planned()
    {
        GeneratorRun run = GeneratorHarness.Run(Sources.Residual);

        Assert.Null(run.Exception);
        // No QuantStub: shapes only, with QG0008 saying why there is no Int8 forward pass.
        Diagnostic noInt8 = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("QG0008", noInt8.Id);
        Assert.Contains("the model input reaches 'stem' without a QuantStub", noInt8.GetMessage());
        Assert.Empty(run.GeneratedCodeProblems);
        string text = run.Source("Sample.Residual.g.cs");
        Assert.Contains("public const int StemLength = 2048;", text);        // [8, 16, 16]: (32 + 2 − 3) / 2 + 1 = 16
        Assert.Contains("public const int AddLength = 2048;", text);         // body(y) + y
        Assert.Contains("public const int WidenLength = 4096;", text);       // [16, 16, 16]
        // ceil((16 + 2 − 3) / 2) + 1 = 9; the last window starts at 16 < 16 + padding, so it stays: [16, 9, 9] as PyTorch.
        Assert.Contains("public const int PoolLength = 1296;", text);
        Assert.Contains("public const int OutputLength = 10;", text);
        Assert.Contains("//   stem + stemRelu  [Fuse(\"Conv\", \"ReLU\")]", text);
        Assert.Contains("Activations = ObserverKind.Histogram", text);
        // fc's output goes to ReLU6, not ReLU: no Linear+ReLU fusion.
        Assert.DoesNotContain("fc + act", text);
    }

    [Fact]
    public void A_value_read_twice_is_not_fused_into_the_next_layer()
    {
        // y feeds both body and the add, so 'stem + stemRelu' still fuses but 'body' does not join anything.
        GeneratorRun run = GeneratorHarness.Run(Sources.Residual.Replace("[Fuse(\"Conv\", \"ReLU\")]", "[Fuse(\"Conv\", \"ReLU\")][Fuse(\"ReLU\", \"Conv\")]"));

        string text = run.Source("Sample.Residual.g.cs");
        Assert.Contains("//   stem + stemRelu  [Fuse(\"Conv\", \"ReLU\")]", text);
        Assert.DoesNotContain("stemRelu + body", text);
    }

    [Fact]
    public void Step_names_that_would_clash_in_Shapes_are_made_unique()
    {
        GeneratorRun run = GeneratorHarness.Run(Sources.Residual
            .Replace("stemRelu", "shapes")
            .Replace("body", "input")
            .Replace("gap", "inputLength"));

        Assert.Equal("QG0008", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.GeneratedCodeProblems);
        string text = run.Source("Sample.Residual.g.cs");
        Assert.Contains("Shapes2 =>", text);
        Assert.Contains("Input2 =>", text);
        Assert.Contains("InputLength2 =>", text);
    }

    [Fact]
    public void Adding_values_of_different_shapes_is_a_shape_error()
    {
        GeneratorRun run = GeneratorHarness.Run(Sources.Residual.Replace("var z = body.Forward(y) + y;", "var z = body.Forward(y) + x;"));

        var diagnostic = Assert.Single(run.Reported);
        Assert.Equal("QG0004", diagnostic.Id);
        Assert.Equal(
            "'+' (Add) expects two inputs of one shape, [8, 16, 16] (shape [8, 16, 16] after 'body'), but its input has [3, 32, 32] (shape [3, 32, 32], the model input)",
            diagnostic.GetMessage());
    }
}
