using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>
/// Broken and half-written versions of the annotated small CNN and the residual model through the driver: the generator never throws
/// (the driver would report CS8785), and whatever it generates compiles, or a QG diagnostic says why not.
/// </summary>
public sealed class NeverThrowsTests
{
    /// <summary>Hand-written mutations: wrong argument types, non-constant arguments, missing pieces, odd Forwards.</summary>
    private static readonly (string From, string To)[] Edits =
    [
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1.5f, 8, kernelSize: 3, padding: 1, bias: false)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(\"one\", 8, kernelSize: 3)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: 3, padding: 1, bias: 0)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: (3, 3), stride: (1, 1), padding: (1, 1), dilation: (1, 1))"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: System.Environment.ProcessorCount)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: 3, padding: -1)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: int.MaxValue)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: 3, padding: int.MaxValue)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: 3, groups: 3)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, 8, kernelSize: 3, dilation: 0)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new(1, int.MaxValue, kernelSize: 1)"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "new()"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "null!"),
        ("new(1, 8, kernelSize: 3, padding: 1, bias: false)", "Make()"),
        ("readonly Conv2d conv1 = new(1, 8, kernelSize: 3, padding: 1, bias: false);", "readonly Conv2d conv1;"),
        ("readonly Conv2d conv1 = new(1, 8, kernelSize: 3, padding: 1, bias: false);", "Conv2d conv1 { get; } = new(1, 8, kernelSize: 3, padding: 1, bias: false);"),
        ("readonly Conv2d conv1 = new(1, 8, kernelSize: 3, padding: 1, bias: false);", "readonly Conv2d[] convs = [new(1, 8, 3)]; readonly Conv2d conv1 = new(1, 8, 3, padding: 1);"),
        ("readonly Conv2d conv1 = new(1, 8, kernelSize: 3, padding: 1, bias: false);", "readonly Sequential conv1 = new(new Conv2d(1, 8, 3, padding: 1));"),
        ("readonly Conv2d conv1 = new(1, 8, kernelSize: 3, padding: 1, bias: false);", "readonly Conv2d conv1 = new Conv2d(1, 8, 3, 1, 1, 1, 1, false);"),
        ("readonly BatchNorm2d bn1 = new(8);", "readonly BatchNorm2d bn1 = new(8, eps: 1e-3f, momentum: 0.01f);"),
        ("readonly BatchNorm2d bn1 = new(8);", "readonly BatchNorm2d bn1 = new(9);"),
        ("readonly MaxPool2d pool1 = new(2);", "readonly MaxPool2d pool1 = new(2, stride: null, ceilMode: true);"),
        ("readonly MaxPool2d pool1 = new(2);", "readonly MaxPool2d pool1 = new(3, stride: 2, padding: 1, ceilMode: true);"),
        ("readonly MaxPool2d pool1 = new(2);", "readonly MaxPool2d pool1 = new(2, padding: 2);"),
        ("readonly MaxPool2d pool1 = new(2);", "readonly AvgPool2d pool1 = new(2);"),
        ("readonly MaxPool2d pool1 = new(2);", "readonly AdaptiveAvgPool2d pool1 = new(14);"),
        ("readonly MaxPool2d pool1 = new(2);", "readonly AdaptiveAvgPool2d pool1 = new((14, 14));"),
        ("readonly MaxPool2d pool1 = new(2);", "readonly Dropout pool1 = new(0.2f);"),
        ("readonly Linear fc1 = new(16 * 7 * 7, 32);", "readonly Linear fc1 = new(inFeatures: 784, outFeatures: 32, bias: false);"),
        ("readonly Linear fc1 = new(16 * 7 * 7, 32);", "readonly Linear fc1 = new(outFeatures: 32, inFeatures: 16 * 7 * 7);"),
        ("readonly Linear fc1 = new(16 * 7 * 7, 32);", "const int Hidden = 32; readonly Linear fc1 = new(16 * 7 * 7, Hidden);"),
        ("readonly Linear fc1 = new(16 * 7 * 7, 32);", "readonly Linear fc1 = new(16 * 7 * 7, 0);"),
        ("readonly Linear fc1 = new(16 * 7 * 7, 32);", "readonly Linear fc1 = new(16 * 7 * 7, -32);"),
        ("readonly Linear fc1 = new(16 * 7 * 7, 32);", "readonly LayerNorm norm = new(784); readonly Linear fc1 = new(16 * 7 * 7, 32);"),
        ("readonly Linear fc1 = new(16 * 7 * 7, 32);", "readonly LayerNorm norm = new([16, 7, 7]); readonly Linear fc1 = new(16 * 7 * 7, 32);"),
        ("[InputShape(1, 28, 28)]", "[InputShape(1, 28)]"),
        ("[InputShape(1, 28, 28)]", "[InputShape(1, 28, 28, 3)]"),
        ("[InputShape(1, 28, 28)]", "[InputShape(2, 28, 28)]"),
        ("[InputShape(1, 28, 28)]", "[InputShape(1, 2, 2)]"),
        ("[InputShape(1, 28, 28)]", "[InputShape(65536, 65536, 65536)]"),
        ("[InputShape(1, 28, 28)]", "[InputShape(-1, 28, 28)]"),
        ("[InputShape(1, 28, 28)]", "[InputShape(new[] { 1, 28, 28 })]"),
        ("[InputShape(1, 28, 28)]", "[InputShape(null)]"),
        ("[InputShape(1, 28, 28)]", "[InputShape(1, 28, 28)][InputShape(1, 14, 14)]"),
        ("[Quantize(QuantMode.Static)]", "[Quantize((QuantMode)42)]"),
        ("[Quantize(QuantMode.Static)]", "[Quantize(QuantMode.Static, Weights = WeightScheme.PerChannelSymmetric, Activations = ObserverKind.Histogram, Strict = true)]"),
        ("[Quantize(QuantMode.Static)]", "[Quantize]"),
        ("[Quantize(QuantMode.Static)]", "[Quantize(QuantMode.Static)][Quantize(QuantMode.Dynamic)]"),
        ("[Fuse(\"Conv\", \"BN\", \"ReLU\")]", "[Fuse(\"Conv\", \"BN\", \"ReLU\")][Fuse(\"Conv\", \"ReLU\")][Fuse(\"Linear\", \"ReLU\")]"),
        ("[Fuse(\"Conv\", \"BN\", \"ReLU\")]", "[Fuse(null)]"),
        ("[Fuse(\"Conv\", \"BN\", \"ReLU\")]", "[Fuse(\"Conv\", null)]"),
        ("public sealed partial class SmallCnn : Module", "public sealed partial class SmallCnn<T> : Module"),
        ("public sealed partial class SmallCnn : Module", "public static partial class Outer { public sealed partial class SmallCnn : Module"),
        ("public sealed partial class SmallCnn : Module", "public sealed partial class SmallCnn"),
        ("public sealed partial class SmallCnn : Module", "public sealed partial class SmallCnn : Module, Module"),
        ("public override Tensor Forward(Tensor x)", "public Tensor Forward(Tensor x, Tensor y)"),
        ("public override Tensor Forward(Tensor x)", "public override Tensor Forward(Tensor x) => x; public Tensor Other(Tensor x)"),
        ("public override Tensor Forward(Tensor x)", "public override Tensor Forward(Tensor x) => fc2.Forward(x); public Tensor Other(Tensor x)"),
        ("public override Tensor Forward(Tensor x)", "public override Tensor Forward(Tensor x) => Forward(x); public Tensor Other(Tensor x)"),
        ("public override Tensor Forward(Tensor x)", "public override Tensor Forward(Tensor x) => x + x; public Tensor Other(Tensor x)"),
        ("public override Tensor Forward(Tensor x)", "public override abstract Tensor Forward(Tensor x); public Tensor Other(Tensor x)"),
        ("x = quant.Forward(x);", ""),
        ("x = quant.Forward(x);", "var y = quant.Forward(x); x = y + y;"),
        ("x = quant.Forward(x);", "var y = quant.Forward(x); x = Functional.Add(y, conv1.Forward(y));"),
        ("x = quant.Forward(x);", "x = Functional.Relu6(Functional.Relu(quant.Forward(x)));"),
        ("x = quant.Forward(x);", "x = quant.Forward(x, x);"),
        ("x = quant.Forward(x);", "x = this.quant.Forward(x);"),
        ("x = quant.Forward(x);", "x = x.Reshape(1, 28, 28);"),
        ("x = quant.Forward(x);", "x = quant.Forward(undefined);"),
        ("x = quant.Forward(x);", "Tensor y; x = quant.Forward(x);"),
        ("x = quant.Forward(x);", "for (int i = 0; i < 2; i++) x = quant.Forward(x);"),
        ("x = quant.Forward(x);", "x = fc2.Forward(x);"),
        ("x = quant.Forward(x);", "x = conv2.Forward(x);"),
        ("x = quant.Forward(x);", "x = quant.Forward(x); x = quant.Forward(x); x = quant.Forward(x);"),
        ("x = Flatten(x);", "x = Flatten(x, 2);"),
        ("x = Flatten(x);", "x = Flatten(x, -1);"),
        ("x = Flatten(x);", "x = Flatten(x, 0);"),
        ("x = Flatten(x);", "x = Flatten(x, 7);"),
        ("x = Flatten(x);", "x = Flatten(x, startDim: System.Environment.ProcessorCount);"),
        ("x = Flatten(x);", "x = Functional.Flatten(x);"),
        ("x = Flatten(x);", "x = Flatten(Flatten(x));"),
        ("x = Flatten(x);", "x = x;"),
        ("x = Flatten(x);", ""),
        ("return dequant.Forward(fc2.Forward(relu3.Forward(fc1.Forward(x))));", ""),
        ("return dequant.Forward(fc2.Forward(relu3.Forward(fc1.Forward(x))));", "return;"),
        ("return dequant.Forward(fc2.Forward(relu3.Forward(fc1.Forward(x))));", "return x; x = x;"),
        ("return dequant.Forward(fc2.Forward(relu3.Forward(fc1.Forward(x))));", "throw new System.Exception();"),
        ("return dequant.Forward(fc2.Forward(relu3.Forward(fc1.Forward(x))));", "return fc1.Forward(x) + fc1.Forward(x);"),
        ("return dequant.Forward(fc2.Forward(relu3.Forward(fc1.Forward(x))));", "return fc1.Forward(x) + fc2.Forward(fc1.Forward(x));"),
    ];

    public static IEnumerable<(string Name, string Source)> Mutations()
    {
        string source = Sources.SmallCnn;
        for (int i = 0; i < Edits.Length; i++)
        {
            Assert.Contains(Edits[i].From, source);
            yield return ($"edit {i}: {Edits[i].To}", source.Replace(Edits[i].From, Edits[i].To));
        }

        // Forward removed.
        int forward = source.IndexOf("public override Tensor Forward", StringComparison.Ordinal);
        yield return ("no Forward", source[..forward] + "}\n");

        foreach ((string name, string mutated) in TokenAndLineMutations(source)) yield return ("SmallCnn, " + name, mutated);
        foreach ((string name, string mutated) in TokenAndLineMutations(Sources.Residual)) yield return ("Residual, " + name, mutated);
    }

    private static IEnumerable<(string Name, string Source)> TokenAndLineMutations(string source) =>
        Infrastructure.Mutations.Tokens(source).Concat(Infrastructure.Mutations.HalfLines(source));

    [Fact]
    public void A_thousand_broken_models_give_diagnostics_never_an_exception()
    {
        var cases = Mutations().ToList();
        Assert.True(cases.Count >= 1000, $"only {cases.Count} mutations");

        Infrastructure.Mutations.Outcome outcome = Infrastructure.Mutations.Check(cases, source => GeneratorHarness.Run(source, "SmallCnn.cs"));

        Assert.True(outcome.Failures.Count == 0, string.Join("\n", outcome.Failures.Take(20)));
        // The mutations reach every diagnostic, the generator's and the analyzers', and some of them still generate (and compile).
        Assert.Equal(["QG0001", "QG0002", "QG0003", "QG0004", "QG0005", "QG0006", "QG0008", "QG0010", "QG0011"], outcome.Ids);
        Assert.True(outcome.Generated > 10, $"only {outcome.Generated} of {cases.Count} mutations generated code");
    }
}
