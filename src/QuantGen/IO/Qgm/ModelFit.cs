using QuantGen.Nn;

namespace QuantGen.IO.Qgm;

/// <summary>
/// Whether a file was saved from a model like the one given: the same class, built the same way (the structure
/// signature). When the structure differs, the first differing parameter or layer is named, so the user can
/// tell which constructor argument to change.
/// </summary>
internal static class ModelFit
{
    /// <exception cref="QgmFormatException">The file holds another class, or the same class with another structure.</exception>
    public static void Require(QgmHeader header, StateDict file, Module model)
    {
        string architecture = model.GetType().FullName!;
        if (header.Info.Architecture != architecture)
        {
            throw new QgmFormatException(header.FilePath, null,
                $"this file holds a {header.Info.Architecture}; the model passed is a {architecture}. " +
                $"Load it into a new {header.Info.Architecture}, the class it was saved from.");
        }
        string structure = StructureSignature.Of(model);
        if (header.Info.StructureSignature != structure)
        {
            string difference = FirstDifference(header, file, model) is { } found ? $" ({found})" : "";
            throw new QgmFormatException(header.FilePath, null,
                $"this file holds a {architecture} of another structure than the model passed{difference}: its structure signature is " +
                $"{header.Info.StructureSignature}, the model's {structure}. The saved model was built with other constructor arguments " +
                $"(class count, widths, …) or from another version of {model.GetType().Name}: construct the model as the saved one was, then load the file.");
        }
    }

    private static string? FirstDifference(QgmHeader header, StateDict file, Module model)
    {
        foreach (var (name, parameter) in model.NamedParameters())
        {
            if (file.TryGetValue(name, out var stored) && stored.Shape != parameter.Shape)
            {
                return $"'{name}' is {stored.Shape} in the file, {parameter.Shape} in the model";
            }
        }
        var paths = model.NamedModules().Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (path, _) in header.Substitutes)
        {
            if (!paths.Contains(path)) return $"the file has a layer '{path}', which the model lacks";
        }
        return null;
    }
}
