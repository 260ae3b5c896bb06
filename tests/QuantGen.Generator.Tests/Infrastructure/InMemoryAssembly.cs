using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>
/// Compiles model sources with the generator into an assembly in memory, loads it, and makes the driver class
/// it contains: the generated code run for real, against the eager runtime loaded in this process.
/// </summary>
public static class InMemoryAssembly
{
    public static GeneratorRun Compile(params (string Source, string Path)[] sources)
    {
        var trees = sources.Select(s => GeneratorHarness.Tree(s.Source, s.Path)).ToArray();
        CSharpCompilation compilation = GeneratorHarness.Compilation(trees)
            .AddReferences(MetadataReference.CreateFromFile(typeof(ICompiledDriver).Assembly.Location));
        return GeneratorHarness.Run(GeneratorHarness.NewDriver(), compilation);
    }

    /// <summary>Emits <paramref name="run"/>'s output and creates its <paramref name="driverType"/>.</summary>
    public static ICompiledDriver Driver(GeneratorRun run, string driverType) => Create<ICompiledDriver>(run, driverType);

    /// <summary>Emits <paramref name="run"/>'s output and creates its <paramref name="driverType"/>, a <typeparamref name="TDriver"/>.</summary>
    public static TDriver Create<TDriver>(GeneratorRun run, string driverType)
    {
        using var image = new MemoryStream();
        var emitted = run.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        Assembly assembly = Assembly.Load(image.ToArray());
        return (TDriver)Activator.CreateInstance(assembly.GetType(driverType, throwOnError: true)!)!;
    }
}
