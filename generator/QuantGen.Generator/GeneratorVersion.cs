using System.Reflection;

namespace QuantGen.Generator;

/// <summary>
/// This generator's version, as the build stamped it (the repository's one <c>VersionPrefix</c>), for the
/// <c>[GeneratedCode]</c> attribute; the source-control suffix (<c>+sha</c>) is left off so output depends on the version only.
/// </summary>
internal static class GeneratorVersion
{
    public static readonly string Value = Read();

    private static string Read()
    {
        string? informational = typeof(GeneratorVersion).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational is null) return typeof(GeneratorVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        int plus = informational.IndexOf('+');
        return plus < 0 ? informational : informational.Substring(0, plus);
    }
}
