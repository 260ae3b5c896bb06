using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Generator.Tests;

/// <summary>
/// Broken versions of the real MobileNetV2, InvertedResidual and ConvBNReLU files through the driver: bad block
/// arguments, recursive blocks, endless loops, missing Forwards, non-constant arguments, deleted tokens, half-typed
/// lines. The generator never throws, and generated code compiles or a QG diagnostic says why not.
/// </summary>
public sealed class BlockNeverThrowsTests
{
    /// <summary>Hand-written edits: (file, from, to).</summary>
    private static readonly (string File, string From, string To)[] Edits =
    [
        ("InvertedResidual.cs", "if (stride is not (1 or 2))", "if (stride is not (1 or 2 or 3))"),
        ("InvertedResidual.cs", "if (stride is not (1 or 2))", "if (stride is (1 or 2))"),
        ("InvertedResidual.cs", "if (stride is not (1 or 2))", "if (stride > 0)"),
        ("InvertedResidual.cs", "new ArgumentException($\"InvertedResidual: stride must be 1 or 2, got {stride}.\")", "new ArgumentException()"),
        ("InvertedResidual.cs", "new ArgumentException($\"InvertedResidual: stride must be 1 or 2, got {stride}.\")", "new ArgumentException($\"{stride,5:N2}\")"),
        ("InvertedResidual.cs", "public override Tensor Forward(Tensor x) => UsesResidual ? skipAdd.Forward(x, conv.Forward(x)) : conv.Forward(x);", ""),
        ("InvertedResidual.cs", "UsesResidual ? skipAdd.Forward(x, conv.Forward(x)) : conv.Forward(x)", "conv.Forward(x) + x"),
        ("InvertedResidual.cs", "UsesResidual ? skipAdd.Forward(x, conv.Forward(x)) : conv.Forward(x)", "skipAdd.Forward(x, conv.Forward(x))"),
        ("InvertedResidual.cs", "UsesResidual ? skipAdd.Forward(x, conv.Forward(x)) : conv.Forward(x)", "Training ? x : conv.Forward(x)"),
        ("InvertedResidual.cs", "UsesResidual ? skipAdd.Forward(x, conv.Forward(x)) : conv.Forward(x)", "skipAdd.Forward(x)"),
        ("InvertedResidual.cs", "UsesResidual ? skipAdd.Forward(x, conv.Forward(x)) : conv.Forward(x)", "Forward(x)"),
        ("InvertedResidual.cs", "UsesResidual ? skipAdd.Forward(x, conv.Forward(x)) : conv.Forward(x)", "new Conv2d(1, 1, 1).Forward(x)"),
        ("InvertedResidual.cs", "readonly Add skipAdd = new();", "readonly Add skipAdd = new(); readonly InvertedResidual inner = new(1, 1, 1, 1);"),
        ("InvertedResidual.cs", "readonly Add skipAdd = new();", "readonly Add skipAdd = new(); static readonly int A = B; static readonly int B = A; readonly Conv2d c = new(A, 1, 1);"),
        ("InvertedResidual.cs", "readonly Add skipAdd = new();", "readonly Add skipAdd = null!;"),
        ("InvertedResidual.cs", "conv = new Sequential([.. layers]);", "conv = null!;"),
        ("InvertedResidual.cs", "conv = new Sequential([.. layers]);", "conv = new Sequential([.. layers, .. layers]);"),
        ("InvertedResidual.cs", "conv = new Sequential([.. layers]);", "conv = new Sequential([.. layers, null!]);"),
        ("InvertedResidual.cs", "conv = new Sequential([.. layers]);", "while (true) layers.Add(new Identity()); conv = new Sequential([.. layers]);"),
        ("InvertedResidual.cs", "conv = new Sequential([.. layers]);", "while (true) { } conv = new Sequential([.. layers]);"),
        ("InvertedResidual.cs", "conv = new Sequential([.. layers]);", "var s = \"a\"; for (int i = 0; i < 64; i++) s += s; conv = new Sequential([.. layers]);"),
        ("InvertedResidual.cs", "conv = new Sequential([.. layers]);", "conv = new Sequential(new Module[hidden * 1000]);"),
        ("InvertedResidual.cs", "int hidden = (int)Math.Round(inChannels * (double)expandRatio, MidpointRounding.ToEven);", "int hidden = inChannels / (expandRatio - expandRatio);"),
        ("InvertedResidual.cs", "int hidden = (int)Math.Round(inChannels * (double)expandRatio, MidpointRounding.ToEven);", "int hidden = (int)Math.Round(inChannels * (double)expandRatio, 2);"),
        ("InvertedResidual.cs", "int hidden = (int)Math.Round(inChannels * (double)expandRatio, MidpointRounding.ToEven);", "int hidden = Environment.ProcessorCount;"),
        ("InvertedResidual.cs", "int hidden = (int)Math.Round(inChannels * (double)expandRatio, MidpointRounding.ToEven);", "int hidden = (int)Math.Pow(inChannels, expandRatio);"),
        ("InvertedResidual.cs", "UsesResidual = stride == 1 && inChannels == outChannels;", "UsesResidual = Random.Shared.Next() > 3;"),
        ("InvertedResidual.cs", "public bool UsesResidual { get; }", "public bool UsesResidual => Training;"),
        ("InvertedResidual.cs", "public bool UsesResidual { get; }", "public bool UsesResidual { get => true; set { } }"),
        ("InvertedResidual.cs", "public sealed class InvertedResidual : Module", "public sealed class InvertedResidual : Sequential"),
        ("InvertedResidual.cs", "public sealed class InvertedResidual : Module", "public abstract class InvertedResidual : Module"),
        ("InvertedResidual.cs", "public sealed class InvertedResidual : Module", "public sealed class InvertedResidual<T> : Module"),
        ("ConvBNReLU.cs", "padding: (kernelSize - 1) / 2", "padding: kernelSize / 0"),
        ("ConvBNReLU.cs", "padding: (kernelSize - 1) / 2", "padding: (kernelSize - 1) / (stride - stride)"),
        ("ConvBNReLU.cs", "padding: (kernelSize - 1) / 2", "padding: -kernelSize"),
        ("ConvBNReLU.cs", "groups: groups", "groups: 7"),
        ("ConvBNReLU.cs", "groups: groups", "groups: \"7\""),
        ("ConvBNReLU.cs", "new ReLU(inplace: true)", "new ConvBNReLU(outChannels, outChannels)"),
        ("ConvBNReLU.cs", "new ReLU(inplace: true)", "null!"),
        ("ConvBNReLU.cs", ": Sequential(", ": Module("),
        ("ConvBNReLU.cs", "int kernelSize = 3", "int kernelSize"),
        ("MobileNetV2.cs", "int numClasses = 10", "int numClasses"),
        ("MobileNetV2.cs", "float dropout = 0.2f", "float dropout = float.NaN"),
        ("MobileNetV2.cs", "(6, 24, 2, 2),", "(6, 24, 200000, 2),"),
        ("MobileNetV2.cs", "(6, 24, 2, 2),", "(6, 24, 2, 3),"),
        ("MobileNetV2.cs", "(6, 24, 2, 2),", "(6, 24, -2, 2),"),
        ("MobileNetV2.cs", "(6, 24, 2, 2),", "(6, 24, 2, Environment.ProcessorCount),"),
        ("MobileNetV2.cs", "static readonly (int Expand", "static (int Expand"),
        ("MobileNetV2.cs", "for (int i = 0; i < repeats; i++)", "for (int i = 0; i >= 0; i++)"),
        ("MobileNetV2.cs", "for (int i = 0; i < repeats; i++)", "for (int i = 0; ; i++)"),
        ("MobileNetV2.cs", "for (int i = 0; i < repeats; i++)", "for (int i = 0; i < repeats; i--)"),
        ("MobileNetV2.cs", "i == 0 ? stride : 1, expand", "i == 0 ? stride : 1, Environment.ProcessorCount"),
        ("MobileNetV2.cs", "i == 0 ? stride : 1, expand", "stride: 1, expandRatio: expand, inChannels: channels, outChannels: outChannels"),
        ("MobileNetV2.cs", "i == 0 ? stride : 1, expand", "i == 0 ? stride : 1, 2.5"),
        ("MobileNetV2.cs", "channels = outChannels;", "channels = outChannels; layers.Add(layers[0]);"),
        ("MobileNetV2.cs", "channels = outChannels;", ""),
        ("MobileNetV2.cs", "features = new Sequential([.. layers]);", ""),
        ("MobileNetV2.cs", "features = new Sequential([.. layers]);", "features = new Sequential([.. layers]); features = new Sequential(features);"),
        ("MobileNetV2.cs", "features = new Sequential([.. layers]);", "features = new Sequential(layers[0]); for (int i = 0; i < 100; i++) features = new Sequential(features);"),
        ("MobileNetV2.cs", "x = Functional.AdaptiveAvgPool2d(x, 1);", "x = Functional.AdaptiveAvgPool2d(x, 0);"),
        ("MobileNetV2.cs", "x = Functional.AdaptiveAvgPool2d(x, 1);", "x = Functional.AdaptiveAvgPool2d(x, 2);"),
        ("MobileNetV2.cs", "x = Functional.AdaptiveAvgPool2d(x, 1);", "x = Functional.AdaptiveAvgPool2d(x, 1, 2);"),
        ("MobileNetV2.cs", "x = Functional.AdaptiveAvgPool2d(x, 1);", "x = Functional.AdaptiveAvgPool2d(x, 1, 1);"),
        ("MobileNetV2.cs", "x = Functional.AdaptiveAvgPool2d(x, 1);", ""),
        ("MobileNetV2.cs", "x = features.Forward(x);", "foreach (var m in new Module[] { features }) x = m.Forward(x);"),
        ("MobileNetV2.cs", "x = features.Forward(x);", "for (int i = 0; i < features.Count; i++) x = features[i].Forward(x);"),
        ("MobileNetV2.cs", "x = features.Forward(x);", "x = features[99].Forward(x);"),
        ("MobileNetV2.cs", "x = features.Forward(x);", "x = ((Sequential)features[1].NamedChildren().First().Module).Forward(x);"),
        ("MobileNetV2.cs", "return dequant.Forward(x);", "return x;"),
        ("MobileNetV2.cs", "return dequant.Forward(x);", "return dequant.Forward(x) + x;"),
    ];

    private static IEnumerable<(string Name, Dictionary<string, string> Files)> Cases()
    {
        var originals = SampleSources.MobileNetV2Files.ToDictionary(f => f, SampleSources.Read);
        foreach ((string file, string from, string to) in Edits)
        {
            Assert.Contains(from, originals[file]);
            yield return ($"{file}: '{from}' → '{to}'", With(originals, file, originals[file].Replace(from, to)));
        }

        foreach (string file in SampleSources.MobileNetV2Files)
        {
            // Each run builds and compiles all of MobileNetV2, so the files' tokens are sampled to keep the test fast.
            IEnumerable<(string Name, string Source)> mutations = Mutations.Tokens(originals[file], doubled: false, every: 2).Concat(Mutations.HalfLines(originals[file]));
            foreach ((string name, string source) in mutations) yield return ($"{file}: {name}", With(originals, file, source));
        }
    }

    private static Dictionary<string, string> With(Dictionary<string, string> files, string file, string source) =>
        new(files) { [file] = source };

    [Fact]
    public void Hundreds_of_broken_MobileNetV2s_give_diagnostics_never_an_exception()
    {
        var cases = Cases().ToList();
        Assert.True(cases.Count >= 500, $"only {cases.Count} mutations");

        Mutations.Outcome outcome = Mutations.Check(cases, files => SampleSources.Run([.. files.Select(f => (f.Key, f.Value))]));

        Assert.True(outcome.Failures.Count == 0, string.Join("\n", outcome.Failures.Take(20)));
        Assert.Contains("QG0004", outcome.Ids);
        Assert.Contains("QG0005", outcome.Ids);
        Assert.Contains("QG0006", outcome.Ids);
        Assert.Contains("QG0007", outcome.Ids);
        Assert.True(outcome.Generated > 10, $"only {outcome.Generated} of {cases.Count} mutations generated code");
    }
}
