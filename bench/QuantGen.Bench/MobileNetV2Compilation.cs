using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace QuantGen.Bench;

/// <summary>
/// MobileNetV2's source (samples/QuantGen.Models, embedded at build time) as an in-memory compilation against the
/// .NET 10 reference assemblies and QuantGen.dll, as the compiler sees it in a user's build, plus one unrelated
/// file. The edits return new compilations; the trees they do not touch are shared with the original.
/// </summary>
internal sealed class MobileNetV2Compilation
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
        [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(Tensor).Assembly.Location)];

    /// <summary>What ImplicitUsings adds to the samples' build.</summary>
    private const string ImplicitUsings = "global using System;\nglobal using System.Collections.Generic;\nglobal using System.Linq;\n";

    private const string Unrelated = "namespace Elsewhere; public static class Other { public const int A = 1; }";

    private readonly SyntaxTree model;
    private readonly SyntaxTree other;

    public MobileNetV2Compilation()
    {
        model = Tree(Sample("MobileNetV2.cs"), "MobileNetV2.cs");
        other = Tree(Unrelated, "Other.cs");
        Compilation = CSharpCompilation.Create(
            "QuantGen.Bench.InMemory",
            [Tree(ImplicitUsings, "GlobalUsings.g.cs"), model, Tree(Sample("InvertedResidual.cs"), "InvertedResidual.cs"),
                Tree(Sample("ConvBNReLU.cs"), "ConvBNReLU.cs"), other],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }

    public CSharpCompilation Compilation { get; }

    /// <summary>A new member in the unrelated file: no [Quantize] class changes.</summary>
    public CSharpCompilation WithUnrelatedEdit() =>
        Compilation.ReplaceSyntaxTree(other, Tree(Unrelated.Replace("A = 1;", "A = 2; public const int B = 3;", StringComparison.Ordinal), "Other.cs"));

    /// <summary>A comment in the model's file: its syntax (and locations) change, the model does not.</summary>
    public CSharpCompilation WithModelComment() => EditModel("namespace QuantGen.Models;", "namespace QuantGen.Models; // a comment");

    /// <summary>Twelve classes instead of ten: a different model, so every step after the parse has new input.</summary>
    public CSharpCompilation WithModelEdit() => EditModel("int numClasses = 10", "int numClasses = 12");

    private CSharpCompilation EditModel(string from, string to)
    {
        string text = model.ToString();
        if (!text.Contains(from, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"MobileNetV2.cs no longer contains '{from}': update the benchmark's edit.");
        }
        return Compilation.ReplaceSyntaxTree(model, Tree(text.Replace(from, to, StringComparison.Ordinal), "MobileNetV2.cs"));
    }

    private static SyntaxTree Tree(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    private static string Sample(string file)
    {
        using Stream stream = typeof(MobileNetV2Compilation).Assembly.GetManifestResourceStream("samples/" + file)
            ?? throw new InvalidOperationException($"samples/{file} is not embedded in the benchmark assembly (see QuantGen.Bench.csproj).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
