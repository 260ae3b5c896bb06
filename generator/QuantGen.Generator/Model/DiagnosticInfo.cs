using Microsoft.CodeAnalysis;

namespace QuantGen.Generator.Model;

/// <summary>
/// A diagnostic as data: which descriptor, where, the message arguments, and whether it is raised to an error
/// (a warning under <c>[Quantize(Strict = true)]</c>).
/// </summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs, bool AsError = false)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] args) =>
        new(descriptor.Id, location, new EquatableArray<string>(args));
}
