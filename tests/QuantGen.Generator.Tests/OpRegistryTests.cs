using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Ops;
using QuantGen.Generator.Tests.Infrastructure;
using QuantGen.Nn;

namespace QuantGen.Generator.Tests;

/// <summary>
/// The op registry is the one place that knows each op: every runtime layer type the generator reads has exactly one
/// descriptor, which the generator resolves it to, and no other file of the generator or the analyzers names an op
/// kind in a string.
/// </summary>
public sealed class OpRegistryTests
{
    [Fact]
    public void Every_runtime_layer_type_has_exactly_one_descriptor_and_the_generator_resolves_it_to_it()
    {
        // The runtime's leaf layers (Identity is a plain Module, accepted too), each read by exactly one descriptor.
        Type[] layers = [.. typeof(Tensor).Assembly.GetExportedTypes().Where(t => t.IsSubclassOf(typeof(Layer)) && !t.IsAbstract)];
        Assert.True(layers.Length >= 15, $"{layers.Length} layer types");
        string[] keys = [.. OpRegistry.All.Select(op => op.MetadataName)];
        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(layers.Select(t => t.FullName!).Except(keys));
        foreach (string key in keys)
        {
            Type? runtime = typeof(Tensor).Assembly.GetType(key);
            Assert.True(runtime is { IsAbstract: false } && runtime.IsSubclassOf(typeof(QuantGen.Nn.Module)), $"{key} is no concrete runtime module");
        }

        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Tree("class Empty { }", "Empty.cs"));
        foreach (OpDescriptor op in OpRegistry.All)
        {
            INamedTypeSymbol type = compilation.GetTypeByMetadataName(op.MetadataName) ?? throw new Xunit.Sdk.XunitException($"{op.MetadataName} is not in the runtime");
            Assert.Same(op, OpRegistry.ForModule(type));
            Assert.Equal(type.Name, op.Kind);
        }
    }

    [Fact]
    public void Functional_names_and_fuse_roles_each_lead_to_one_descriptor()
    {
        OpDescriptor[] ops = [.. OpRegistry.All, .. OpRegistry.FunctionalOnly];
        string[] functional = [.. ops.SelectMany(op => op.FunctionalNames)];
        Assert.Equal(functional.Length, functional.Distinct(StringComparer.Ordinal).Count());
        foreach (OpDescriptor op in ops)
        {
            foreach (string name in op.FunctionalNames)
            {
                Assert.Same(op, OpRegistry.ForFunctional(name));
                Assert.Contains(typeof(Functional).GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.Name == name);
            }
        }

        Assert.Equal(FusionPatterns.Roles.Count, FusionPatterns.Roles.Distinct(StringComparer.Ordinal).Count());
        Assert.All(FusionPatterns.Fusible, pattern => Assert.All(pattern.Kinds, role => Assert.NotNull(OpRegistry.ForFuseRole(role))));
    }

    /// <summary>
    /// A string literal names an op kind when it is one of the registry's names (a kind, a metadata name, a fuse role, a
    /// functional method), or mentions a kind that is no English word (<c>Conv2d</c>, <c>QuantStub</c>: words such as
    /// <c>Add</c> or <c>Linear</c> occur in prose). Outside <c>Ops/</c>, code reads the registry instead.
    /// </summary>
    [Fact]
    public void No_op_kind_is_named_in_a_string_outside_the_registry()
    {
        string root = Path.Combine(SampleSources.RepoRoot, "generator", "QuantGen.Generator");
        string[] files =
        [
            .. Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories),
            .. Directory.EnumerateFiles(Path.Combine(SampleSources.RepoRoot, "analyzers"), "*.cs", SearchOption.AllDirectories),
        ];
        files = [.. files.Where(f => !Excluded(f, root))];
        Assert.True(files.Length > 30, $"only {files.Length} source files found");

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (OpDescriptor op in OpRegistry.All.Concat(OpRegistry.FunctionalOnly))
        {
            names.Add(op.Kind);
            names.Add(op.MetadataName);
            names.UnionWith(op.FunctionalNames);
            if (op.FuseRole is string role) names.Add(role);
        }

        string[] coined = [.. OpRegistry.All.Select(op => op.Kind).Where(kind => Regex.IsMatch(kind, "[0-9]|[a-z][A-Z]|^[A-Z]{2}"))];
        Assert.Contains("Conv2d", coined);
        Assert.Contains("QuantStub", coined);
        Assert.DoesNotContain("Linear", coined);

        var found = new List<string>();
        foreach (string file in files)
        {
            SyntaxNode tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetRoot();
            foreach (SyntaxToken token in tree.DescendantTokens())
            {
                if (!token.IsKind(SyntaxKind.StringLiteralToken) && !token.IsKind(SyntaxKind.InterpolatedStringTextToken)) continue;
                string text = token.ValueText;
                string? named = names.Contains(text.Trim()) ? text.Trim()
                    : coined.FirstOrDefault(kind => Regex.IsMatch(text, $@"(?<![A-Za-z0-9]){Regex.Escape(kind)}(?![A-Za-z0-9])"));
                if (named is not null) found.Add($"{Path.GetRelativePath(SampleSources.RepoRoot, file)}:{token.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: '{named}' in \"{text}\"");
            }
        }

        Assert.True(found.Count == 0, "Op kinds named outside the registry:\n" + string.Join("\n", found));
    }

    private static bool Excluded(string file, string generatorRoot)
    {
        string relative = Path.GetRelativePath(generatorRoot, file).Replace('\\', '/');
        return relative.StartsWith("Ops/", StringComparison.Ordinal)
            || file.Contains("/obj/", StringComparison.Ordinal) || file.Contains("/bin/", StringComparison.Ordinal);
    }
}
