using Microsoft.CodeAnalysis;

namespace QuantGen.Generator.Model;

/// <summary>
/// A diagnostic as data: which descriptor, where, the message arguments, and whether it is raised to an error
/// (a warning under <c>[Quantize(Strict = true)]</c>). <see cref="FixValue"/> is what a code fix would write, when
/// there is one: the inferred value of the argument at <see cref="Location"/> (QG0004), the kinds of a [Fuse] pattern
/// to add (QG0010).
/// </summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs, bool AsError = false, string? FixValue = null)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] args) =>
        new(descriptor.Id, location, new EquatableArray<string>(args));
}
