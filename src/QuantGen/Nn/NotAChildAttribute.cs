namespace QuantGen.Nn;

/// <summary>
/// Marks a field of module type that refers to a module without owning it (a layer's substitute, the float layer
/// a quantized one came from), so that it is not listed among the children, their parameters or the state dict.
/// On an auto-property: <c>[field: NotAChild]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
internal sealed class NotAChildAttribute : Attribute;
