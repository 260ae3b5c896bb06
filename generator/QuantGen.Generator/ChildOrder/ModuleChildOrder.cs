using QuantGen.Generator.Model;

namespace QuantGen.Generator.ChildOrder;

/// <summary>
/// A module class's child fields in declaration order. <paramref name="TypeName"/> is the runtime's
/// <c>Type.FullName</c> of the class (of its generic definition): namespace, <c>+</c> between nested types, <c>`N</c> arity.
/// Field names are as reflection sees them: an auto-property's is its backing field, <c>&lt;Name&gt;k__BackingField</c>.
/// </summary>
internal sealed record ModuleChildOrder(string TypeName, EquatableArray<string> Fields);
