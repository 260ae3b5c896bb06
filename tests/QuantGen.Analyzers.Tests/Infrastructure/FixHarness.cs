using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Tests.Infrastructure;

namespace QuantGen.Analyzers.Tests.Infrastructure;

/// <summary>
/// Applies a code fix as the IDE does, offline: an in-memory workspace with the .NET 10 reference assemblies and the
/// runtime, the generator's and the analyzers' diagnostics on the document, the fixer's registered action (or its
/// Fix All in the document) applied, and the document's new text.
/// </summary>
public static class FixHarness
{
    /// <summary>The text after the first fix registered for the first diagnostic with <paramref name="id"/>.</summary>
    public static string FixOne(CodeFixProvider fixer, string source, string id)
    {
        (Document document, ImmutableArray<Diagnostic> diagnostics) = Analyze(source);
        Diagnostic diagnostic = diagnostics.First(d => d.Id == id);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        fixer.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        return Apply(document, Assert.Single(actions));
    }

    /// <summary>True when the fixer registers a fix for the first diagnostic with <paramref name="id"/>.</summary>
    public static bool Offers(CodeFixProvider fixer, string source, string id)
    {
        (Document document, ImmutableArray<Diagnostic> diagnostics) = Analyze(source);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostics.First(d => d.Id == id), (action, _) => actions.Add(action), CancellationToken.None);
        fixer.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        return actions.Count > 0;
    }

    /// <summary>The text after Fix All in the document for every diagnostic the fixer handles.</summary>
    public static string FixAll(CodeFixProvider fixer, string source)
    {
        (Document document, ImmutableArray<Diagnostic> diagnostics) = Analyze(source);
        ImmutableArray<Diagnostic> fixable = [.. diagnostics.Where(d => fixer.FixableDiagnosticIds.Contains(d.Id))];
        Assert.NotEmpty(fixable);

        // The equivalence key of the first diagnostic's fix, as the IDE takes it from the fix the user picked.
        var actions = new List<CodeAction>();
        fixer.RegisterCodeFixesAsync(new CodeFixContext(document, fixable[0], (action, _) => actions.Add(action), CancellationToken.None)).GetAwaiter().GetResult();
        var context = new FixAllContext(document, fixer, FixAllScope.Document, actions[0].EquivalenceKey, fixer.FixableDiagnosticIds,
            new Diagnostics(fixable), CancellationToken.None);
        CodeAction? fixAll = fixer.GetFixAllProvider()!.GetFixAsync(context).GetAwaiter().GetResult();
        return Apply(document, fixAll!);
    }

    /// <summary>The generator's and the analyzers' QG diagnostics on the document's compilation.</summary>
    public static (Document Document, ImmutableArray<Diagnostic> Diagnostics) Analyze(string source)
    {
        Document document = NewDocument(source);
        var compilation = (CSharpCompilation)document.Project.GetCompilationAsync().GetAwaiter().GetResult()!;
        AnalyzerRun run = AnalyzerHarness.Run(compilation);
        Assert.Empty(run.Exceptions);
        GeneratorRun generated = GeneratorHarness.Run(GeneratorHarness.NewDriver(), compilation);
        Assert.Null(generated.Exception);
        SyntaxTree tree = document.GetSyntaxTreeAsync().GetAwaiter().GetResult()!;
        return (document, [.. generated.Qg.Select(d => InDocument(d, tree)).Concat(run.Qg).OrderBy(d => d.Location.SourceSpan.Start)]);
    }

    /// <summary>
    /// A generator diagnostic as the IDE hands it to a fixer: the generator reports locations as data (a path and a
    /// span), which the IDE maps to the document of that path; it keeps the ID, the message and the properties.
    /// </summary>
    private static Diagnostic InDocument(Diagnostic diagnostic, SyntaxTree tree)
    {
        Assert.Equal(tree.FilePath, diagnostic.Location.GetLineSpan().Path);
        DiagnosticDescriptor d = diagnostic.Descriptor;
        var asReported = new DiagnosticDescriptor(d.Id, d.Title, "{0}", d.Category, d.DefaultSeverity, d.IsEnabledByDefault, helpLinkUri: d.HelpLinkUri);
        return Diagnostic.Create(asReported, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.Severity,
            additionalLocations: null, diagnostic.Properties, diagnostic.GetMessage());
    }

    private static Document NewDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        ProjectInfo project = ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Fixes", "Fixes", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: [.. Basic.Reference.Assemblies.Net100.References.All, MetadataReference.CreateFromFile(typeof(QuantGen.Tensor).Assembly.Location)]);
        Solution solution = workspace.CurrentSolution.AddProject(project);
        DocumentId id = DocumentId.CreateNewId(project.Id);
        return solution.AddDocument(id, "Model.cs", source, filePath: "Model.cs").GetDocument(id)!;
    }

    private static string Apply(Document document, CodeAction action)
    {
        ImmutableArray<CodeActionOperation> operations = action.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult();
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return changed.GetDocument(document.Id)!.GetTextAsync().GetAwaiter().GetResult().ToString();
    }

    /// <summary>Fix All's view of the diagnostics: the ones given, for the document they are in.</summary>
    private sealed class Diagnostics(ImmutableArray<Diagnostic> all) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(all);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>([]);

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(all);
    }
}
