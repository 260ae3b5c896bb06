namespace QuantGen.Analyzers;

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> the analyzers fill for the code fixes.</summary>
internal static class FixProperties
{
    /// <summary>What the fix writes: the inferred count (QG0004), the [InputShape] guess (QG0002), the quoted [Fuse] kinds (QG0010).</summary>
    public const string Value = QuantGen.Generator.Diagnostics.DiagnosticDescriptors.FixValueProperty;
}
